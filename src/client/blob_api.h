#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "client/config.h"
#include "client/http_client.h"
#include "domain/error.h"

// The blob API (docs/BLOBS_AND_BUNDLES.md): content by SHA-256, per tenant.
namespace castor::client {

// The most hashes one POST /v1/blobs/preflight may name.
inline constexpr std::size_t kMaxPreflightHashes = 10'000;

// What PUT /v1/blobs/{hash} did.
struct BlobPut {
  bool stored = false;           // 201: stored now; false: 200, the tenant already held it
  std::uint64_t bytes_sent = 0;  // body bytes sent (0 when the server answered before the body)
};

// PUT /v1/blobs/{hash}?size_bytes=N streaming `file`; with `expect_continue` the body waits for
// the server's 100 Continue (a server that holds the content answers 200 without it, after a
// lookup). Errors: the server's (DataLoss when the file no longer has `hash`), Unavailable, a
// usage error for an unreadable file.
Result<BlobPut> put_blob(HttpClient& http, const Config& config, const std::filesystem::path& file,
                         const std::string& hash, std::uint64_t size,
                         const std::function<void(std::int64_t)>& on_progress = {},
                         bool expect_continue = true);

// The hashes among `hashes` (at most kMaxPreflightHashes) that the tenant does not hold, as
// POST /v1/blobs/preflight answers them.
Result<std::vector<std::string>> preflight(HttpClient& http, const Config& config,
                                           const std::vector<std::string>& hashes);

// The hashes among `hashes` (any number, no duplicates) that the tenant does not hold: one
// preflight per kMaxPreflightHashes of them; a list the server finds too large (413) is split in
// halves and asked again.
Result<std::vector<std::string>> find_missing(HttpClient& http, const Config& config,
                                              const std::vector<std::string>& hashes);

// GET /v1/blobs/{hash} into `sink`. NotFound when the tenant does not hold it.
Status get_blob(HttpClient& http, const Config& config, const std::string& hash, BodySink& sink,
                const std::function<void(std::int64_t)>& on_progress = {});

}  // namespace castor::client
