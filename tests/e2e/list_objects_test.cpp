// GET /v1/objects: prefix filtering, ordering, keyset pagination through next_cursor, limits.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;

std::vector<std::string> keys_of(const Listing& listing) {
  std::vector<std::string> keys;
  for (const auto& object : listing.objects) {
    keys.push_back(object.at("key").is_null() ? std::string("<null>")
                                              : string_field(object, "key"));
  }
  return keys;
}

}  // namespace

TEST_CASE("listing pages through a prefix in key order and returns each object's JSON",
          "[e2e][list]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("list");
  std::map<std::string, boost::json::object> uploaded;  // by id
  std::vector<std::string> keys;
  for (int i = 0; i < 12; ++i) {
    keys.push_back("list/a/" + std::string(i < 10 ? "0" : "") + std::to_string(i));
  }
  for (int i = 0; i < 5; ++i) {
    keys.push_back("list/b/0" + std::to_string(i));
  }
  keys.push_back("other/x");
  keys.push_back("list/a");  // shorter than the prefix "list/a/": not in it
  std::shuffle(keys.begin(), keys.end(), std::mt19937(42));
  for (const std::string& key : keys) {
    auto json = upload(client, {.tenant = tenant, .key = key}, "content of " + key);
    uploaded[string_field(json, "id")] = std::move(json);
  }
  std::vector<std::string> keyless_ids;
  for (int i = 0; i < 2; ++i) {
    auto json = upload(client, {.tenant = tenant}, testing::random_bytes(10));
    keyless_ids.push_back(string_field(json, "id"));
    uploaded[keyless_ids.back()] = std::move(json);
  }
  std::sort(keyless_ids.begin(), keyless_ids.end());
  REQUIRE(client.request("DELETE", by_key_target("e2e", tenant, "list/a/05")).status == 204);

  SECTION("a prefix, five per page") {
    const Listing listing = list_objects(client, "e2e", tenant, "list/a/", 5);
    std::vector<std::string> expected;
    for (int i = 0; i < 12; ++i) {
      if (i != 5) {
        expected.push_back("list/a/" + std::string(i < 10 ? "0" : "") + std::to_string(i));
      }
    }
    CHECK(keys_of(listing) == expected);
    CHECK(listing.pages == 3);
  }

  SECTION("everything, keyless objects first, four per page, with the upload's JSON") {
    const Listing listing = list_objects(client, "e2e", tenant, "", 4);
    std::vector<std::string> expected_keys = {"<null>", "<null>"};
    for (const std::string& key : keys) {
      if (key != "list/a/05") {
        expected_keys.push_back(key);
      }
    }
    std::sort(expected_keys.begin() + 2, expected_keys.end());
    CHECK(keys_of(listing) == expected_keys);
    REQUIRE(listing.objects.size() == expected_keys.size());
    CHECK(string_field(listing.objects[0], "id") == keyless_ids[0]);
    CHECK(string_field(listing.objects[1], "id") == keyless_ids[1]);
    for (const auto& object : listing.objects) {
      const std::string id = string_field(object, "id");
      INFO("listed " << boost::json::serialize(object));
      REQUIRE(uploaded.contains(id));
      CHECK(object == uploaded.at(id));
    }
  }

  SECTION("one per page") {
    const Listing listing = list_objects(client, "e2e", tenant, "list/b/", 1);
    CHECK(keys_of(listing) == std::vector<std::string>{"list/b/00", "list/b/01", "list/b/02",
                                                       "list/b/03", "list/b/04"});
  }

  SECTION("the largest limit") {
    const Listing listing = list_objects(client, "e2e", tenant, "", 1000);
    CHECK(listing.objects.size() == keys.size() + 2 - 1);
    CHECK(listing.pages == 1);
  }
}

TEST_CASE("a prefix is matched literally, not as a pattern", "[e2e][list]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("list");
  for (const std::string key : {"pct_1", "pctX1", "pct%2", "pct%", "PCT_1", "pc"}) {
    upload(client, {.tenant = tenant, .key = key}, key);
  }
  CHECK(keys_of(list_objects(client, "e2e", tenant, "pct_", 10)) ==
        std::vector<std::string>{"pct_1"});
  CHECK(keys_of(list_objects(client, "e2e", tenant, "pct%", 10)) ==
        std::vector<std::string>{"pct%", "pct%2"});
  CHECK(keys_of(list_objects(client, "e2e", tenant, "pct", 10)) ==
        std::vector<std::string>{"pct%", "pct%2", "pctX1", "pct_1"});
}

TEST_CASE("listing rejects bad limits, cursors and missing parameters", "[e2e][list]") {
  HttpClient client = shared_server().server.client();
  const std::string base = "/v1/objects?namespace=e2e&tenant_id=" + testing::unique_name("list");
  for (const std::string query : {"&limit=0", "&limit=1001", "&limit=ten", "&limit=-1",
                                  "&limit=10abc", "&cursor=not-a-cursor!"}) {
    INFO("query " << query);
    require_error(client.request("GET", base + query), 400, "invalid_argument");
  }
  require_error(client.request("GET", "/v1/objects?namespace=e2e"), 400, "invalid_argument");
  require_error(client.request("GET", "/v1/objects?tenant_id=t"), 400, "invalid_argument");
}

}  // namespace castor::e2e
