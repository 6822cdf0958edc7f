// Content addressing: identical content is stored once per storage class, reference-counted in
// the blobs table, and removed by the garbage collector only when nothing refers to it.

#include <string>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "e2e/storage_state.h"
#include "e2e/storage_view.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;

// How many entries named `hash` the server has stored anywhere (both classes, temp entries),
// as files or as S3 objects.
int copies_named(const StorageView& view, const std::string& hash) {
  int count = 0;
  for (const char* storage_class : {"hot", "cold"}) {
    for (const auto& entries :
         {view.content_entries(storage_class), view.temp_entries(storage_class)}) {
      for (const StoredEntry& entry : entries) {
        count += entry.name == hash || entry.name.ends_with("/" + hash) ? 1 : 0;
      }
    }
  }
  return count;
}

std::int64_t ref_count(const std::string& storage_class, const std::string& hash) {
  const auto blob = find_blob(shared_server().database.url(), storage_class, hash);
  REQUIRE(blob.has_value());
  return blob->ref_count;
}

}  // namespace

TEST_CASE("two keys with the same content share one file until both are deleted and collected",
          "[e2e][dedup][backend]") {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  const std::string tenant = testing::unique_name("dedup");
  const std::string content = testing::random_bytes(100 * 1024);
  const std::string hash = testing::sha256_hex(content);
  const StorageView view = StorageView::of(shared.server);

  const auto first = upload(client, {.tenant = tenant, .key = "first"}, content);
  const auto second = upload(client, {.tenant = tenant, .key = "second"}, content);
  CHECK(string_field(first, "content_hash") == "sha256:" + hash);
  CHECK(string_field(second, "content_hash") == "sha256:" + hash);
  CHECK(string_field(first, "id") != string_field(second, "id"));
  CHECK(view.has_content("hot", hash));
  CHECK(copies_named(view, hash) == 1);
  const auto blob = find_blob(shared.database.url(), "hot", hash);
  REQUIRE(blob.has_value());
  CHECK(blob->ref_count == 2);
  CHECK(blob->size_bytes == static_cast<std::int64_t>(content.size()));

  REQUIRE(by_id(client, "DELETE", string_field(first, "id"), tenant).status == 204);
  CHECK(ref_count("hot", hash) == 1);
  run_gc(client);
  CHECK(view.has_content("hot", hash));
  CHECK(ref_count("hot", hash) == 1);
  CHECK(by_id(client, "GET", string_field(first, "id"), tenant).status == 404);
  const auto remaining = by_id(client, "GET", string_field(second, "id"), tenant);
  REQUIRE(remaining.status == 200);
  CHECK((remaining.body == content));

  REQUIRE(client.request("DELETE", by_key_target("e2e", tenant, "second")).status == 204);
  CHECK(ref_count("hot", hash) == 0);
  const boost::json::object counts = run_gc(client);
  CHECK(int_field(counts, "deleted_blobs") >= 1);
  CHECK(int_field(counts, "reclaimed_bytes") >= static_cast<std::int64_t>(content.size()));
  CHECK(int_field(counts, "tombstoned_objects") >= 1);
  CHECK_FALSE(view.has_content("hot", hash));
  CHECK(copies_named(view, hash) == 0);
  CHECK_FALSE(find_blob(shared.database.url(), "hot", hash).has_value());
  CHECK(object_status_counts(shared.database.url(), tenant) ==
        std::map<std::string, std::int64_t>{{"DELETED", 2}});
}

TEST_CASE("content uploaded again after its last reference was dropped survives GC",
          "[e2e][dedup][backend]") {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  const std::string tenant = testing::unique_name("dedup");
  const std::string content = testing::random_bytes(10 * 1024);
  const std::string hash = testing::sha256_hex(content);

  const auto old_object = upload(client, {.tenant = tenant, .key = "old"}, content);
  REQUIRE(by_id(client, "DELETE", string_field(old_object, "id"), tenant).status == 204);
  CHECK(ref_count("hot", hash) == 0);
  const auto new_object = upload(client, {.tenant = tenant, .key = "new"}, content);
  CHECK(ref_count("hot", hash) == 1);

  run_gc(client);
  CHECK((stored_bytes(shared.database.url(), StorageView::of(shared.server), "hot", hash) ==
         content));
  CHECK(ref_count("hot", hash) == 1);
  const auto response = by_id(client, "GET", string_field(new_object, "id"), tenant);
  REQUIRE(response.status == 200);
  CHECK((response.body == content));
}

TEST_CASE("the same content is shared across tenants but not across storage classes",
          "[e2e][dedup][backend]") {
  SharedServer& shared = shared_server();
  HttpClient client = shared.server.client();
  const std::string content = testing::random_bytes(2048);
  const std::string hash = testing::sha256_hex(content);

  upload(client, {.tenant = testing::unique_name("dedup-a")}, content);
  upload(client, {.tenant = testing::unique_name("dedup-b")}, content);
  upload(client, {.tenant = testing::unique_name("dedup-c"), .storage_class = "cold"}, content);

  CHECK(ref_count("hot", hash) == 2);
  CHECK(ref_count("cold", hash) == 1);
  // One copy per class (2 KiB: in each class's blob row).
  CHECK((stored_bytes(shared.database.url(), StorageView::of(shared.server), "hot", hash) ==
         content));
  CHECK((stored_bytes(shared.database.url(), StorageView::of(shared.server), "cold", hash) ==
         content));
}

}  // namespace castor::e2e
