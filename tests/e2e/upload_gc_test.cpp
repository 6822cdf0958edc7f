// Upload sessions and the collector (docs/BLOBS_AND_BUNDLES.md): aborted and expired sessions
// release their parts, a deleted composite object releases its segments, MAX_OPEN_UPLOADS, and
// the 400s of bad create requests.

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/storage_state.h"
#include "e2e/storage_view.h"
#include "e2e/upload_api.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/sha256.h"
#include "support/test_database.h"

namespace castor::e2e {
namespace {

namespace json = boost::json;
using testing::HttpClient;
using testing::HttpResponse;

constexpr auto kExpiryDeadline = std::chrono::seconds(30);
constexpr auto kPollInterval = std::chrono::milliseconds(100);

int blob_status(HttpClient& client, const std::string& tenant, const std::string& hash) {
  return client.request("HEAD", "/v1/blobs/" + hash, {{"X-Tenant", tenant}}).status;
}

// Requires every piece to be gone: no blob row, no stored content, 404 for the tenant.
void require_collected(HttpClient& client, const testing::ServerProcess& server,
                       const std::string& database_url, const std::string& tenant,
                       const std::vector<std::string>& pieces) {
  for (const std::string& piece : pieces) {
    const std::string hash = testing::sha256_hex(piece);
    INFO("part " << hash);
    CHECK(blob_status(client, tenant, hash) == 404);
    CHECK_FALSE(find_blob(database_url, "hot", hash).has_value());
    CHECK_FALSE(StorageView::of(server).has_content("hot", hash));
  }
}

// A server of its own with the given upload settings.
struct OwnServer {
  testing::TestDatabase database;
  testing::ServerProcess server;
};

OwnServer start_server(std::map<std::string, std::string> env) {
  testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_uploads");
  testing::ServerOptions options{.binary = castor_binary(), .database_url = database.url()};
  options.extra_env = std::move(env);
  testing::ServerProcess server = testing::ServerProcess::start(std::move(options));
  return {std::move(database), std::move(server)};
}

}  // namespace

TEST_CASE("DELETE aborts an open session and the collector takes its parts",
          "[e2e][uploads][backend]") {
  SharedServer& shared = upload_server();
  HttpClient client = shared.server.client();
  const std::string tenant = testing::unique_name("upabort");
  const std::string id =
      string_field(create_upload(client, tenant, R"({"namespace": "e2e"})"), "upload_id");
  const std::vector<std::string> pieces = {testing::random_bytes(120'000),
                                           testing::random_bytes(3)};
  store_part(client, tenant, id, 1, pieces[0]);
  store_part(client, tenant, id, 2, pieces[1]);
  CHECK(blob_status(client, tenant, testing::sha256_hex(pieces[0])) == 200);  // a grant

  CHECK(upload_request(client, "DELETE", tenant, id).status == 204);
  require_error(upload_request(client, "GET", tenant, id), 404, "");
  require_error(upload_request(client, "DELETE", tenant, id), 404, "");
  require_error(put_part(client, tenant, id, "3", "more"), 404, "");
  require_error(complete_upload(client, tenant, id), 404, "");
  // Parts have no grace: the next cycle collects them.
  CHECK(int_field(run_gc(client), "deleted_blobs") >= 2);
  require_collected(client, shared.server, shared.database.url(), tenant, pieces);
  require_fsck_clean(client);

  // Forgetting a completed session keeps its object.
  const json::object done =
      upload_in_parts(client, tenant, R"({"namespace": "e2e", "key": "kept"})", pieces);
  const std::string done_id = string_field(done, "upload_id");
  CHECK(upload_request(client, "DELETE", tenant, done_id).status == 204);
  require_error(upload_request(client, "GET", tenant, done_id), 404, "");
  run_gc(client);
  const HttpResponse kept = client.request("GET", by_key_target("e2e", tenant, "kept"));
  REQUIRE(kept.status == 200);
  CHECK((kept.body == pieces[0] + pieces[1]));
  require_fsck_clean(client);
}

TEST_CASE("deleting an object made of parts lets the collector take the blob and its segments",
          "[e2e][uploads][backend]") {
  SharedServer& shared = upload_server();
  HttpClient client = shared.server.client();
  const std::string tenant = testing::unique_name("upgc");
  const std::vector<std::string> pieces = {
      testing::random_bytes(200'000), testing::random_bytes(200'000), testing::random_bytes(1)};
  const std::string hash = testing::sha256_hex(pieces[0] + pieces[1] + pieces[2]);
  const json::object done =
      upload_in_parts(client, tenant, R"({"namespace": "e2e", "key": "doomed"})", pieces);
  const std::string id = string_field(done.at("object").as_object(), "id");
  run_gc(client);  // nothing of it is collectable yet
  REQUIRE(by_id(client, "GET", id, tenant).status == 200);
  CHECK(find_blob(shared.database.url(), "hot", hash)->ref_count == 1);
  // Segments are not stored as a second copy: the whole content has no file of its own.
  CHECK_FALSE(StorageView::of(shared.server).has_content("hot", hash));

  REQUIRE(by_id(client, "DELETE", id, tenant).status == 204);
  run_gc(client);
  run_gc(client);
  CHECK_FALSE(find_blob(shared.database.url(), "hot", hash).has_value());
  CHECK(blob_status(client, tenant, hash) == 404);
  require_collected(client, shared.server, shared.database.url(), tenant, pieces);
  require_fsck_clean(client);
}

TEST_CASE("the collector aborts expired sessions and forgets expired completed ones",
          "[e2e][uploads][backend]") {
  OwnServer own = start_server({{"UPLOAD_TTL_SECONDS", "1"}});
  HttpClient client = own.server.client();
  const std::string tenant = "expiry";
  const std::vector<std::string> pieces = {testing::random_bytes(50'000),
                                           testing::random_bytes(60'000)};
  const std::string open_id =
      string_field(create_upload(client, tenant, R"({"namespace": "e2e"})"), "upload_id");
  store_part(client, tenant, open_id, 1, pieces[0]);
  store_part(client, tenant, open_id, 2, pieces[1]);
  const std::string done_id =
      string_field(upload_in_parts(client, tenant, R"({"namespace": "e2e", "key": "survivor"})",
                                   {testing::random_bytes(70'000), testing::random_bytes(80'000)}),
                   "upload_id");

  // Poll: collect and look, until both sessions are gone or the deadline passes.
  std::int64_t expired = 0;
  const auto deadline = std::chrono::steady_clock::now() + kExpiryDeadline;
  for (;;) {
    expired += int_field(run_gc(client), "expired_uploads");
    const int open_status = upload_request(client, "GET", tenant, open_id).status;
    const int done_status = upload_request(client, "GET", tenant, done_id).status;
    REQUIRE((open_status == 200 || open_status == 404));
    REQUIRE((done_status == 200 || done_status == 404));
    if (open_status == 404 && done_status == 404) {
      break;
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(kPollInterval);
  }
  CHECK(expired == 1);  // the open one; the completed one was only forgotten
  run_gc(client);       // the aborted session's parts
  require_collected(client, own.server, own.database.url(), tenant, pieces);
  const HttpResponse survivor = client.request("GET", by_key_target("e2e", tenant, "survivor"));
  CHECK(survivor.status == 200);
  CHECK(survivor.body.size() == 150'000);
  require_fsck_clean(client);
}

TEST_CASE("MAX_OPEN_UPLOADS bounds a tenant's open sessions", "[e2e][uploads][backend]") {
  OwnServer own = start_server({{"MAX_OPEN_UPLOADS", "3"}});
  HttpClient client = own.server.client();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(string_field(create_upload(client, "limited", "{}"), "upload_id"));
  }
  require_error(post_upload(client, "limited", "{}"), 409, "too_many_uploads");
  create_upload(client, "another", "{}");  // per tenant
  // An aborted or completed session no longer counts.
  REQUIRE(upload_request(client, "DELETE", "limited", ids[0]).status == 204);
  ids[0] = string_field(create_upload(client, "limited", "{}"), "upload_id");
  require_error(post_upload(client, "limited", "{}"), 409, "too_many_uploads");
  store_part(client, "limited", ids[1], 1, "content");
  REQUIRE(complete_upload(client, "limited", ids[1]).status == 201);
  create_upload(client, "limited", "{}");
  require_error(post_upload(client, "limited", "{}"), 409, "too_many_uploads");
  require_fsck_clean(client);
}

TEST_CASE("bad upload creation requests answer 400 with a JSON error", "[e2e][uploads][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("upbad");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"not JSON", "{"},
      {"not an object", "[]"},
      {"a string", "\"namespace\""},
      {"unknown field", R"({"namespace": "e2e", "colour": "blue"})"},
      {"key without namespace", R"({"key": "k"})"},
      {"content_type without namespace", R"({"content_type": "text/plain"})"},
      {"bad namespace", R"({"namespace": "Not Valid"})"},
      {"bad key", R"({"namespace": "e2e", "key": ""})"},
      {"bad sha256", R"({"sha256": "abc"})"},
      {"negative size", R"({"size_bytes": -1})"},
      {"size as a string", R"({"size_bytes": "10"})"},
      {"fractional size", R"({"size_bytes": 1.5})"},
      {"bad storage class", R"({"storage_class": "warm"})"},
      {"bad tenant", R"({"tenant_id": "UPPER"})"},
      {"namespace not a string", R"({"namespace": 7})"},
  };
  for (const auto& [why, body] : bad) {
    INFO(why << ": " << body);
    require_error(post_upload(client, tenant, body), 400, "");
  }
  require_error(post_upload(client, tenant,
                            R"({"size_bytes": )" + std::to_string(kSharedMaxObjectSize + 1) + "}"),
                413, "");
  // None of them opened a session.
  const HttpResponse listing = client.request("GET", "/v1/uploads", {{"X-Tenant", tenant}});
  REQUIRE(listing.status == 200);
  CHECK(parse_object(listing.body).at("uploads").as_array().empty());
}

}  // namespace castor::e2e
