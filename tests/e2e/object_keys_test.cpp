// Keys and tenants: uniqueness among live objects, isolation between tenants, deletion, and the
// by-key routes with keys that need percent-encoding.

#include <string>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

void require_body(const HttpResponse& response, std::string_view content) {
  INFO("response: " << response.status);
  REQUIRE(response.status == 200);
  CHECK((response.body == content));
}

}  // namespace

TEST_CASE("a key in use answers 409 and is free again once its object is deleted", "[e2e][keys]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("keys");
  const ObjectParams params{.tenant = tenant, .key = "report.pdf"};
  const std::string id = string_field(upload(client, params, "version 1"), "id");

  require_error(post_object(client, params, "version 2"), 409, "already_exists");
  require_body(by_id(client, "GET", id, tenant), "version 1");

  // The same key is independent in another tenant and in another namespace.
  upload(client, {.tenant = testing::unique_name("keys"), .key = "report.pdf"}, "other tenant");
  upload(client, {.ns = "e2e-other", .tenant = tenant, .key = "report.pdf"}, "other namespace");

  REQUIRE(by_id(client, "DELETE", id, tenant).status == 204);
  const std::string new_id = string_field(upload(client, params, "version 3"), "id");
  CHECK(new_id != id);
  require_body(client.request("GET", by_key_target("e2e", tenant, "report.pdf")), "version 3");
  require_error(by_id(client, "GET", id, tenant), 404, "not_found");
}

TEST_CASE("another tenant gets 404 for an object, which stays untouched", "[e2e][keys]") {
  HttpClient client = shared_server().server.client();
  const std::string owner = testing::unique_name("owner");
  const std::string intruder = testing::unique_name("intruder");
  const std::string content = testing::random_bytes(512);
  const std::string id =
      string_field(upload(client, {.tenant = owner, .key = "secret"}, content), "id");

  require_error(by_id(client, "GET", id, intruder), 404, "not_found");
  require_error(by_id(client, "DELETE", id, intruder), 404, "not_found");
  const HttpResponse head = by_id(client, "HEAD", id, intruder);
  CHECK(head.status == 404);
  CHECK(head.body.empty());
  require_error(client.request("GET", by_key_target("e2e", intruder, "secret")), 404, "not_found");
  require_error(client.request("DELETE", by_key_target("e2e", intruder, "secret")), 404,
                "not_found");
  const HttpResponse listing =
      client.request("GET", "/v1/objects?namespace=e2e&tenant_id=" + intruder);
  REQUIRE(listing.status == 200);
  CHECK(parse_object(listing.body).at("objects").as_array().empty());

  require_body(by_id(client, "GET", id, owner), content);
  require_body(client.request("GET", by_key_target("e2e", owner, "secret")), content);
}

TEST_CASE("delete answers 204 once, then 404, and the object is gone", "[e2e][keys]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("delete");
  const std::string id = string_field(upload(client, {.tenant = tenant, .key = "k"}, "x"), "id");

  const HttpResponse deleted = by_id(client, "DELETE", id, tenant);
  CHECK(deleted.status == 204);
  CHECK(deleted.body.empty());
  CHECK_FALSE(deleted.header("X-Request-Id").empty());
  require_error(by_id(client, "DELETE", id, tenant), 404, "not_found");
  require_error(by_id(client, "GET", id, tenant), 404, "not_found");
  CHECK(by_id(client, "HEAD", id, tenant).status == 404);
  require_error(client.request("GET", by_key_target("e2e", tenant, "k")), 404, "not_found");
  require_error(client.request("DELETE", by_key_target("e2e", tenant, "k")), 404, "not_found");
}

TEST_CASE("by-key routes take keys with slashes and percent-encoded characters", "[e2e][keys]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("bykey");
  const std::string key = "dir/sub dir/na%me+1 \xc3\xa9t\xc3\xa9 \xe3\x83\x95.txt";
  const std::string content = testing::random_bytes(300);
  const HttpResponse created = client.request(
      "POST",
      "/v1/objects?namespace=e2e&tenant_id=" + tenant + "&key=" + testing::percent_encode(key), {},
      content);
  REQUIRE(created.status == 201);
  CHECK(string_field(parse_object(created.body), "key") == key);

  const std::string target = by_key_target("e2e", tenant, key);
  CHECK(target.find("/dir/sub%20dir/na%25me%2B1%20%C3%A9t") != std::string::npos);
  require_body(client.request("GET", target), content);

  // An encoded slash is the same key as a literal one.
  std::string encoded_slashes = "/v1/objects/by-key/e2e/" + tenant + "/" +
                                testing::percent_encode(key, /*keep_slashes=*/false);
  require_body(client.request("GET", encoded_slashes), content);

  const HttpResponse head = client.request("HEAD", target);
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.header("Content-Length") == std::to_string(content.size()));

  // A key that is a prefix of the stored one names nothing.
  require_error(client.request("GET", by_key_target("e2e", tenant, "dir/sub dir")), 404,
                "not_found");

  REQUIRE(client.request("DELETE", target).status == 204);
  require_error(client.request("GET", target), 404, "not_found");
}

}  // namespace castor::e2e
