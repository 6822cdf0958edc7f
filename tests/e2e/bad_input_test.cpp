// Invalid parameters and content: each answers a JSON error with the right status and stores
// nothing.

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "e2e/storage_state.h"
#include "support/random_data.h"
#include "support/sha256.h"
#include "support/storage_files.h"

namespace castor::e2e {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

struct BadRequest {
  std::string name;
  std::string method;
  std::string target;
  Headers headers;
  std::string body;
};

std::vector<BadRequest> bad_requests(const std::string& tenant) {
  const std::string id = "/v1/objects/0b7ae4d4-3b0c-4d8c-9a3e-4cf0e1f7d2a1";
  const Headers valid = {{"X-Namespace", "e2e"}, {"X-Tenant", tenant}};
  auto with = [&valid](std::string name, std::string value) {
    Headers headers = valid;
    headers[std::move(name)] = std::move(value);
    return headers;
  };
  const std::string long_name(64, 'a');
  return {
      {"bad UUID", "GET", "/v1/objects/not-a-uuid", {{"X-Tenant", tenant}}, ""},
      {"truncated UUID", "GET", "/v1/objects/0b7ae4d4-3b0c-4d8c-9a3e", {{"X-Tenant", tenant}}, ""},
      {"bad UUID on DELETE",
       "DELETE",
       "/v1/objects/zzzzzzzz-3b0c-4d8c-9a3e-4cf0e1f7d2a1",
       {{"X-Tenant", tenant}},
       ""},
      {"missing tenant on GET", "GET", id, {}, ""},
      {"missing tenant on DELETE", "DELETE", id, {}, ""},
      {"bad tenant on GET", "GET", id, {{"X-Tenant", "Upper"}}, ""},
      {"uppercase namespace", "POST", "/v1/objects", with("X-Namespace", "Photos"), "x"},
      {"namespace too long", "POST", "/v1/objects", with("X-Namespace", long_name), "x"},
      {"empty namespace", "POST", "/v1/objects", with("X-Namespace", ""), "x"},
      {"namespace starting with a dot", "POST", "/v1/objects", with("X-Namespace", ".hidden"), "x"},
      {"missing namespace", "POST", "/v1/objects", {{"X-Tenant", tenant}}, "x"},
      {"missing tenant on upload", "POST", "/v1/objects", {{"X-Namespace", "e2e"}}, "x"},
      {"tenant with a slash", "POST", "/v1/objects", with("X-Tenant", "a/b"), "x"},
      {"control character in a key (query)",
       "POST",
       "/v1/objects?namespace=e2e&tenant_id=" + tenant + "&key=a%01b",
       {},
       "x"},
      {"DEL in a key (query)",
       "POST",
       "/v1/objects?namespace=e2e&tenant_id=" + tenant + "&key=a%7Fb",
       {},
       "x"},
      {"NUL in a key (query)",
       "POST",
       "/v1/objects?namespace=e2e&tenant_id=" + tenant + "&key=a%00b",
       {},
       "x"},
      {"invalid UTF-8 in a key",
       "POST",
       "/v1/objects?namespace=e2e&tenant_id=" + tenant + "&key=a%FFb",
       {},
       "x"},
      {"key longer than 1024 bytes", "POST", "/v1/objects", with("X-Key", std::string(1025, 'k')),
       "x"},
      {"control character in a key (by-key)",
       "GET",
       "/v1/objects/by-key/e2e/" + tenant + "/a%01b",
       {},
       ""},
      {"bad namespace (by-key)", "GET", "/v1/objects/by-key/E2E/" + tenant + "/k", {}, ""},
      {"malformed X-Content-SHA256", "POST", "/v1/objects", with("X-Content-SHA256", "xyz"), "x"},
      {"X-Content-SHA256 one digit short", "POST", "/v1/objects",
       with("X-Content-SHA256", std::string(63, 'a')), "x"},
      {"unknown storage class", "POST", "/v1/objects", with("X-Storage-Class", "warm"), "x"},
      {"unknown storage class (query)",
       "POST",
       "/v1/objects?namespace=e2e&tenant_id=" + tenant + "&storage_class=HOT",
       {},
       "x"},
  };
}

// Every file under the storage root, content and temporary.
std::vector<std::filesystem::path> all_files(const testing::ServerProcess& server) {
  std::vector<std::filesystem::path> files;
  for (const auto& root : {server.hot_root(), server.cold_root()}) {
    for (auto&& list : {testing::content_files(root), testing::temp_files(root)}) {
      files.insert(files.end(), list.begin(), list.end());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("invalid parameters answer 400 invalid_argument", "[e2e][bad-input]") {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  const std::string tenant = testing::unique_name("bad");
  const auto files_before = all_files(shared.server);
  for (const BadRequest& request : bad_requests(tenant)) {
    INFO(request.name << ": " << request.method << " " << request.target);
    require_error(client.request(request.method, request.target, request.headers, request.body),
                  400, "invalid_argument");
  }
  CHECK(client.request("HEAD", "/v1/objects/not-a-uuid", {{"X-Tenant", tenant}}).status == 400);
  CHECK(object_status_counts(shared.database.url(), tenant).empty());
  CHECK(all_files(shared.server) == files_before);
}

TEST_CASE("text PostgreSQL would refuse answers 400, not 500", "[e2e][bad-input]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("text");
  const std::string list = "/v1/objects?namespace=e2e&tenant_id=" + tenant;
  const std::string id = "0b7ae4d4-3b0c-4d8c-9a3e-4cf0e1f7d2a1";
  struct Case {
    std::string name;
    std::string method;
    std::string target;
    std::string body;
  };
  const std::string big = "9223372036854775807";
  for (const Case& c : std::vector<Case>{
           {"invalid UTF-8 in prefix", "GET", list + "&prefix=%FF", ""},
           {"a truncated sequence in prefix", "GET", list + "&prefix=a%C3", ""},
           {"an overlong encoding in prefix", "GET", list + "&prefix=%C0%AF", ""},
           {"NUL in prefix", "GET", list + "&prefix=a%00", ""},
           {"invalid UTF-8 in cursor", "GET", list + "&cursor=%FF", ""},
           {"a cursor whose key is invalid UTF-8", "GET", list + "&cursor=ff." + id, ""},
           {"a cursor whose key holds NUL", "GET", list + "&cursor=6100." + id, ""},
           {"a raw non-ASCII byte in the target", "DELETE", "/v1/admin/api-keys/\xff\xfe", ""},
           {"expires_in_seconds that overflows", "POST", "/v1/admin/api-keys",
            R"({"tenant":"*","scopes":["admin"],"expires_in_seconds":)" + big + "}"},
           {"expires_in_seconds past 100 years", "POST", "/v1/admin/api-keys",
            R"({"tenant":"*","scopes":["admin"],"expires_in_seconds":3200000000})"},
       }) {
    INFO(c.name << ": " << c.method << " " << c.target << " " << c.body);
    require_error(
        client.request(c.method, c.target, {{"Content-Type", "application/json"}}, c.body), 400,
        "invalid_argument");
  }
  // Valid UTF-8 in a prefix is fine.
  CHECK(client.request("GET", list + "&prefix=%E6%97%A5").status == 200);
}

TEST_CASE("downloads carry X-Content-Type-Options: nosniff", "[e2e][bad-input]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("sniff");
  const std::string id = string_field(upload(client, {.tenant = tenant, .key = "page"},
                                             "<html><script>", {{"Content-Type", "text/plain"}}),
                                      "id");
  for (const std::string& target : {"/v1/objects/" + id, by_key_target("e2e", tenant, "page")}) {
    INFO(target);
    const HttpResponse response = client.request("GET", target, {{"X-Tenant", tenant}});
    REQUIRE(response.status == 200);
    CHECK(response.header("X-Content-Type-Options") == "nosniff");
    CHECK(response.header("Content-Type") == "text/plain");
  }
}

TEST_CASE("a key of exactly 1024 bytes is accepted", "[e2e][bad-input]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("bad");
  const std::string key(1024, 'k');
  upload(client, {.tenant = tenant, .key = key}, "boundary");
  const HttpResponse response = client.request("GET", by_key_target("e2e", tenant, key));
  CHECK(response.status == 200);
  CHECK(response.body == "boundary");
}

TEST_CASE("a wrong X-Content-SHA256 answers 400 and stores nothing", "[e2e][bad-input]") {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  const std::string tenant = testing::unique_name("mismatch");
  const std::string content = testing::random_bytes(200 * 1024);
  const std::string hash = testing::sha256_hex(content);
  const std::string claimed = testing::sha256_hex("something else");
  const auto files_before = all_files(shared.server);

  SECTION("with Content-Length") {
    require_error(post_object(client, {.tenant = tenant, .key = "k"}, content,
                              {{"X-Content-SHA256", claimed}}),
                  400, "content_hash_mismatch");
  }
  SECTION("chunked, with the sha256: prefix") {
    Headers headers = object_headers({.tenant = tenant, .key = "k"});
    headers["X-Content-SHA256"] = "sha256:" + claimed;
    require_error(client.request_chunked("POST", "/v1/objects", headers, content, 10'000), 400,
                  "content_hash_mismatch");
  }

  const HttpResponse listing =
      client.request("GET", "/v1/objects?namespace=e2e&tenant_id=" + tenant);
  REQUIRE(listing.status == 200);
  CHECK(parse_object(listing.body).at("objects").as_array().empty());
  CHECK(client.request("GET", by_key_target("e2e", tenant, "k")).status == 404);
  CHECK_FALSE(find_blob(shared.database.url(), "hot", hash).has_value());
  CHECK_FALSE(find_blob(shared.database.url(), "hot", claimed).has_value());
  CHECK(object_status_counts(shared.database.url(), tenant).empty());
  CHECK(all_files(shared.server) == files_before);

  // The key was never taken.
  upload(client, {.tenant = tenant, .key = "k"}, content, {{"X-Content-SHA256", hash}});
}

}  // namespace castor::e2e
