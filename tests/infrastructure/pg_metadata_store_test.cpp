#include <atomic>
#include <future>
#include <thread>

#include <catch2/catch.hpp>

#include "infrastructure/migrator.h"
#include "pg_fixture.h"

namespace castor::testing {
namespace {

const Namespace kNs = *Namespace::parse("docs");
const TenantId kTenant = *TenantId::parse("acme");
const ContentHash kHash =
    *ContentHash::parse("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
const ContentHash kOtherHash =
    *ContentHash::parse("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");

Timestamp at(int seconds) { return Timestamp{} + std::chrono::seconds(1'700'000'000 + seconds); }

ObjectId id_of(std::uint8_t n) {
  ObjectId::Bytes bytes{};
  bytes[15] = n;
  return ObjectId::from_random(bytes);
}

Object writing(std::uint8_t n, std::optional<std::string> key = std::nullopt, int t = 0) {
  std::optional<ObjectKey> k;
  if (key) {
    k = *ObjectKey::parse(*key);
  }
  return Object::begin(id_of(n), kNs, kTenant, k, StorageClass::kHot, "text/plain", at(t));
}

Object committed(std::uint8_t n, std::optional<std::string> key = std::nullopt) {
  Object o = writing(n, std::move(key));
  REQUIRE(o.commit(kHash, 3, at(1)));
  return o;
}

Status insert(PgMetadataStore& store, const Object& o) {
  return store.transact([&](MetadataTransaction& tx) { return tx.objects().insert(o); });
}

}  // namespace

TEST_CASE("migrations apply once, and concurrent callers do not race", "[pg]") {
  auto db = TestDatabase::create("castor_migrate");
  std::vector<std::future<Result<int>>> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(std::async(std::launch::async, [&] { return apply_migrations(db.url()); }));
  }
  int applied = 0;
  for (auto& run : runs) {
    auto r = run.get();
    REQUIRE(r);
    applied += *r;
  }
  CHECK(applied == static_cast<int>(embedded_migrations().size()));
  auto again = apply_migrations(db.url());
  REQUIRE(again);
  CHECK(*again == 0);
  auto version = applied_migration_version(db.url());
  REQUIRE(version);
  CHECK(*version == embedded_migrations().back().version);
}

TEST_CASE("objects round-trip through PostgreSQL with every field", "[pg]") {
  PgFixture f;
  Object o = committed(1, "a/b.txt");
  REQUIRE(insert(*f.store, o));
  Result<Object> found = not_found("");
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    found = tx.objects().find(o.id(), false);
    return {};
  }));
  REQUIRE(found);
  CHECK(found->id() == o.id());
  CHECK(found->key()->str() == "a/b.txt");
  CHECK(found->status() == ObjectStatus::kCommitted);
  CHECK(*found->content_hash() == kHash);
  CHECK(found->size_bytes() == 3);
  CHECK(found->content_type() == "text/plain");
  CHECK(found->created_at() == o.created_at());
  CHECK(found->updated_at() == o.updated_at());

  auto missing = f.store->transact([&](MetadataTransaction& tx) -> Status {
    return tx.objects().find(id_of(99), false).error();
  });
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("a key is unique among live objects and free again once deleted", "[pg]") {
  PgFixture f;
  Object first = committed(1, "k");
  REQUIRE(insert(*f.store, first));
  auto clash = insert(*f.store, writing(2, "k"));
  REQUIRE_FALSE(clash);
  CHECK(clash.error().code == ErrorCode::kAlreadyExists);

  REQUIRE(first.mark_deleting(at(2)));
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) { return tx.objects().update(first); }));
  CHECK(insert(*f.store, writing(3, "k")));
}

TEST_CASE("a failed unit of work is rolled back", "[pg]") {
  PgFixture f;
  auto s = f.store->transact([&](MetadataTransaction& tx) -> Status {
    REQUIRE(tx.objects().insert(committed(1)));
    REQUIRE(tx.blobs().add_ref(StorageClass::kHot, kHash, 3));
    return Error{ErrorCode::kAborted, "changed my mind"};
  });
  CHECK_FALSE(s);
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    CHECK(tx.objects().find(id_of(1), false).error().code == ErrorCode::kNotFound);
    auto blob = tx.blobs().find(StorageClass::kHot, kHash);
    REQUIRE(blob);
    CHECK_FALSE(blob->has_value());
    return {};
  }));
}

TEST_CASE("blob reference counts go up, down, never below zero", "[pg]") {
  PgFixture f;
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    auto a = tx.blobs().add_ref(StorageClass::kHot, kHash, 3);
    REQUIRE(a);
    CHECK(a->ref_count() == 1);
    auto b = tx.blobs().add_ref(StorageClass::kHot, kHash, 3);
    REQUIRE(b);
    CHECK(b->ref_count() == 2);
    // The same content in the other class is another blob.
    auto cold = tx.blobs().add_ref(StorageClass::kCold, kHash, 3);
    REQUIRE(cold);
    CHECK(cold->ref_count() == 1);
    CHECK(tx.blobs().release(StorageClass::kHot, kHash)->ref_count() == 1);
    CHECK(tx.blobs().release(StorageClass::kHot, kHash)->ref_count() == 0);
    auto under = tx.blobs().release(StorageClass::kHot, kHash);
    REQUIRE_FALSE(under);
    CHECK(under.error().code == ErrorCode::kFailedPrecondition);
    return {};
  }));
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    auto zero = tx.blobs().lock_unreferenced(
        10, std::nullopt,
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
    REQUIRE(zero);
    REQUIRE(zero->size() == 1);
    CHECK((*zero)[0].hash() == kHash);
    CHECK((*zero)[0].storage_class() == StorageClass::kHot);
    auto missing = tx.blobs().missing(StorageClass::kHot, {kHash, kOtherHash});
    REQUIRE(missing);
    CHECK(*missing == std::vector<ContentHash>{kOtherHash});
    CHECK(*tx.blobs().remove_unreferenced(
        StorageClass::kHot, kHash,
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now())));
    CHECK_FALSE(*tx.blobs().remove_unreferenced(
        StorageClass::kCold, kHash,
        std::chrono::time_point_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now())));  // still referenced
    return {};
  }));
}

TEST_CASE("listing pages by (key, id) with a prefix, keyless objects first", "[pg]") {
  PgFixture f;
  REQUIRE(insert(*f.store, committed(1, "b/2")));
  REQUIRE(insert(*f.store, committed(2, "a/1")));
  REQUIRE(insert(*f.store, committed(3)));
  REQUIRE(insert(*f.store, committed(4, "b/1")));
  REQUIRE(insert(*f.store, writing(5, "b/0")));  // not committed: never listed
  std::vector<std::string> seen;
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    ListQuery q{kNs, kTenant, "", 2, std::nullopt};
    for (;;) {
      auto page = tx.objects().list(q);
      REQUIRE(page);
      for (const Object& o : *page) {
        seen.push_back(o.key() ? o.key()->str() : "-");
      }
      if (page->size() < q.limit) {
        break;
      }
      const Object& last = page->back();
      q.after = ListCursor{last.key() ? last.key()->str() : "", last.id()};
    }
    auto prefixed = tx.objects().list({kNs, kTenant, "b/", 10, std::nullopt});
    REQUIRE(prefixed);
    REQUIRE(prefixed->size() == 2);
    CHECK((*prefixed)[0].key()->str() == "b/1");
    return {};
  }));
  CHECK(seen == std::vector<std::string>{"-", "a/1", "b/1", "b/2"});
}

TEST_CASE("GC batches skip rows other transactions hold", "[pg]") {
  PgFixture f;
  REQUIRE(insert(*f.store, writing(1, std::nullopt, 0)));
  REQUIRE(insert(*f.store, writing(2, std::nullopt, 0)));
  REQUIRE(insert(*f.store, writing(3, std::nullopt, 100)));  // too young
  std::promise<void> locked;
  std::promise<void> release;
  auto holder = std::async(std::launch::async, [&] {
    return f.store->transact([&](MetadataTransaction& tx) -> Status {
      auto row = tx.objects().find(id_of(1), true);  // no Catch assertions off the main thread
      locked.set_value();
      release.get_future().wait();
      return row ? Status() : Status(row.error());
    });
  });
  locked.get_future().wait();
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    auto batch = tx.objects().lock_batch(ObjectStatus::kWriting, at(50), 10);
    REQUIRE(batch);
    REQUIRE(batch->size() == 1);
    CHECK((*batch)[0].id() == id_of(2));
    return {};
  }));
  release.set_value();
  REQUIRE(holder.get());
}

TEST_CASE("a content lock excludes other transactions until commit", "[pg]") {
  PgFixture f;
  std::promise<void> locked;
  std::promise<void> release;
  auto holder = std::async(std::launch::async, [&] {
    return f.store->transact([&](MetadataTransaction& tx) -> Status {
      auto s = tx.lock_content(StorageClass::kHot, kHash);
      locked.set_value();
      release.get_future().wait();
      return s;
    });
  });
  locked.get_future().wait();
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    CHECK_FALSE(*tx.try_lock_content(StorageClass::kHot, kHash));
    CHECK(*tx.try_lock_content(StorageClass::kCold, kHash));  // another class, another lock
    CHECK(*tx.try_lock_content(StorageClass::kHot, kOtherHash));
    return {};
  }));
  release.set_value();
  REQUIRE(holder.get());
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    CHECK(*tx.try_lock_content(StorageClass::kHot, kHash));
    return {};
  }));
}

TEST_CASE("an unreachable database is Unavailable, not a crash", "[pg]") {
  PgMetadataStore store("postgresql://nobody@/nowhere?host=/nonexistent&port=1", 1);
  auto s = store.transact([](MetadataTransaction&) -> Status { return {}; });
  REQUIRE_FALSE(s);
  CHECK(s.error().code == ErrorCode::kUnavailable);
}

}  // namespace castor::testing
