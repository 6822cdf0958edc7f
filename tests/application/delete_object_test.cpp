#include "application/delete_object.h"

#include <span>
#include <string_view>

#include <catch2/catch.hpp>

#include "application/upload_object.h"
#include "fakes/fake_store.h"

namespace castor {
namespace {

const Namespace kNs = *Namespace::parse("ns");
const TenantId kTenant = *TenantId::parse("t1");
const TenantId kOther = *TenantId::parse("t2");

UploadObject::Request request(std::optional<ObjectKey> key) {
  return {
      .ns = kNs, .tenant = kTenant, .key = std::move(key), .content_type = {}, .expected_hash = {}};
}

struct World : testing::FakeStore {
  DeleteObject deletes{metadata, clock};

  Object put(std::string_view key, std::string_view content) {
    return FakeStore::put(kNs, kTenant, key, content);
  }

  std::uint64_t ref_count(const Object& o) {
    return metadata.blob(o.storage_class(), *o.content_hash())->ref_count();
  }
};

void check_not_found(const Status& s) {
  REQUIRE_FALSE(s);
  CHECK(s.error().code == ErrorCode::kNotFound);
}

}  // namespace

TEST_CASE("delete marks the object DELETING and releases its blob", "[unit]") {
  World w;
  const Object o = w.put("k", "content");
  w.clock.advance(std::chrono::seconds(3));
  REQUIRE(w.deletes.by_id(kTenant, o.id()));
  auto stored = w.metadata.object(o.id());
  REQUIRE(stored);
  CHECK(stored->status() == ObjectStatus::kDeleting);
  CHECK(stored->updated_at() == testing::FakeClock::kStart + std::chrono::seconds(3));
  CHECK(w.ref_count(o) == 0);
  // The file stays until the collector runs.
  CHECK(w.blobs.has_content(StorageClass::kHot, *o.content_hash()));
  check_not_found(w.deletes.by_id(kTenant, o.id()));
  CHECK(w.ref_count(o) == 0);
}

TEST_CASE("delete by key", "[unit]") {
  World w;
  const Object o = w.put("a/b", "content");
  const ObjectKey key = *ObjectKey::parse("a/b");
  check_not_found(w.deletes.by_key(kNs, kOther, key));
  check_not_found(w.deletes.by_key(*Namespace::parse("other"), kTenant, key));
  REQUIRE(w.deletes.by_key(kNs, kTenant, key));
  CHECK(w.metadata.object(o.id())->status() == ObjectStatus::kDeleting);
  check_not_found(w.deletes.by_key(kNs, kTenant, key));
}

TEST_CASE("deleting one of two objects with the same content keeps one reference", "[unit]") {
  World w;
  const Object a = w.put("a", "shared");
  const Object b = w.put("b", "shared");
  CHECK(w.ref_count(a) == 2);
  REQUIRE(w.deletes.by_id(kTenant, a.id()));
  CHECK(w.ref_count(b) == 1);
  REQUIRE(w.deletes.by_id(kTenant, b.id()));
  CHECK(w.ref_count(b) == 0);
}

TEST_CASE("delete refuses other tenants, unknown ids and objects not committed", "[unit]") {
  World w;
  const Object o = w.put("k", "content");
  check_not_found(w.deletes.by_id(kOther, o.id()));
  CHECK(w.metadata.object(o.id())->status() == ObjectStatus::kCommitted);
  CHECK(w.ref_count(o) == 1);

  check_not_found(
      w.deletes.by_id(kTenant, *ObjectId::parse("0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f")));

  auto upload = w.uploads.begin(request(*ObjectKey::parse("w")), std::nullopt);
  REQUIRE(upload);
  check_not_found(w.deletes.by_id(kTenant, (*upload)->object().id()));
  CHECK(w.metadata.object((*upload)->object().id())->status() == ObjectStatus::kWriting);
}

TEST_CASE("a failed delete changes nothing", "[unit]") {
  World w;
  const Object o = w.put("k", "content");
  SECTION("the transaction fails") {
    w.metadata.fail_next(1, {ErrorCode::kUnavailable, "down"},
                         testing::MemoryMetadataStore::FailAt::kCommit);
    auto s = w.deletes.by_id(kTenant, o.id());
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::kUnavailable);
    CHECK(w.ref_count(o) == 1);
  }
  SECTION("the blob row is missing: a broken invariant, rolled back") {
    REQUIRE(w.metadata.transact([&](MetadataTransaction& tx) -> Status {
      if (auto b = tx.blobs().release(StorageClass::kHot, *o.content_hash()); !b) {
        return std::move(b).error();
      }
      return tx.blobs()
                     .remove_unreferenced(StorageClass::kHot, *o.content_hash(), w.clock.now())
                     .has_value()
                 ? Status()
                 : internal_error("remove");
    }));
    auto s = w.deletes.by_id(kTenant, o.id());
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::kInternal);
  }
  CHECK(w.metadata.object(o.id())->status() == ObjectStatus::kCommitted);
}

}  // namespace castor
