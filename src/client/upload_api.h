#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "client/config.h"
#include "client/http_client.h"
#include "client/upload_session.h"
#include "domain/error.h"

// The upload-session API (docs/BLOBS_AND_BUNDLES.md, "Upload sessions"), tenant as configured.
// Errors are server_error()'s: NotFound for an unknown (expired, aborted, another tenant's)
// session, AlreadyExists for a 409 (reason `upload_not_open`, `parts_changed`, a key in use),
// DataLoss for `content_hash_mismatch`, FailedPrecondition for other 400s; Unavailable when the
// server cannot be reached.
namespace castor::client {

// POST /v1/uploads declaring `target`; the new session (no parts).
Result<UploadSessionInfo> create_upload(HttpClient& http, const Config& config,
                                        const UploadTarget& target);

// GET /v1/uploads?sha256=&storage_class=[&namespace=&key=]: the tenant's open sessions for
// `target`'s content, newest first, without their parts. (The server filters on what is given;
// sessions of other namespaces or keys, or blob sessions, may be among them.)
Result<std::vector<UploadSessionInfo>> list_uploads(HttpClient& http, const Config& config,
                                                    const UploadTarget& target);

// GET /v1/uploads/{id}: the session with the parts it holds.
Result<UploadSessionInfo> get_upload(HttpClient& http, const Config& config, const std::string& id);

// What PUT /v1/uploads/{id}/parts/{n} did.
struct PartPut {
  UploadPartInfo part;           // as the server stored it
  std::uint64_t bytes_sent = 0;  // body bytes sent, over every attempt
};

// PUT /v1/uploads/{id}/parts/{n} streaming `length` bytes of `file` from `offset`, with
// X-Content-SHA256: `sha256` (the server refuses other bytes) and Expect: 100-continue.
Result<PartPut> put_upload_part(HttpClient& http, const Config& config, const std::string& id,
                                std::uint32_t number, const std::filesystem::path& file,
                                std::uint64_t offset, std::uint64_t length,
                                const std::string& sha256,
                                const std::function<void(std::int64_t)>& on_progress = {});

// What POST /v1/uploads/{id}/complete answered.
struct UploadCompletion {
  bool created = false;           // 201: completed now; false: 200, it had been completed before
  boost::json::object session{};  // with "object" or "blob"
};

// POST /v1/uploads/{id}/complete {"parts": parts}.
Result<UploadCompletion> complete_upload(HttpClient& http, const Config& config,
                                         const std::string& id,
                                         const std::vector<std::uint32_t>& parts);

// DELETE /v1/uploads/{id}.
Status abort_upload(HttpClient& http, const Config& config, const std::string& id);

}  // namespace castor::client
