// Uploads real content in every supported way and downloads it again, byte for byte.

#include <regex>
#include <string>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "e2e/storage_state.h"
#include "e2e/storage_view.h"
#include "support/random_data.h"
#include "support/sha256.h"
#include "support/storage_files.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const std::regex kUuidV4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
const std::regex kRfc3339Utc(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");

// Checks the 201 answer to an upload of `content` made with `params`; returns the object's id.
std::string check_created(const HttpResponse& response, const ObjectParams& params,
                          std::string_view content, std::string_view content_type) {
  INFO("upload response: " << response.status << " " << response.body);
  REQUIRE(response.status == 201);
  const std::string hash = testing::sha256_hex(content);
  const boost::json::object json = parse_object(response.body);
  const std::string id = string_field(json, "id");
  CHECK(std::regex_match(id, kUuidV4));
  CHECK(string_field(json, "namespace") == params.ns);
  CHECK(string_field(json, "tenant_id") == params.tenant);
  if (params.key) {
    CHECK(string_field(json, "key") == *params.key);
  } else {
    REQUIRE(json.contains("key"));
    CHECK(json.at("key").is_null());
  }
  CHECK(string_field(json, "status") == "COMMITTED");
  CHECK(string_field(json, "storage_class") == params.storage_class.value_or("hot"));
  CHECK(string_field(json, "content_hash") == "sha256:" + hash);
  CHECK(int_field(json, "size_bytes") == static_cast<std::int64_t>(content.size()));
  CHECK(string_field(json, "content_type") == content_type);
  CHECK(std::regex_match(string_field(json, "created_at"), kRfc3339Utc));
  CHECK(std::regex_match(string_field(json, "updated_at"), kRfc3339Utc));
  CHECK(response.header("Location") == "/v1/objects/" + id);
  CHECK(response.header("ETag") == "\"" + hash + "\"");
  CHECK(response.header("Content-Type").starts_with("application/json"));
  CHECK_FALSE(response.header("X-Request-Id").empty());
  return id;
}

void check_content(const HttpResponse& response, std::string_view content,
                   std::string_view content_type) {
  const std::string hash = testing::sha256_hex(content);
  INFO("download response: " << response.status);
  REQUIRE(response.status == 200);
  CHECK(response.body.size() == content.size());
  CHECK(testing::sha256_hex(response.body) == hash);
  CHECK((response.body == content));
  CHECK(response.header("Content-Length") == std::to_string(content.size()));
  CHECK(response.header("Content-Type") == content_type);
  CHECK(response.header("ETag") == "\"" + hash + "\"");
  CHECK(response.header("X-Content-Hash") == hash);
  CHECK_FALSE(response.header("Last-Modified").empty());
  CHECK(response.header("Accept-Ranges") == "bytes");
  CHECK_FALSE(response.header("X-Request-Id").empty());
}

// Downloads the object by id and, if it has a key, by key; both must give back `content`.
void check_download(HttpClient& client, const ObjectParams& params, const std::string& id,
                    std::string_view content, std::string_view content_type) {
  check_content(by_id(client, "GET", id, params.tenant), content, content_type);
  if (params.key) {
    check_content(client.request("GET", by_key_target(params.ns, params.tenant, *params.key)),
                  content, content_type);
  }
}

// Uploads `content` with `params`, checks the answer, the downloads and the file on disk.
void round_trip(const ObjectParams& params, std::string_view content,
                std::string_view content_type) {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  testing::Headers extra;
  if (!content_type.empty()) {
    extra["Content-Type"] = std::string(content_type);
  }
  const std::string stored_type =
      content_type.empty() ? std::string("application/octet-stream") : std::string(content_type);
  const std::string id =
      check_created(post_object(client, params, content, extra), params, content, stored_type);
  check_download(client, params, id, content, stored_type);
  // In its content file, or (up to INLINE_MAX_BYTES) in its blob row.
  CHECK((stored_bytes(shared.database.url(), StorageView::of(shared.server), "hot",
                      testing::sha256_hex(content)) == content));
}

ObjectParams params_with_key(std::string key) {
  return ObjectParams{.tenant = testing::unique_name("roundtrip"), .key = std::move(key)};
}

}  // namespace

TEST_CASE("a binary file larger than the IO buffer round-trips byte for byte",
          "[e2e][roundtrip][backend]") {
  round_trip(params_with_key("files/random.bin"), testing::random_bytes(3 * 1024 * 1024 + 17),
             "application/octet-stream");
}

TEST_CASE("an empty object round-trips", "[e2e][roundtrip][backend]") {
  round_trip(params_with_key("empty"), "", "application/octet-stream");
  CHECK(testing::sha256_hex("") == kEmptySha256);
}

TEST_CASE("a one-byte object without a key round-trips", "[e2e][roundtrip][backend]") {
  round_trip(ObjectParams{.tenant = testing::unique_name("roundtrip")}, std::string(1, '\0'),
             "application/octet-stream");
}

TEST_CASE("text keeps the content type it was uploaded with", "[e2e][roundtrip][backend]") {
  round_trip(params_with_key("notes/hello.txt"), "hello, castor\nsecond line\n",
             "text/plain; charset=utf-8");
}

TEST_CASE("an upload without Content-Type is stored as application/octet-stream",
          "[e2e][roundtrip][backend]") {
  round_trip(params_with_key("untyped"), testing::random_bytes(1000), "");
}

TEST_CASE("a chunked upload round-trips byte for byte", "[e2e][roundtrip][backend]") {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  const ObjectParams params = params_with_key("chunked/large.bin");
  const std::string content = testing::random_bytes(1536 * 1024 + 3);
  const HttpResponse response = client.request_chunked(
      "POST", "/v1/objects", object_headers(params), content, /*chunk_size=*/100'000);
  const std::string id = check_created(response, params, content, "application/octet-stream");
  check_download(client, params, id, content, "application/octet-stream");
}

TEST_CASE("a chunked upload of nothing stores an empty object", "[e2e][roundtrip][backend]") {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  const ObjectParams params = params_with_key("chunked/empty");
  const HttpResponse response =
      client.request_chunked("POST", "/v1/objects", object_headers(params), "", 1024);
  const std::string id = check_created(response, params, "", "application/octet-stream");
  check_download(client, params, id, "", "application/octet-stream");
}

TEST_CASE("query parameters work like headers, and cold content lands under the cold root",
          "[e2e][roundtrip][backend]") {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  const ObjectParams params{.tenant = testing::unique_name("query"),
                            .key = "reports/2024 q1.csv",
                            .storage_class = "cold"};
  const std::string content = "quarter,revenue\nq1,42\n" + testing::random_bytes(64);
  const std::string hash = testing::sha256_hex(content);
  const HttpResponse response =
      client.request("POST",
                     "/v1/objects?namespace=" + params.ns + "&tenant_id=" + params.tenant +
                         "&key=" + testing::percent_encode(*params.key) + "&storage_class=cold",
                     {{"Content-Type", "text/csv"}}, content);
  const std::string id = check_created(response, params, content, "text/csv");

  check_content(client.request("GET", "/v1/objects/" + id + "?tenant_id=" + params.tenant), content,
                "text/csv");
  check_download(client, params, id, content, "text/csv");

  CHECK((stored_bytes(shared.database.url(), StorageView::of(shared.server), "cold", hash) ==
         content));
  CHECK_FALSE(stored_bytes(shared.database.url(), StorageView::of(shared.server), "hot", hash));
}

TEST_CASE("X-Content-SHA256 is accepted bare and with the sha256: prefix",
          "[e2e][roundtrip][backend]") {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  const std::string tenant = testing::unique_name("checksum");
  const std::string content = testing::random_bytes(4096);
  const std::string hash = testing::sha256_hex(content);
  for (const std::string& header : {hash, "sha256:" + hash}) {
    INFO("X-Content-SHA256: " << header);
    const boost::json::object json =
        upload(client, ObjectParams{.tenant = tenant}, content, {{"X-Content-SHA256", header}});
    CHECK(string_field(json, "content_hash") == "sha256:" + hash);
  }
}

TEST_CASE("requests reuse one kept-alive connection", "[e2e][roundtrip][backend]") {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  const ObjectParams params = params_with_key("keep-alive");
  const std::string id = string_field(upload(client, params, "kept alive"), "id");
  CHECK(by_id(client, "GET", id, params.tenant).status == 200);
  CHECK(by_id(client, "HEAD", id, params.tenant).status == 200);
  CHECK(client.request("GET", "/v1/objects?namespace=e2e&tenant_id=" + params.tenant).status ==
        200);
  CHECK(by_id(client, "DELETE", id, params.tenant).status == 204);
  CHECK(by_id(client, "GET", id, params.tenant).status == 404);
  CHECK(client.connections_opened() == 1);
}

}  // namespace castor::e2e
