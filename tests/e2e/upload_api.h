#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "e2e/shared_server.h"
#include "support/http_client.h"

// Helpers for the upload-session API (docs/BLOBS_AND_BUNDLES.md, "Upload sessions"). As in
// castor_api.h, helpers whose name says what they require check it with Catch2 assertions; the
// ones returning an HttpResponse only send. The tenant always travels as X-Tenant.
namespace castor::e2e {

// The server of the upload-session tests: like shared_server() (MAX_OBJECT_SIZE
// kSharedMaxObjectSize), but with a database and storage of its own, so that a whole-database
// fsck sees only what these tests did (other tests run servers with other storage roots on the
// shared database). Started on first use, stopped at exit.
SharedServer& upload_server();

// POST /v1/uploads with `body` (JSON text).
testing::HttpResponse post_upload(testing::HttpClient& client, std::string_view tenant,
                                  std::string_view body);

// post_upload(), requiring 201 and Location: /v1/uploads/{upload_id}; returns the session.
boost::json::object create_upload(testing::HttpClient& client, std::string_view tenant,
                                  std::string_view body = "{}");

// GET (or DELETE) /v1/uploads/{id}.
testing::HttpResponse upload_request(testing::HttpClient& client, std::string_view method,
                                     std::string_view tenant, std::string_view id);

// GET /v1/uploads/{id}, requiring 200; returns the session.
boost::json::object get_upload(testing::HttpClient& client, std::string_view tenant,
                               std::string_view id);

// PUT /v1/uploads/{id}/parts/{n} with `content` (and `extra` headers).
testing::HttpResponse put_part(testing::HttpClient& client, std::string_view tenant,
                               std::string_view id, std::string_view n, std::string_view content,
                               const testing::Headers& extra = {});

// put_part(), requiring 200 with {"part_number": n, "size_bytes", "sha256"} of `content` and
// ETag: "<sha256>".
void store_part(testing::HttpClient& client, std::string_view tenant, std::string_view id, int n,
                std::string_view content);

// POST /v1/uploads/{id}/complete with `body` (empty: no body).
testing::HttpResponse complete_upload(testing::HttpClient& client, std::string_view tenant,
                                      std::string_view id, std::string_view body = "");

// One part as GET /v1/uploads/{id} lists it.
struct PartInfo {
  std::int64_t part_number = 0;
  std::int64_t size_bytes = 0;
  std::string sha256{};
  bool operator==(const PartInfo&) const = default;
};

// The "parts" of a session, in the order given.
std::vector<PartInfo> parts_of(const boost::json::object& session);

// PartInfo of `content` as part `n`.
PartInfo part_info(int n, std::string_view content);

// Splits `content` at the given offsets (ascending, inside the content) into consecutive pieces.
std::vector<std::string> split_at(std::string_view content, const std::vector<std::size_t>& at);

// Sends `pieces` as parts 1..n of a new session created with `body` and completes it without a
// part list, requiring 201; returns the completed session (with "object" or "blob").
boost::json::object upload_in_parts(testing::HttpClient& client, std::string_view tenant,
                                    std::string_view body, const std::vector<std::string>& pieces);

// POST /v1/admin/fsck, requiring 200; returns the report.
boost::json::object fsck(testing::HttpClient& client);

// Requires fsck to find nothing wrong: clean, refcount_mismatch 0, missing 0, size_mismatch 0
// (the findings are printed on failure).
void require_fsck_clean(testing::HttpClient& client);

// A UUID no session has.
inline constexpr std::string_view kUnknownUploadId = "3f1c2b7a-0d4e-4f5a-9b6c-7d8e9f0a1b2c";

}  // namespace castor::e2e
