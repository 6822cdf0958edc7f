// The buckets table against a real PostgreSQL: the repository's SQL, the backfill of migration
// 007, and the row locks that keep DeleteBucket and committing uploads apart (FOR UPDATE against
// FOR KEY SHARE), played with a second connection that holds its transaction open.
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "application/buckets.h"
#include "application/list_s3.h"
#include "infrastructure/migrator.h"
#include "infrastructure/pg_bucket_repository.h"
#include "infrastructure/pg_object_repository.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "support/sha256.h"

namespace castor::testing {
namespace {

using std::chrono::seconds;

const TenantId kA = *TenantId::parse("tenant-a");
const TenantId kB = *TenantId::parse("tenant-b");

Namespace ns(std::string_view name) { return *Namespace::parse(name); }
Timestamp at(std::int64_t s) { return Timestamp(seconds(s)); }

class FixedClock final : public Clock {
 public:
  Timestamp now() override { return at(1'700'000'000); }
};

// A COMMITTED object of (space, tenant) with `key` ("" = keyless).
Object committed(const Namespace& space, const TenantId& tenant, const std::string& key) {
  static RandomIdGenerator ids;
  std::optional<ObjectKey> k;
  if (!key.empty()) {
    k = *ObjectKey::parse(key);
  }
  Object o = Object::begin(ids.next(), space, tenant, k, StorageClass::kHot, "text/plain", at(1));
  REQUIRE(o.commit(*ContentHash::parse(sha256_hex(key)), key.size(), at(2)));
  return o;
}

Status insert(MetadataStore& store, const Object& o) {
  return store.transact([&](MetadataTransaction& tx) { return tx.objects().insert(o); });
}

// A transaction on its own connection, held open by the test: plays another server process in
// the middle of a commit or a DeleteBucket.
struct OpenTransaction {
  explicit OpenTransaction(const std::string& url) : conn(url) {
    PgBucketRepository::prepare(conn);
    PgObjectRepository::prepare(conn);
    work.emplace(conn);
  }
  PgBucketRepository buckets() { return PgBucketRepository(*work, nullptr); }
  PgObjectRepository objects() { return PgObjectRepository(*work, nullptr); }

  pqxx::connection conn;
  std::optional<pqxx::work> work;
};

// Waits until some backend of the database waits on a lock (a call of the test blocks on the
// open transaction); false after 10 s. Polls pg_stat_activity: the wait is observed, not assumed.
bool blocked_on_lock(const std::string& url) {
  pqxx::connection conn(url);
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    pqxx::nontransaction tx(conn);
    auto r = tx.exec(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'");
    if (r[0][0].as<int>() > 0) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

std::vector<std::string> names(ManageBuckets& buckets, const TenantId& tenant,
                               std::string_view prefix = "", std::string_view after = "",
                               std::size_t limit = 1000) {
  auto list = buckets.list(tenant, prefix, after, limit);
  REQUIRE(list);
  std::vector<std::string> out;
  for (const Bucket& b : *list) {
    CHECK(b.tenant == tenant);
    out.push_back(b.name.str());
  }
  return out;
}

}  // namespace

TEST_CASE("bucket SQL: create, find, list in byte order with prefix and marker, remove",
          "[pg][buckets]") {
  PgFixture f;
  FixedClock clock;
  ManageBuckets buckets(*f.store, clock);
  for (const char* name : {"delta", "alpha", "alpha-2", "alpha.b", "bravo", "charlie"}) {
    REQUIRE(buckets.create(kA, name));
  }
  REQUIRE(buckets.create(kB, "alpha"));
  auto dup = buckets.create(kA, "alpha");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == ErrorCode::kAlreadyExists);
  CHECK(dup.error().reason == "BucketAlreadyOwnedByYou");

  auto found = buckets.find(kA, ns("alpha"));
  REQUIRE(found);
  CHECK(found->created_at == clock.now());
  CHECK(buckets.find(kB, ns("delta")).error().code == ErrorCode::kNotFound);

  using V = std::vector<std::string>;
  // Byte order: '-' (0x2d) < '.' (0x2e) < letters.
  CHECK(names(buckets, kA) == V{"alpha", "alpha-2", "alpha.b", "bravo", "charlie", "delta"});
  CHECK(names(buckets, kB) == V{"alpha"});
  CHECK(names(buckets, kA, "alpha") == V{"alpha", "alpha-2", "alpha.b"});
  CHECK(names(buckets, kA, "alpha", "alpha-2") == V{"alpha.b"});
  CHECK(names(buckets, kA, "", "bravo", 2) == V{"charlie", "delta"});
  CHECK(names(buckets, kA, "zz").empty());

  REQUIRE(buckets.remove(kA, ns("alpha")));
  CHECK(buckets.find(kA, ns("alpha")).error().code == ErrorCode::kNotFound);
  CHECK(buckets.find(kB, ns("alpha")));
  CHECK(buckets.remove(kA, ns("alpha")).error().code == ErrorCode::kNotFound);
}

TEST_CASE("DeleteBucket refuses a bucket with committed objects, keyless ones included",
          "[pg][buckets]") {
  PgFixture f;
  FixedClock clock;
  ManageBuckets buckets(*f.store, clock);
  REQUIRE(buckets.create(kA, "data"));
  REQUIRE(buckets.create(kB, "data"));
  REQUIRE(insert(*f.store, committed(ns("data"), kA, "")));
  // A WRITING object does not count.
  static RandomIdGenerator ids;
  REQUIRE(insert(*f.store, Object::begin(ids.next(), ns("data"), kB, *ObjectKey::parse("w"),
                                         StorageClass::kHot, "text/plain", at(1))));
  auto refused = buckets.remove(kA, ns("data"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kFailedPrecondition);
  CHECK(refused.error().reason == "BucketNotEmpty");
  CHECK(buckets.remove(kB, ns("data")));
}

TEST_CASE("ensure makes a missing bucket row once and keeps an existing one", "[pg][buckets]") {
  PgFixture f;
  auto ensure = [&](const Namespace& space, Timestamp now) {
    std::optional<Bucket> out;
    REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
      auto b = tx.buckets().ensure(space, kA, now);
      if (!b) {
        return std::move(b).error();
      }
      out = *b;
      return {};
    }));
    return *out;
  };
  CHECK(ensure(ns("auto"), at(100)).created_at == at(100));
  CHECK(ensure(ns("auto"), at(200)).created_at == at(100));
  auto required = read_only(
      *f.store, [&](MetadataTransaction& tx) { return tx.buckets().require(ns("auto"), kA); });
  REQUIRE(required);
  CHECK(required->created_at == at(100));
  auto missing = read_only(
      *f.store, [&](MetadataTransaction& tx) { return tx.buckets().require(ns("auto"), kB); });
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("DeleteBucket waits for a commit holding the bucket FOR KEY SHARE, then sees its object",
          "[pg][buckets][race]") {
  PgFixture f;
  FixedClock clock;
  ManageBuckets buckets(*f.store, clock);
  REQUIRE(buckets.create(kA, "data"));

  OpenTransaction upload(f.db.url());
  REQUIRE(upload.buckets().require(ns("data"), kA));
  REQUIRE(upload.objects().insert(committed(ns("data"), kA, "k")));

  auto removal = std::async(std::launch::async, [&] { return buckets.remove(kA, ns("data")); });
  REQUIRE(blocked_on_lock(f.db.url()));
  upload.work->commit();
  Status s = removal.get();
  REQUIRE_FALSE(s);
  CHECK(s.error().reason == "BucketNotEmpty");
  CHECK(buckets.find(kA, ns("data")));
}

TEST_CASE("a commit that finds DeleteBucket holding the row FOR UPDATE waits for it",
          "[pg][buckets][race]") {
  PgFixture f;
  FixedClock clock;
  ManageBuckets buckets(*f.store, clock);
  REQUIRE(buckets.create(kA, "data"));

  SECTION("ensure makes the row again after the delete") {
    OpenTransaction deleting(f.db.url());
    REQUIRE(deleting.buckets().find(ns("data"), kA, /*for_update=*/true));
    auto commit = std::async(std::launch::async, [&] {
      return f.store->transact([&](MetadataTransaction& tx) -> Status {
        auto b = tx.buckets().ensure(ns("data"), kA, at(500));
        if (!b) {
          return std::move(b).error();
        }
        return tx.objects().insert(committed(ns("data"), kA, "k"));
      });
    });
    REQUIRE(blocked_on_lock(f.db.url()));
    REQUIRE(deleting.buckets().remove(ns("data"), kA));
    deleting.work->commit();
    REQUIRE(commit.get());
    auto again = buckets.find(kA, ns("data"));
    REQUIRE(again);
    CHECK(again->created_at == at(500));
  }
  SECTION("require finds no bucket after the delete") {
    OpenTransaction deleting(f.db.url());
    REQUIRE(deleting.buckets().find(ns("data"), kA, /*for_update=*/true));
    auto commit = std::async(std::launch::async, [&] {
      return f.store->transact([&](MetadataTransaction& tx) -> Status {
        auto b = tx.buckets().require(ns("data"), kA);
        if (!b) {
          return std::move(b).error();
        }
        return tx.objects().insert(committed(ns("data"), kA, "k"));
      });
    });
    REQUIRE(blocked_on_lock(f.db.url()));
    REQUIRE(deleting.buckets().remove(ns("data"), kA));
    deleting.work->commit();
    Status s = commit.get();
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::kNotFound);
    CHECK_FALSE(buckets.find(kA, ns("data")));
    auto any = read_only(*f.store, [&](MetadataTransaction& tx) {
      return tx.objects().any_committed(ns("data"), kA);
    });
    REQUIRE(any);
    CHECK_FALSE(*any);
  }
  SECTION("a DeleteBucket that rolls back lets the commit through") {
    OpenTransaction deleting(f.db.url());
    REQUIRE(deleting.buckets().find(ns("data"), kA, /*for_update=*/true));
    auto commit = std::async(std::launch::async, [&] {
      return f.store->transact([&](MetadataTransaction& tx) -> Status {
        auto b = tx.buckets().require(ns("data"), kA);
        if (!b) {
          return std::move(b).error();
        }
        return tx.objects().insert(committed(ns("data"), kA, "k"));
      });
    });
    REQUIRE(blocked_on_lock(f.db.url()));
    deleting.work->abort();
    REQUIRE(commit.get());
  }
}

TEST_CASE("commits into one bucket do not wait for each other", "[pg][buckets][race]") {
  PgFixture f;
  FixedClock clock;
  ManageBuckets buckets(*f.store, clock);
  REQUIRE(buckets.create(kA, "data"));
  OpenTransaction first(f.db.url());
  REQUIRE(first.buckets().ensure(ns("data"), kA, at(1)));
  REQUIRE(first.objects().insert(committed(ns("data"), kA, "one")));
  // A second commit (KEY SHARE too) goes through while the first holds its lock.
  auto second = std::async(std::launch::async, [&] {
    return f.store->transact([&](MetadataTransaction& tx) -> Status {
      if (auto b = tx.buckets().require(ns("data"), kA); !b) {
        return std::move(b).error();
      }
      return tx.objects().insert(committed(ns("data"), kA, "two"));
    });
  });
  const bool finished = second.wait_for(seconds(10)) == std::future_status::ready;
  first.work->commit();
  REQUIRE(finished);
  REQUIRE(second.get());
  // Both objects are there, and the bucket is not empty.
  ListS3 lister(*f.store);
  auto page = lister.list(ns("data"), kA, {"", "/", "", 1000});
  REQUIRE(page);
  REQUIRE(page->contents.size() == 2);
  CHECK(page->contents[0].key()->str() == "one");
  CHECK(page->contents[1].key()->str() == "two");
  CHECK(buckets.remove(kA, ns("data")).error().reason == "BucketNotEmpty");
}

TEST_CASE("S3 listing over PostgreSQL: folding, start-after, bytes beyond ASCII, truncation",
          "[pg][list]") {
  PgFixture f;
  const Namespace space = ns("bucket");
  for (const char* key : {"a/1", "a/2", "a-file", "b", "caf\xC3\xA9/x", "cafe/y", "d/e/f",
                          "\xF4\x8F\xBF\xBF/z", "\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBF"}) {
    REQUIRE(insert(*f.store, committed(space, kA, key)));
  }
  REQUIRE(insert(*f.store, committed(space, kA, "")));  // keyless: not S3-visible
  REQUIRE(insert(*f.store, committed(ns("other"), kA, "a/3")));
  ListS3 lister(*f.store);
  using V = std::vector<std::string>;
  auto keys = [](const ListS3::Page& p) {
    V out;
    for (const Object& o : p.contents) {
      out.push_back(o.key()->str());
    }
    return out;
  };
  auto p = lister.list(space, kA, {"", "/", "", 1000});
  REQUIRE(p);
  CHECK(keys(*p) == V{"a-file", "b", "\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBF"});
  // Byte order (COLLATE "C"): 'e' (0x65) before 0xC3.
  CHECK(p->common_prefixes == V{"a/", "cafe/", "caf\xC3\xA9/", "d/", "\xF4\x8F\xBF\xBF/"});
  CHECK_FALSE(p->truncated);

  p = lister.list(space, kA, {"", "/", "a/1", 2});
  REQUIRE(p);
  // "a-file" sorts before "a/1"; the rest of "a/" is skipped.
  CHECK(keys(*p) == V{"b"});
  CHECK(p->common_prefixes == V{"cafe/"});
  CHECK(p->truncated);
  CHECK(p->next_marker == "cafe/");

  p = lister.list(space, kA, {"", "/", "cafe/", 3});
  REQUIRE(p);
  CHECK(p->common_prefixes == V{"caf\xC3\xA9/", "d/", "\xF4\x8F\xBF\xBF/"});
  CHECK(p->contents.empty());
  CHECK(p->truncated);  // the U+10FFFF U+10FFFF key follows
  p = lister.list(space, kA, {"", "/", p->next_marker, 3});
  REQUIRE(p);
  CHECK(keys(*p) == V{"\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBF"});
  CHECK_FALSE(p->truncated);

  p = lister.list(space, kA, {"a", std::nullopt, "", 1000});
  REQUIRE(p);
  CHECK(keys(*p) == V{"a-file", "a/1", "a/2"});
}

TEST_CASE("migration 007 backfills a bucket per (tenant, namespace) in use", "[pg][buckets]") {
  TestDatabase db = TestDatabase::create("castor_buckets");
  {
    // The schema as it was before 007.
    pqxx::connection conn(db.url());
    pqxx::work tx(conn);
    tx.exec(
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    for (const Migration& m : embedded_migrations()) {
      if (m.version < 7) {
        tx.exec(m.sql);
        tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                       m.name);
      }
    }
    const std::string hash(64, 'a');
    auto object = [&](const char* space, const char* tenant, const char* status, int created) {
      tx.exec_params(
          "INSERT INTO objects (id, namespace, tenant_id, key, storage_class, status, "
          "content_hash, size_bytes, content_type, created_at, updated_at) VALUES "
          "(gen_random_uuid(), $1, $2, NULL, 'hot', $3, $4, 0, 'text/plain', castor_ts($5), "
          "castor_ts($5))",
          space, tenant, status, hash, static_cast<std::int64_t>(created) * 1'000'000);
    };
    auto session = [&](std::optional<std::string> space, const char* tenant, int created) {
      tx.exec_params(
          "INSERT INTO upload_sessions (id, tenant_id, namespace, storage_class, state, "
          "created_at, expires_at) VALUES (gen_random_uuid(), $1, $2, 'hot', 'open', "
          "castor_ts($3), castor_ts($3) + interval '1 day')",
          tenant, space, static_cast<std::int64_t>(created) * 1'000'000);
    };
    object("photos", "t1", "COMMITTED", 100);
    object("photos", "t1", "WRITING", 50);
    object("photos", "t1", "DELETED", 5);  // tombstones do not count, nor date the bucket
    object("photos", "t2", "DELETING", 70);
    object("gone", "t1", "DELETED", 10);
    object("under_score", "t1", "COMMITTED", 300);  // a namespace S3 could not name: kept
    session("photos", "t1", 40);
    session("uploads", "t3", 20);
    session(std::nullopt, "t4", 1);  // a blob session: no namespace
    tx.commit();
  }
  auto applied = apply_migrations(db.url());
  REQUIRE(applied);
  CHECK(*applied >= 1);

  pqxx::connection conn(db.url());
  pqxx::nontransaction tx(conn);
  std::vector<std::tuple<std::string, std::string, std::int64_t>> rows;
  for (const auto& row :
       tx.exec("SELECT tenant_id, name, castor_us(created_at) / 1000000 FROM buckets "
               "ORDER BY tenant_id, name")) {
    rows.emplace_back(row[0].as<std::string>(), row[1].as<std::string>(),
                      row[2].as<std::int64_t>());
  }
  using Row = std::tuple<std::string, std::string, std::int64_t>;
  CHECK(rows == std::vector<Row>{Row{"t1", "photos", 40}, Row{"t1", "under_score", 300},
                                 Row{"t2", "photos", 70}, Row{"t3", "uploads", 20}});
}

}  // namespace castor::testing
