// POST /v1/objects/search and the GET /v1/objects additions (sort=natural, delimiter=,
// content_hash=) over HTTP (docs/SEARCH.md): answers, paging, every 400, tenant isolation.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

HttpResponse search(HttpClient& client, const boost::json::object& body,
                    const testing::Headers& headers = {}) {
  testing::Headers h = headers;
  h["Content-Type"] = "application/json";
  return client.request("POST", "/v1/objects/search", h, boost::json::serialize(body));
}

std::vector<std::string> keys_of(const boost::json::object& page) {
  std::vector<std::string> keys;
  for (const auto& o : page.at("objects").as_array()) {
    keys.push_back(string_field(o.as_object(), "key"));
  }
  return keys;
}

// Every key of the search `body`, following next_cursor.
std::vector<std::string> search_all(HttpClient& client, boost::json::object body) {
  std::vector<std::string> keys;
  for (int guard = 0; guard < 100; ++guard) {
    const HttpResponse r = search(client, body);
    REQUIRE(r.status == 200);
    const auto page = parse_object(r.body);
    for (const std::string& k : keys_of(page)) {
      keys.push_back(k);
    }
    if (page.at("next_cursor").is_null()) {
      CHECK_FALSE(page.contains("total"));
      return keys;
    }
    body["cursor"] = page.at("next_cursor");
  }
  FAIL("search paging did not end");
  return keys;
}

boost::json::object body_of(std::string_view json) { return boost::json::parse(json).as_object(); }

}  // namespace

TEST_CASE("search over HTTP: filters, sorting, paging, count", "[e2e][search]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("search");
  const std::string other = testing::unique_name("search-other");
  for (const std::string key : {"img/cat.png", "img/dog.png", "doc/readme.txt", "doc/b.txt"}) {
    const bool image = key.starts_with("img/");
    upload(client,
           {.tenant = tenant, .key = key, .storage_class = image ? "cold" : std::string("hot")},
           "content of " + key, {{"Content-Type", image ? "image/png" : "text/plain"}});
  }
  // The other tenant holds the same keys: it must never show.
  for (const std::string key : {"img/cat.png", "doc/readme.txt"}) {
    upload(client, {.tenant = other, .key = key}, "other " + key);
  }
  boost::json::object base;
  base["tenant_id"] = tenant;

  SECTION("no filter: the tenant's objects in key order") {
    CHECK(search_all(client, base) ==
          std::vector<std::string>{"doc/b.txt", "doc/readme.txt", "img/cat.png", "img/dog.png"});
  }
  SECTION("each filter") {
    auto with = [&](std::string_view field, boost::json::value v) {
      boost::json::object b = base;
      b[field] = std::move(v);
      return search_all(client, b);
    };
    using V = std::vector<std::string>;
    CHECK(with("key_prefix", "img/") == V{"img/cat.png", "img/dog.png"});
    CHECK(with("key_contains", "read") == V{"doc/readme.txt"});
    CHECK(with("content_type", "image/png") == V{"img/cat.png", "img/dog.png"});
    CHECK(with("storage_class", "cold") == V{"img/cat.png", "img/dog.png"});
    CHECK(with("query", "DOG") == V{"img/dog.png"});
    CHECK(with("namespace", "e2e").size() == 4);
    CHECK(with("namespace", "elsewhere").empty());
    CHECK(with("size_range", body_of(R"({"min": 21, "max": 22})")) ==
          V{"img/cat.png", "img/dog.png"});
    CHECK(with("created_at_range", body_of(R"({"from": "2000-01-01T00:00:00Z"})")).size() == 4);
    CHECK(with("created_at_range", body_of(R"({"to": "2000-01-01T00:00:00Z"})")).empty());
    CHECK(with("metadata", boost::json::object()).size() == 4);  // {} is contained in all
  }
  SECTION("sort by size descending, one per page, with an exact total") {
    boost::json::object b = base;
    b["sort_by"] = "size_bytes";
    b["sort_direction"] = "desc";
    b["limit"] = 1;
    b["count"] = true;
    const HttpResponse r = search(client, b);
    REQUIRE(r.status == 200);
    const auto page = parse_object(r.body);
    CHECK(int_field(page, "total") == 4);
    REQUIRE(page.at("objects").as_array().size() == 1);
    CHECK(string_field(page.at("objects").as_array()[0].as_object(), "key") == "doc/readme.txt");
    b.erase("count");
    // "content of doc/readme.txt" (25) > "content of img/...png" (22, 22, ties by id) > 20.
    const auto keys = search_all(client, b);
    REQUIRE(keys.size() == 4);
    CHECK(keys.front() == "doc/readme.txt");
    CHECK(keys.back() == "doc/b.txt");
  }
  SECTION("the objects are the listing's JSON") {
    const HttpResponse r = search(client, base);
    REQUIRE(r.status == 200);
    const auto page = parse_object(r.body);
    const Listing listing = list_objects(client, "e2e", tenant);
    REQUIRE(listing.objects.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(page.at("objects").as_array()[i].as_object() == listing.objects[i]);
    }
  }
}

TEST_CASE("search over HTTP: bad input is a 400 naming the problem", "[e2e][search]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("search-bad");
  for (int i = 0; i < 3; ++i) {
    upload(client, {.tenant = tenant, .key = "k" + std::to_string(i)}, "x");
  }
  auto bad = [&](std::string_view json, std::string_view mentions) {
    boost::json::object b = body_of(json);
    if (!b.contains("tenant_id")) {
      b["tenant_id"] = tenant;
    }
    const HttpResponse r = search(client, b);
    INFO(json << " -> " << r.body);
    require_error(r, 400, "");
    CHECK(r.body.find(mentions) != std::string::npos);
  };
  bad(R"({"limit": 0})", "limit");
  bad(R"({"limit": 1001})", "limit");
  bad(R"({"limit": "10"})", "limit");
  bad(R"({"colour": "red"})", "colour");
  bad(R"({"size_range": {"min": 5, "max": 4}})", "size_range");
  bad(R"({"size_range": {"min": -1}})", "size_range.min");
  bad(R"({"size_range": {"low": 1}})", "size_range.low");
  bad(R"({"created_at_range": {"from": "yesterday"}})", "created_at_range.from");
  bad(R"({"updated_at_range": {"from": "2024-02-01T00:00:00Z", "to": "2024-01-01T00:00:00Z"}})",
      "updated_at_range");
  bad(R"({"sort_by": "colour"})", "sort_by");
  bad(R"({"sort_direction": "up"})", "sort_direction");
  bad(R"({"metadata": "family=llama"})", "metadata");
  bad(R"({"storage_class": "lukewarm"})", "storage_class");
  bad(R"({"tenant_id": "Not A Tenant"})", "tenant_id");
  bad(R"({"cursor": "garbage"})", "cursor");
  bad(R"({"key_contains": ""})", "key_contains");
  // A cursor from another query shape.
  boost::json::object b = body_of(R"({"limit": 1})");
  b["tenant_id"] = tenant;
  const auto first = parse_object(search(client, b).body);
  REQUIRE(first.at("next_cursor").is_string());
  b["cursor"] = first.at("next_cursor");
  CHECK(search(client, b).status == 200);
  b["sort_by"] = "created_at";
  require_error(search(client, b), 400, "");
  // Not JSON at all; and a '*' credential (auth disabled: anonymous admin) without a tenant.
  require_error(client.request("POST", "/v1/objects/search", {}, "{not json"), 400, "");
  require_error(search(client, boost::json::object()), 400, "");
}

TEST_CASE("listing: sort=natural, delimiter=/ and content_hash= over HTTP", "[e2e][search]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("natural");
  const std::string other = testing::unique_name("natural-other");
  for (const std::string key : {"file10", "file2", "file1", "dir/a", "dir/b", "dir/sub/c"}) {
    upload(client, {.tenant = tenant, .key = key}, "same bytes");
  }
  upload(client, {.ns = "elsewhere", .tenant = tenant, .key = "x"}, "same bytes");
  upload(client, {.tenant = other, .key = "file3"}, "same bytes");
  auto get = [&](const std::string& query) {
    const HttpResponse r = client.request("GET", "/v1/objects?" + query);
    INFO(query << " -> " << r.body);
    REQUIRE(r.status == 200);
    return parse_object(r.body);
  };
  SECTION("natural order, two per page") {
    std::vector<std::string> keys;
    std::string cursor;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = get("namespace=e2e&tenant_id=" + tenant + "&sort=natural&limit=2" +
                      (cursor.empty() ? "" : "&cursor=" + cursor));
      for (const std::string& k : keys_of(page)) {
        keys.push_back(k);
      }
      if (page.at("next_cursor").is_null()) {
        break;
      }
      cursor = std::string(page.at("next_cursor").as_string());
    }
    CHECK(keys ==
          std::vector<std::string>{"dir/a", "dir/b", "dir/sub/c", "file1", "file2", "file10"});
  }
  SECTION("folders") {
    auto page = get("namespace=e2e&tenant_id=" + tenant + "&delimiter=/");
    CHECK(keys_of(page) == std::vector<std::string>{"file1", "file10", "file2"});
    CHECK(page.at("common_prefixes") == boost::json::parse(R"(["dir/"])"));
    page = get("namespace=e2e&tenant_id=" + tenant + "&delimiter=/&prefix=dir/");
    CHECK(keys_of(page) == std::vector<std::string>{"dir/a", "dir/b"});
    CHECK(page.at("common_prefixes") == boost::json::parse(R"(["dir/sub/"])"));
    // Paged one entry at a time: the same entries.
    std::vector<std::string> entries;
    std::string cursor;
    for (int pages = 0; pages < 10; ++pages) {
      page = get("namespace=e2e&tenant_id=" + tenant + "&delimiter=/&limit=1" +
                 (cursor.empty() ? "" : "&cursor=" + cursor));
      for (const std::string& k : keys_of(page)) {
        entries.push_back(k);
      }
      for (const auto& p : page.at("common_prefixes").as_array()) {
        entries.emplace_back(p.as_string());
      }
      if (page.at("next_cursor").is_null()) {
        break;
      }
      cursor = std::string(page.at("next_cursor").as_string());
    }
    CHECK(entries == std::vector<std::string>{"dir/", "file1", "file10", "file2"});
  }
  SECTION("by content: the tenant's objects in every namespace, never another tenant's") {
    const std::string hash = testing::sha256_hex("same bytes");
    auto page = get("tenant_id=" + tenant + "&content_hash=" + hash);
    CHECK(page.at("objects").as_array().size() == 7);
    for (const auto& o : page.at("objects").as_array()) {
      CHECK(string_field(o.as_object(), "tenant_id") == tenant);
    }
    page = get("tenant_id=" + other + "&content_hash=" + hash);
    CHECK(keys_of(page) == std::vector<std::string>{"file3"});
  }
  SECTION("400s") {
    const std::string t = "namespace=e2e&tenant_id=" + tenant;
    require_error(client.request("GET", "/v1/objects?" + t + "&content_hash=abc"), 400, "");
    require_error(
        client.request("GET", "/v1/objects?" + t + "&content_hash=" + std::string(64, 'G')), 400,
        "");
    require_error(client.request("GET", "/v1/objects?" + t + "&sort=size"), 400, "");
    require_error(client.request("GET", "/v1/objects?" + t + "&sort=natural&delimiter=/"), 400, "");
    require_error(client.request("GET", "/v1/objects?" + t + "&delimiter=/&cursor=zz"), 400, "");
  }
}

TEST_CASE("search is tenant-isolated: a tenant's credential sees and names only its own tenant",
          "[e2e][search][auth]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const std::string a = testing::unique_name("iso-a");
  const std::string b = testing::unique_name("iso-b");
  const std::string scopes = "objects:read objects:write";
  const std::string jwt_a = hs256_jwt(jwt_claims(a, scopes));
  const std::string jwt_b = hs256_jwt(jwt_claims(b, scopes));
  upload(client, {.tenant = a, .key = "secret/a"}, "a's", bearer(jwt_a));
  upload(client, {.tenant = b, .key = "secret/b"}, "b's", bearer(jwt_b));
  // Without tenant_id: the credential's own tenant.
  HttpResponse r = search(client, body_of(R"({"key_prefix": "secret/"})"), bearer(jwt_b));
  REQUIRE(r.status == 200);
  CHECK(keys_of(parse_object(r.body)) == std::vector<std::string>{"secret/b"});
  // Naming another tenant: 403, nothing listed.
  boost::json::object other;
  other["tenant_id"] = a;
  require_error(search(client, other, bearer(jwt_b)), 403, "");
  // No credential: 401.
  require_error(search(client, other), 401, "");
  // The content-hash listing is authorised the same way.
  require_error(
      client.request("GET",
                     "/v1/objects?tenant_id=" + a + "&content_hash=" + testing::sha256_hex("a's"),
                     bearer(jwt_b)),
      403, "");
}

}  // namespace castor::e2e
