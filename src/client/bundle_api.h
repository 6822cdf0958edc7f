#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "client/config.h"
#include "client/http_client.h"
#include "domain/error.h"

// The bundle API (docs/BLOBS_AND_BUNDLES.md): manifests of relative path → content hash.
namespace castor::client {

struct BundleFile {
  std::string path{};  // relative, '/'-separated
  std::string hash{};  // 64 lowercase hex digits
  std::uint64_t size = 0;
  std::uint32_t mode = 0644;
};

// POST /v1/bundles with `files` and their Merkle root (which the server checks); returns the
// summary {id, created_at, merkle_root, file_count, total_bytes, ...}. A 409 missing_blobs comes
// back as AlreadyExists with reason "missing_blobs".
Result<boost::json::object> create_bundle(HttpClient& http, const Config& config,
                                          const std::vector<BundleFile>& files);

// A bundle's manifest: the summary and its files.
struct Manifest {
  boost::json::object summary{};  // without "files"
  std::vector<BundleFile> files{};
};

// GET /v1/bundles/{id}. NotFound for an unknown bundle; Internal for a malformed manifest.
Result<Manifest> get_bundle(HttpClient& http, const Config& config, const std::string& id);

// Every summary of GET /v1/bundles, following next_cursor.
Result<std::vector<boost::json::object>> list_bundles(HttpClient& http, const Config& config);

// DELETE /v1/bundles/{id}. NotFound for an unknown bundle.
Status delete_bundle(HttpClient& http, const Config& config, const std::string& id);

// GET /v1/bundles/{id}/download?format=`format` (zip or tar) into `sink`.
Status download_bundle(HttpClient& http, const Config& config, const std::string& id,
                       const std::string& format, BodySink& sink,
                       const std::function<void(std::int64_t)>& on_progress = {});

}  // namespace castor::client
