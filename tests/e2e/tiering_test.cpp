// Tiering and verified reads over HTTP (docs/TIERING.md): POST /v1/objects/{id}/storage-class and
// GET /v1/objects/{id}?verify=true, against servers of their own where they look at the storage
// roots or damage them.

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "e2e/storage_state.h"
#include "e2e/storage_view.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/sha256.h"
#include "support/storage_files.h"
#include "support/test_database.h"

namespace castor::e2e {
namespace {

namespace fs = std::filesystem;
using testing::HttpClient;
using testing::HttpResponse;

struct OwnServer {
  explicit OwnServer(std::map<std::string, std::string> env)
      : database(testing::TestDatabase::create("castor_tiering")),
        server(testing::ServerProcess::start({.binary = castor_binary(),
                                              .database_url = database.url(),
                                              .storage_root = {},
                                              .extra_env = std::move(env)})) {}
  testing::TestDatabase database;
  testing::ServerProcess server;
};

HttpResponse move(HttpClient& client, std::string_view id, std::string_view tenant,
                  std::string_view body, testing::Headers headers = {}) {
  headers["X-Tenant"] = std::string(tenant);
  headers["Content-Type"] = "application/json";
  return client.request("POST", "/v1/objects/" + std::string(id) + "/storage-class", headers, body);
}

std::string cold_json() { return R"({"storage_class": "cold"})"; }

// castor_integrity_errors_total as /metrics shows it.
std::int64_t integrity_errors(HttpClient& client) {
  const auto response = client.request("GET", "/metrics");
  REQUIRE(response.status == 200);
  constexpr std::string_view kName = "\ncastor_integrity_errors_total ";
  const auto at = response.body.find(kName);
  REQUIRE(at != std::string::npos);
  return std::stoll(response.body.substr(at + kName.size()));
}

void flip_a_bit(const fs::path& file, std::streamoff offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(offset);
  const char c = static_cast<char>(f.get());
  f.seekp(offset);
  f.put(static_cast<char>(c ^ 0x04));
  REQUIRE(f);
}

// A chunked response (RFC 9112 section 7.1) read off the wire: status, header block, the body
// reassembled from its chunks, and the trailer fields. Throws on broken framing.
struct ChunkedResponse {
  int status = 0;
  std::string head;
  std::string body;
  std::map<std::string, std::string> trailers;
  bool complete = false;  // the last chunk and the trailer section's end arrived
};

ChunkedResponse parse_chunked(const std::string& raw) {
  ChunkedResponse out;
  const auto head_end = raw.find("\r\n\r\n");
  REQUIRE(head_end != std::string::npos);
  out.head = raw.substr(0, head_end + 2);
  out.status = std::stoi(raw.substr(9, 3));
  std::size_t at = head_end + 4;
  for (;;) {
    const auto line_end = raw.find("\r\n", at);
    if (line_end == std::string::npos) {
      return out;  // cut short
    }
    const std::size_t size = std::stoul(raw.substr(at, line_end - at), nullptr, 16);
    at = line_end + 2;
    if (size == 0) {
      break;
    }
    if (raw.size() < at + size + 2) {
      return out;
    }
    out.body.append(raw, at, size);
    REQUIRE(raw.substr(at + size, 2) == "\r\n");
    at += size + 2;
  }
  for (;;) {
    const auto line_end = raw.find("\r\n", at);
    if (line_end == std::string::npos) {
      return out;
    }
    if (line_end == at) {
      out.complete = true;
      return out;
    }
    const std::string line = raw.substr(at, line_end - at);
    const auto colon = line.find(':');
    REQUIRE(colon != std::string::npos);
    out.trailers[line.substr(0, colon)] = line.substr(line.find_first_not_of(' ', colon + 1));
    at = line_end + 2;
  }
}

ChunkedResponse verified_get(HttpClient& client, std::string_view target, std::string_view tenant,
                             std::string_view extra_headers = {}) {
  const std::string request = "GET " + std::string(target) +
                              " HTTP/1.1\r\nHost: castor\r\nX-Tenant: " + std::string(tenant) +
                              "\r\nTE: trailers\r\n" + std::string(extra_headers) +
                              "Connection: close\r\n\r\n";
  const auto exchange = client.raw(request, std::chrono::seconds(30));
  REQUIRE(exchange.closed_by_server);
  return parse_chunked(exchange.received);
}

}  // namespace

TEST_CASE("POST /v1/objects/{id}/storage-class moves an object and its bytes stay the same",
          "[e2e][tier][backend]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("tier");
  const std::string content = testing::random_bytes(300 * 1024);
  const auto created = upload(client, {.tenant = tenant, .key = "weights.bin"}, content);
  const std::string id = string_field(created, "id");
  CHECK(string_field(created, "storage_class") == "hot");

  const HttpResponse moved = move(client, id, tenant, cold_json());
  INFO(moved.body);
  REQUIRE(moved.status == 200);
  const auto object = parse_object(moved.body);
  CHECK(string_field(object, "storage_class") == "cold");
  CHECK(string_field(object, "id") == id);
  CHECK(string_field(object, "content_hash") == "sha256:" + testing::sha256_hex(content));
  CHECK(string_field(object, "created_at") == string_field(created, "created_at"));

  const HttpResponse by_id_get = by_id(client, "GET", id, tenant);
  REQUIRE(by_id_get.status == 200);
  CHECK(by_id_get.body == content);
  const HttpResponse by_key_get =
      client.request("GET", by_key_target("e2e", tenant, "weights.bin"), {{"X-Tenant", tenant}});
  REQUIRE(by_key_get.status == 200);
  CHECK(by_key_get.body == content);
  const auto listed = list_objects(client, "e2e", tenant).objects;
  REQUIRE(listed.size() == 1);
  CHECK(string_field(listed[0], "storage_class") == "cold");

  // The same class again: 200, nothing changes.
  const HttpResponse again = move(client, id, tenant, cold_json());
  REQUIRE(again.status == 200);
  CHECK(string_field(parse_object(again.body), "updated_at") == string_field(object, "updated_at"));
  // And back.
  const HttpResponse back = move(client, id, tenant, R"({"storage_class":"hot"})");
  REQUIRE(back.status == 200);
  CHECK(string_field(parse_object(back.body), "storage_class") == "hot");
  CHECK(by_id(client, "GET", id, tenant).body == content);

  // Small content kept in its blob row (INLINE_MAX_BYTES, on by default) moves row to row.
  const std::string small_id = string_field(upload(client, {.tenant = tenant}, "tiny"), "id");
  const HttpResponse small = move(client, small_id, tenant, cold_json());
  REQUIRE(small.status == 200);
  CHECK(string_field(parse_object(small.body), "storage_class") == "cold");
  CHECK(by_id(client, "GET", small_id, tenant).body == "tiny");
  const auto row = find_blob(shared_server().database.url(), "cold", testing::sha256_hex("tiny"));
  REQUIRE(row);
  CHECK(row->ref_count >= 1);
  CHECK(stored_bytes(shared_server().database.url(), StorageView::of(shared_server().server),
                     "cold", testing::sha256_hex("tiny")) == "tiny");
}

TEST_CASE("storage-class moves refuse bad requests and other tenants' objects",
          "[e2e][tier][backend]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("tier");
  const std::string id = string_field(upload(client, {.tenant = tenant}, "abc"), "id");

  require_error(move(client, id, tenant, R"({"storage_class": "warm"})"), 400, "invalid_argument");
  require_error(move(client, id, tenant, R"({"class": "cold"})"), 400, "invalid_argument");
  require_error(move(client, id, tenant, "not json"), 400, "invalid_argument");
  require_error(move(client, "not-a-uuid", tenant, cold_json()), 400, "");
  require_error(move(client, "00000000-0000-4000-8000-000000000000", tenant, cold_json()), 404,
                "not_found");
  // Another tenant's view of the id: 404, exactly as for an unknown id.
  require_error(move(client, id, testing::unique_name("other"), cold_json()), 404, "not_found");
  require_error(client.request("GET", "/v1/objects/" + id + "/storage-class"), 405,
                "method_not_allowed");
  // Deleted: gone.
  REQUIRE(by_id(client, "DELETE", id, tenant).status == 204);
  require_error(move(client, id, tenant, cold_json()), 404, "not_found");
}

TEST_CASE("storage-class moves need objects:write on the object's tenant", "[e2e][tier][auth]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const std::string tenant = testing::unique_name("tierauth");
  const std::string other = testing::unique_name("tierauth");
  const IssuedKey writer =
      create_key(client, env.admin.key, tenant, {"objects:read", "objects:write"});
  const IssuedKey reader = create_key(client, env.admin.key, tenant, {"objects:read"});
  const IssuedKey outsider =
      create_key(client, env.admin.key, other, {"objects:read", "objects:write"});
  const auto created = upload(client, {.tenant = tenant}, "guarded", {{"X-API-Key", writer.key}});
  const std::string id = string_field(created, "id");

  require_error(move(client, id, tenant, cold_json(), {{"X-API-Key", reader.key}}), 403, "");
  require_error(move(client, id, tenant, cold_json(), {{"X-API-Key", outsider.key}}), 403, "");
  // The outsider acting on its own tenant does not find the object.
  require_error(move(client, id, other, cold_json(), {{"X-API-Key", outsider.key}}), 404,
                "not_found");
  require_error(move(client, id, tenant, cold_json()), 401, "");
  const HttpResponse ok = move(client, id, tenant, cold_json(), {{"X-API-Key", writer.key}});
  REQUIRE(ok.status == 200);
  CHECK(string_field(parse_object(ok.body), "storage_class") == "cold");
}

TEST_CASE("after a move the collector removes the source blob unless another object uses it",
          "[e2e][tier][backend]") {
  OwnServer own({{"INLINE_MAX_BYTES", "0"}, {"GC_INTERVAL_SECONDS", "0"}});
  HttpClient client = own.server.client();
  const std::string lone = testing::random_bytes(100 * 1024);
  const std::string shared = testing::random_bytes(100 * 1024);
  const std::string lone_id = string_field(upload(client, {.tenant = "t1"}, lone), "id");
  const std::string shared_id = string_field(upload(client, {.tenant = "t1"}, shared), "id");
  upload(client, {.tenant = "t1", .key = "keeps-it-hot"}, shared);
  const StorageView view = StorageView::of(own.server);
  const std::string lone_hash = testing::sha256_hex(lone);
  const std::string shared_hash = testing::sha256_hex(shared);

  REQUIRE(move(client, lone_id, "t1", cold_json()).status == 200);
  REQUIRE(move(client, shared_id, "t1", cold_json()).status == 200);
  CHECK(view.content("cold", lone_hash) == lone);
  CHECK(view.content("cold", shared_hash) == shared);
  CHECK(view.has_content("hot", lone_hash));  // until the collector runs

  const auto report = run_gc(client);
  CHECK(int_field(report, "deleted_blobs") == 1);
  CHECK_FALSE(view.has_content("hot", lone_hash));
  CHECK(view.has_content("hot", shared_hash));
  CHECK(by_id(client, "GET", lone_id, "t1").body == lone);
  CHECK(by_id(client, "GET", shared_id, "t1").body == shared);
}

TEST_CASE("GET ?verify=true ends with trailers: true when intact, false and counted when not",
          "[e2e][tier][integrity]") {
  // Content files are what this test damages: every upload takes the file path.
  OwnServer own({{"INLINE_MAX_BYTES", "0"}, {"SCRUB_BYTES_PER_SECOND", "0"}});
  HttpClient client = own.server.client();
  const std::string content = testing::random_bytes(600 * 1024);  // several chunks
  const std::string hash = testing::sha256_hex(content);
  const std::string id = string_field(upload(client, {.tenant = "t1", .key = "k"}, content), "id");

  const ChunkedResponse intact = verified_get(client, "/v1/objects/" + id + "?verify=true", "t1");
  INFO(intact.head);
  CHECK(intact.status == 200);
  CHECK(intact.head.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
  CHECK(intact.head.find("Trailer: X-Castor-Content-Sha256, X-Castor-Verified\r\n") !=
        std::string::npos);
  CHECK(intact.head.find("Content-Length") == std::string::npos);
  CHECK(intact.complete);
  CHECK(intact.body == content);
  CHECK(intact.trailers.at("X-Castor-Content-Sha256") == hash);
  CHECK(intact.trailers.at("X-Castor-Verified") == "true");
  // By key too.
  const ChunkedResponse keyed =
      verified_get(client, by_key_target("e2e", "t1", "k") + "?verify=true", "t1");
  CHECK(keyed.trailers.at("X-Castor-Verified") == "true");
  CHECK(integrity_errors(client) == 0);

  flip_a_bit(testing::content_path(own.server.hot_root(), hash), 400 * 1024);
  const ChunkedResponse rotten = verified_get(client, "/v1/objects/" + id + "?verify=true", "t1");
  CHECK(rotten.status == 200);  // the header went out before the damage could be seen
  CHECK(rotten.complete);
  CHECK(rotten.body.size() == content.size());
  CHECK(rotten.body != content);
  CHECK(rotten.trailers.at("X-Castor-Content-Sha256") == testing::sha256_hex(rotten.body));
  CHECK(rotten.trailers.at("X-Castor-Verified") == "false");
  CHECK(integrity_errors(client) == 1);
  CHECK(own.server.log().find("integrity error in a verified read: content " + hash) !=
        std::string::npos);

  // A plain GET is unchanged (Content-Length, no trailers); HEAD ignores verify.
  const HttpResponse plain = by_id(client, "GET", id, "t1");
  CHECK(plain.status == 200);
  CHECK(plain.headers.count("Trailer") == 0);
  CHECK(by_id(client, "HEAD", id, "t1").status == 200);
  const HttpResponse head =
      client.request("HEAD", "/v1/objects/" + id + "?verify=true", {{"X-Tenant", "t1"}});
  CHECK(head.status == 200);
  CHECK(head.headers.at("Content-Length") == std::to_string(content.size()));
  // A range cannot be verified against the whole content's hash; verify must be a boolean.
  require_error(client.request("GET", "/v1/objects/" + id + "?verify=true",
                               {{"X-Tenant", "t1"}, {"Range", "bytes=0-9"}}),
                400, "range_not_verifiable");
  require_error(client.request("GET", "/v1/objects/" + id + "?verify=maybe", {{"X-Tenant", "t1"}}),
                400, "invalid_argument");
  // A move refuses damaged content: nothing switched, counted again.
  require_error(move(client, id, "t1", cold_json()), 409, "content_damaged");
  CHECK(integrity_errors(client) == 2);
  CHECK_FALSE(fs::exists(testing::content_path(own.server.cold_root(), hash)));
}

}  // namespace castor::e2e
