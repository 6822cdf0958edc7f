// Conditional and partial downloads: Range (206 / 416), If-None-Match (304), and HEAD.

#include <string>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

constexpr std::size_t kSize = 100'000;

struct StoredObject {
  std::string tenant{};
  std::string id{};
  std::string key{};
  std::string content{};
  std::string hash{};
};

StoredObject store(HttpClient& client, std::size_t size) {
  StoredObject object{.tenant = testing::unique_name("range"),
                      .key = "ranged.bin",
                      .content = testing::random_bytes(size)};
  object.hash = testing::sha256_hex(object.content);
  object.id = string_field(upload(client, {.tenant = object.tenant, .key = object.key},
                                  object.content, {{"Content-Type", "application/x-test"}}),
                           "id");
  return object;
}

void check_partial(const HttpResponse& response, const StoredObject& object, std::size_t first,
                   std::size_t last) {
  INFO("response: " << response.status << ", Content-Range " << response.header("Content-Range"));
  REQUIRE(response.status == 206);
  CHECK(response.header("Content-Range") == "bytes " + std::to_string(first) + "-" +
                                                std::to_string(last) + "/" +
                                                std::to_string(object.content.size()));
  CHECK(response.header("Content-Length") == std::to_string(last - first + 1));
  CHECK(response.header("Content-Type") == "application/x-test");
  CHECK(response.header("ETag") == "\"" + object.hash + "\"");
  CHECK((response.body == object.content.substr(first, last - first + 1)));
}

HttpResponse get_range(HttpClient& client, const StoredObject& object, const std::string& range) {
  return by_id(client, "GET", object.id, object.tenant, {{"Range", "bytes=" + range}});
}

}  // namespace

TEST_CASE("Range requests return the requested bytes with 206", "[e2e][range][backend]") {
  HttpClient client = shared_server().server.client();
  const StoredObject object = store(client, kSize);
  const std::string size = std::to_string(kSize);

  check_partial(get_range(client, object, "0-9"), object, 0, 9);
  check_partial(get_range(client, object, "0-0"), object, 0, 0);
  check_partial(get_range(client, object, "40000-59999"), object, 40000, 59999);
  check_partial(get_range(client, object, "-10"), object, kSize - 10, kSize - 1);
  check_partial(get_range(client, object, "99995-"), object, kSize - 5, kSize - 1);
  check_partial(get_range(client, object, "0-"), object, 0, kSize - 1);
  // A last byte beyond the end is clipped, and a suffix longer than the object means all of it.
  check_partial(get_range(client, object, "99990-200000"), object, kSize - 10, kSize - 1);
  check_partial(get_range(client, object, "-200000"), object, 0, kSize - 1);
  // The by-key route serves ranges too.
  check_partial(client.request("GET", by_key_target("e2e", object.tenant, object.key),
                               {{"Range", "bytes=1-3"}}),
                object, 1, 3);
}

TEST_CASE("an unsatisfiable Range answers 416 with the object's size", "[e2e][range][backend]") {
  HttpClient client = shared_server().server.client();
  const StoredObject object = store(client, kSize);
  for (const std::string range : {"100000-", "100000-100005", "200000-300000"}) {
    INFO("Range: bytes=" << range);
    const HttpResponse response = get_range(client, object, range);
    require_error(response, 416, "");
    CHECK(response.header("Content-Range") == "bytes */" + std::to_string(kSize));
  }
  const StoredObject empty = store(client, 0);
  const HttpResponse response = get_range(client, empty, "0-");
  require_error(response, 416, "");
  CHECK(response.header("Content-Range") == "bytes */0");
}

TEST_CASE("If-None-Match with the current ETag answers 304 without a body",
          "[e2e][range][backend]") {
  HttpClient client = shared_server().server.client();
  const StoredObject object = store(client, 1000);
  const std::string etag = "\"" + object.hash + "\"";
  for (const std::string method : {"GET", "HEAD"}) {
    for (const std::string& condition : {etag, std::string("*"), "\"other\", " + etag}) {
      INFO(method << " If-None-Match: " << condition);
      const HttpResponse response =
          by_id(client, method, object.id, object.tenant, {{"If-None-Match", condition}});
      CHECK(response.status == 304);
      CHECK(response.body.empty());
      CHECK(response.header("ETag") == etag);
      CHECK_FALSE(response.header("X-Request-Id").empty());
    }
  }
  const HttpResponse other =
      by_id(client, "GET", object.id, object.tenant, {{"If-None-Match", "\"something-else\""}});
  CHECK(other.status == 200);
  CHECK((other.body == object.content));
}

TEST_CASE("HEAD answers with the headers of GET and no body", "[e2e][range][backend]") {
  HttpClient client = shared_server().server.client();
  const StoredObject object = store(client, 5000);
  for (const std::string& target : {"/v1/objects/" + object.id + "?tenant_id=" + object.tenant,
                                    by_key_target("e2e", object.tenant, object.key)}) {
    INFO("HEAD " << target);
    const HttpResponse head = client.request("HEAD", target);
    REQUIRE(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.header("Content-Length") == "5000");
    CHECK(head.header("Content-Type") == "application/x-test");
    CHECK(head.header("ETag") == "\"" + object.hash + "\"");
    CHECK(head.header("X-Content-Hash") == object.hash);
    CHECK(head.header("Accept-Ranges") == "bytes");
    CHECK_FALSE(head.header("Last-Modified").empty());
    CHECK_FALSE(head.header("X-Request-Id").empty());
  }
  // The connection is still in step: a GET right after the HEADs gets the whole body.
  const HttpResponse get = by_id(client, "GET", object.id, object.tenant);
  CHECK((get.body == object.content));
}

}  // namespace castor::e2e
