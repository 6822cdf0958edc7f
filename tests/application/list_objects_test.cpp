#include "application/list_objects.h"

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "application/delete_object.h"
#include "application/upload_object.h"
#include "fakes/fake_store.h"

namespace castor {
namespace {

const Namespace kNs = *Namespace::parse("ns");
const TenantId kTenant = *TenantId::parse("t1");

UploadObject::Request request(std::optional<ObjectKey> key) {
  return {
      .ns = kNs, .tenant = kTenant, .key = std::move(key), .content_type = {}, .expected_hash = {}};
}

struct World : testing::FakeStore {
  ListObjects lists{metadata};

  // Commits an object with `key` ("" = keyless, content = key) in (ns, tenant).
  Object put(std::string_view key, const Namespace& ns = kNs, const TenantId& tenant = kTenant) {
    return FakeStore::put(ns, tenant, key, key);
  }

  // Walks every page of the listing and returns the keys ("" for keyless) in order.
  std::vector<std::string> walk(std::size_t limit, const std::string& prefix = "") {
    std::vector<std::string> keys;
    std::optional<std::string> cursor;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = lists.list(kNs, kTenant, prefix, limit, cursor);
      REQUIRE(page);
      CHECK(page->objects.size() <= limit);
      for (const Object& o : page->objects) {
        keys.push_back(o.key() ? o.key()->str() : "");
      }
      if (!page->next_cursor) {
        return keys;
      }
      CHECK(page->objects.size() == limit);
      cursor = page->next_cursor;
    }
    FAIL("the listing does not end");
    return keys;
  }
};

std::vector<std::string> keys_of(const std::vector<Object>& objects) {
  std::vector<std::string> keys;
  for (const Object& o : objects) {
    keys.push_back(o.key() ? o.key()->str() : "");
  }
  return keys;
}

}  // namespace

TEST_CASE("list orders by key bytes, keyless objects first, then by id", "[unit]") {
  World w;
  for (const char* key : {"b", "a/b", "", "\xc3\xa9", "B", "a", "", "a.b"}) {
    w.put(key);
  }
  auto page = w.lists.list(kNs, kTenant, "", 100, std::nullopt);
  REQUIRE(page);
  CHECK(keys_of(page->objects) ==
        std::vector<std::string>{"", "", "B", "a", "a.b", "a/b", "b", "\xc3\xa9"});
  CHECK(page->objects[0].id() < page->objects[1].id());
  CHECK_FALSE(page->next_cursor);
}

TEST_CASE("list shows only the committed objects of the namespace and tenant", "[unit]") {
  World w;
  w.put("mine");
  w.put("theirs", kNs, *TenantId::parse("t2"));
  w.put("elsewhere", *Namespace::parse("ns2"), kTenant);
  const Object deleted = w.put("deleted");
  DeleteObject deletes(w.metadata, w.clock);
  REQUIRE(deletes.by_id(kTenant, deleted.id()));
  auto writing = w.uploads.begin(request(*ObjectKey::parse("writing")), std::nullopt);
  REQUIRE(writing);

  auto page = w.lists.list(kNs, kTenant, "", 100, std::nullopt);
  REQUIRE(page);
  CHECK(keys_of(page->objects) == std::vector<std::string>{"mine"});
}

TEST_CASE("walking the cursors returns every object exactly once", "[unit]") {
  World w;
  std::vector<std::string> expected;
  for (int i = 0; i < 23; ++i) {
    const std::string key = i % 5 == 0 ? "" : "k" + std::to_string(100 + i);
    w.put(key);
    expected.push_back(key);
  }
  std::sort(expected.begin(), expected.end());
  for (std::size_t limit : {1, 2, 5, 7, 22, 23, 24, 1000}) {
    INFO("limit " << limit);
    CHECK(w.walk(limit) == expected);
  }
}

TEST_CASE("a page that ends the listing exactly has no cursor", "[unit]") {
  World w;
  for (const char* key : {"a", "b", "c", "d"}) {
    w.put(key);
  }
  auto first = w.lists.list(kNs, kTenant, "", 2, std::nullopt);
  REQUIRE(first);
  REQUIRE(first->next_cursor);
  auto second = w.lists.list(kNs, kTenant, "", 2, first->next_cursor);
  REQUIRE(second);
  CHECK(keys_of(second->objects) == std::vector<std::string>{"c", "d"});
  CHECK_FALSE(second->next_cursor);
}

TEST_CASE("a cursor stays valid when its object is deleted", "[unit]") {
  World w;
  std::vector<Object> objects;
  for (const char* key : {"a", "b", "c", "d"}) {
    objects.push_back(w.put(key));
  }
  auto first = w.lists.list(kNs, kTenant, "", 2, std::nullopt);
  REQUIRE(first);
  DeleteObject deletes(w.metadata, w.clock);
  REQUIRE(deletes.by_id(kTenant, objects[1].id()));
  w.put("bb");
  auto second = w.lists.list(kNs, kTenant, "", 10, first->next_cursor);
  REQUIRE(second);
  CHECK(keys_of(second->objects) == std::vector<std::string>{"bb", "c", "d"});
}

TEST_CASE("list filters by key prefix", "[unit]") {
  World w;
  for (const char* key : {"", "photos/a", "photos/b", "photos", "photo", "videos/a", "photos/c"}) {
    w.put(key);
  }
  CHECK(w.walk(2, "photos/") == std::vector<std::string>{"photos/a", "photos/b", "photos/c"});
  CHECK(w.walk(100, "photo") ==
        std::vector<std::string>{"photo", "photos", "photos/a", "photos/b", "photos/c"});
  CHECK(w.walk(100, "x").empty());
}

TEST_CASE("list refuses limits outside 1..1000", "[unit]") {
  World w;
  w.put("a");
  for (std::size_t limit : {0, 1001}) {
    auto page = w.lists.list(kNs, kTenant, "", limit, std::nullopt);
    REQUIRE_FALSE(page);
    CHECK(page.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK(w.lists.list(kNs, kTenant, "", 1, std::nullopt));
  CHECK(w.lists.list(kNs, kTenant, "", 1000, std::nullopt));
}

TEST_CASE("list refuses malformed cursors", "[unit]") {
  World w;
  const std::string id = "0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f";
  for (const std::string& cursor :
       {std::string(), std::string("abc"), "61" + id, "zz." + id, "616." + id,
        std::string("61.not-a-uuid"), std::string("61."),
        std::string("61.0b5e3f1c-2a4d-1c6e-9f80-1a2b3c4d5e6f"), "61." + id + ".",
        // Well-formed, but the key is no key: invalid UTF-8, NUL, a control character.
        "ff." + id, "61c3." + id, "6100." + id, "6101." + id}) {
    INFO(cursor);
    auto page = w.lists.list(kNs, kTenant, "", 10, cursor);
    REQUIRE_FALSE(page);
    CHECK(page.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("cursors encode the key bytes and the id", "[unit]") {
  const ObjectId id = *ObjectId::parse("0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f");
  for (const std::string& key : {std::string(), std::string("a.b/c"), std::string("\xc3\xa9")}) {
    const std::string cursor = ListObjects::encode_cursor({key, id});
    auto decoded = ListObjects::decode_cursor(cursor);
    REQUIRE(decoded);
    CHECK(decoded->key == key);
    CHECK(decoded->id == id);
  }
  CHECK(ListObjects::encode_cursor({"a.", id}) == "612e." + id.to_string());
}

}  // namespace castor
