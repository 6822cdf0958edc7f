// Usage counters and quotas on a real database (migrations/013_usage_quotas.sql): the counters
// kept by the trigger equal a recount of the objects after every kind of transition (commit by
// either upload path, delete, storage-class move by a plain UPDATE, the collector's tombstones and
// purge, a row deleted outright), also under concurrent writers; and a quota lets exactly one of
// two commits through when each fits alone but not both.
#include <atomic>
#include <latch>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "application/collect_garbage.h"
#include "application/delete_object.h"
#include "application/upload_object.h"
#include "application/usage/manage_quotas.h"
#include "application/usage/read_usage.h"
#include "infrastructure/checksummers.h"
#include "infrastructure/fs_blob_store.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "support/temp_dir.h"

namespace castor::testing {
namespace {

// The figures by definition (docs/USAGE_AND_QUOTAS.md), recounted from the objects, per
// (tenant, namespace, class): objects, logical bytes, distinct-content bytes.
constexpr const char* kRecountNamespaces =
    "WITH live AS (SELECT tenant_id, namespace, storage_class, content_hash, size_bytes "
    "  FROM objects WHERE status = 'COMMITTED'), "
    "r AS (SELECT tenant_id, namespace, storage_class, count(*) AS o, sum(size_bytes) AS l "
    "  FROM live GROUP BY 1, 2, 3), "
    "p AS (SELECT tenant_id, namespace, storage_class, sum(size_bytes) AS p FROM "
    "  (SELECT DISTINCT tenant_id, namespace, storage_class, content_hash, size_bytes FROM live) d "
    "  GROUP BY 1, 2, 3) "
    "SELECT tenant_id || '/' || namespace || '/' || storage_class || ' ' || o || ' ' || l || ' ' "
    "  || p FROM r JOIN p USING (tenant_id, namespace, storage_class) ORDER BY 1";
constexpr const char* kCountersNamespaces =
    "SELECT tenant_id || '/' || namespace || '/' || storage_class || ' ' || sum(objects) || ' ' "
    "  || sum(logical_bytes) || ' ' || sum(physical_bytes) FROM usage_counters "
    "GROUP BY tenant_id, namespace, storage_class "
    "HAVING sum(objects) <> 0 OR sum(logical_bytes) <> 0 OR sum(physical_bytes) <> 0 ORDER BY 1";
// Per (tenant, class): the tenant's distinct-content bytes.
constexpr const char* kRecountTenants =
    "SELECT tenant_id || '/' || storage_class || ' ' || sum(size_bytes) FROM "
    "  (SELECT DISTINCT tenant_id, storage_class, content_hash, size_bytes FROM objects "
    "   WHERE status = 'COMMITTED') d GROUP BY tenant_id, storage_class ORDER BY 1";
constexpr const char* kCountersTenants =
    "SELECT tenant_id || '/' || storage_class || ' ' || sum(tenant_physical_bytes) "
    "FROM usage_counters GROUP BY tenant_id, storage_class "
    "HAVING sum(tenant_physical_bytes) <> 0 ORDER BY 1";
// The reference-count rows against the objects they count.
constexpr const char* kRecountRefs =
    "SELECT tenant_id || '/' || namespace || '/' || storage_class || '/' || content_hash || ' ' "
    "  || count(*) FROM objects WHERE status = 'COMMITTED' "
    "GROUP BY tenant_id, namespace, storage_class, content_hash ORDER BY 1";
constexpr const char* kRefs =
    "SELECT tenant_id || '/' || namespace || '/' || storage_class || '/' || encode(content, 'hex') "
    "  || ' ' || refs FROM usage_namespace_content ORDER BY 1";
constexpr const char* kRecountTenantRefs =
    "SELECT tenant_id || '/' || storage_class || '/' || content_hash || ' ' || "
    "  count(DISTINCT namespace) FROM objects WHERE status = 'COMMITTED' "
    "GROUP BY tenant_id, storage_class, content_hash ORDER BY 1";
constexpr const char* kTenantRefs =
    "SELECT tenant_id || '/' || storage_class || '/' || encode(content, 'hex') || ' ' || refs "
    "FROM usage_tenant_content ORDER BY 1";

struct Stack : PgFixture {
  // Every row of a one-column text query, one per line.
  std::string rows(const char* statement) {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    std::string out;
    for (const auto& row : tx.exec(statement)) {
      out += row[0].as<std::string>() + "\n";
    }
    return out;
  }

  void exec(const std::string& statement) {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    tx.exec(statement);
  }

  // The invariant: counters == recount, and the reference counts behind the physical bytes.
  void check_invariant() {
    CHECK(rows(kCountersNamespaces) == rows(kRecountNamespaces));
    CHECK(rows(kCountersTenants) == rows(kRecountTenants));
    CHECK(rows(kRefs) == rows(kRecountRefs));
    CHECK(rows(kTenantRefs) == rows(kRecountTenantRefs));
  }

  // No Catch2 assertion here: the concurrency tests call it from several threads.
  Result<Object> put(UploadObject& use_case, const std::string& tenant, const std::string& ns,
                     const std::string& content) {
    auto up = use_case.begin({.ns = *Namespace::parse(ns),
                              .tenant = *TenantId::parse(tenant),
                              .key = std::nullopt,
                              .storage_class = StorageClass::kHot,
                              .content_type = {},
                              .expected_hash = {}},
                             content.size());
    if (!up) {
      return std::move(up).error();
    }
    if (auto w = (*up)->write(std::as_bytes(std::span(content.data(), content.size()))); !w) {
      use_case.abort(**up);
      return std::move(w).error();
    }
    return use_case.commit(**up);
  }

  TempDir dir;
  std::unique_ptr<FsBlobStore> files = make_fs_blob_store(dir);
  PgMetadataStore& metadata = *PgFixture::store;
  SystemClock clock;
  RandomIdGenerator ids;
  Checksummers checksummers;
  UploadObject small{
      metadata, *files, clock, ids, 1 << 20, nullptr, {.max_bytes = 1024, .sha256 = &checksummers}};
  UploadObject large{metadata, *files, clock, ids, 1 << 20};
  DeleteObject remove{metadata, clock};
  CollectGarbage gc{metadata, *files, clock, std::chrono::seconds(3600), std::chrono::seconds(0)};
  ReadUsage usage{metadata};
  ManageQuotas quotas{metadata, clock};
};

const TenantId kT1 = *TenantId::parse("t1");
const Namespace kA = *Namespace::parse("a");
const Namespace kB = *Namespace::parse("b");

bool is_quota_exceeded(const Error& e) {
  return e.code == ErrorCode::kPermissionDenied && e.reason == "quota_exceeded";
}

}  // namespace

TEST_CASE("usage counters equal a recount after every transition", "[pg][usage]") {
  Stack s;
  const std::string x(100, 'x');   // stored three times in t1 (twice in a), once in t2
  const std::string y(2000, 'y');  // the file path
  auto o1 = s.put(s.small, "t1", "a", x);
  auto o2 = s.put(s.small, "t1", "a", x);
  auto o3 = s.put(s.large, "t1", "b", x);
  auto o4 = s.put(s.large, "t1", "a", y);
  auto o5 = s.put(s.small, "t2", "a", x);
  REQUIRE((o1 && o2 && o3 && o4 && o5));
  s.check_invariant();

  auto a = s.usage.namespace_stats(kT1, kA);
  REQUIRE(a);
  CHECK(a->total == UsageFigures{.objects = 3, .logical_bytes = 2200, .physical_bytes = 2100});
  CHECK(a->hot == a->total);
  CHECK(a->cold == UsageFigures{});
  auto t1 = s.usage.tenant_usage(kT1);
  REQUIRE(t1);
  CHECK(t1->total == UsageFigures{.objects = 4, .logical_bytes = 2300, .physical_bytes = 2100});
  auto b = s.usage.namespace_stats(kT1, kB);
  REQUIRE(b);
  CHECK(b->total == UsageFigures{.objects = 1, .logical_bytes = 100, .physical_bytes = 100});

  // A storage-class move by a plain UPDATE (what the storage-class move commits).
  s.exec("UPDATE objects SET storage_class = 'cold' WHERE id = '" + o2->id().to_string() + "'");
  s.check_invariant();
  t1 = s.usage.tenant_usage(kT1);
  REQUIRE(t1);
  CHECK(t1->hot == UsageFigures{.objects = 3, .logical_bytes = 2200, .physical_bytes = 2100});
  CHECK(t1->cold == UsageFigures{.objects = 1, .logical_bytes = 100, .physical_bytes = 100});

  // A delete gives the space back at DELETING, before the collector runs.
  REQUIRE(s.remove.by_id(kT1, o1->id()));
  REQUIRE(s.remove.by_id(kT1, o4->id()));
  s.check_invariant();
  a = s.usage.namespace_stats(kT1, kA);
  REQUIRE(a);
  CHECK(a->total == UsageFigures{.objects = 1, .logical_bytes = 100, .physical_bytes = 100});
  CHECK(a->hot == UsageFigures{});

  // The collector: DELETING -> DELETED, then the tombstones purged (retention 0).
  REQUIRE(s.gc.run_once());
  REQUIRE(s.gc.run_once());
  CHECK(s.rows("SELECT count(*)::text FROM objects WHERE status IN ('DELETING', 'DELETED')") ==
        "0\n");
  s.check_invariant();

  // A COMMITTED row deleted outright, and a metadata-only update (no count changes).
  s.exec("UPDATE objects SET metadata = '{\"k\": \"v\"}' WHERE id = '" + o3->id().to_string() +
         "'");
  s.exec("DELETE FROM objects WHERE id = '" + o5->id().to_string() + "'");
  s.check_invariant();
  CHECK(s.rows("SELECT count(*)::text FROM usage_tenant_content WHERE tenant_id = 't2'") == "0\n");
}

TEST_CASE("usage counters stay exact under concurrent commits and deletes", "[pg][usage]") {
  Stack s;
  constexpr int kThreads = 4;
  constexpr int kOps = 60;
  std::atomic<int> failures{0};
  std::mutex mu;
  std::string first_failure;  // guarded by mu
  auto failed = [&](const Error& e) {
    std::lock_guard lock(mu);
    if (failures++ == 0) {
      first_failure = std::string(error_code_name(e.code)) + ": " + e.message;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t) + 1);
      std::vector<Object> mine;
      for (int i = 0; i < kOps; ++i) {
        const int pick = static_cast<int>(rng() % 10);
        if (pick < 3 && !mine.empty()) {
          const std::size_t k = rng() % mine.size();
          if (auto r = s.remove.by_id(mine[k].tenant(), mine[k].id()); !r) {
            failed(r.error());
          }
          mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(k));
          continue;
        }
        // Few contents, two namespaces, two tenants: many dedup hits and 0<->1 flips at once.
        const std::string content(static_cast<std::size_t>(10 + rng() % 4) * 100, 'a' + rng() % 3);
        const std::string tenant = rng() % 2 ? "t1" : "t2";
        const std::string ns = rng() % 2 ? "a" : "b";
        auto o = s.put(content.size() > 1024 ? s.large : s.small, tenant, ns, content);
        if (!o) {
          failed(o.error());
        } else {
          mine.push_back(*o);
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  INFO(first_failure);
  CHECK(failures == 0);
  s.check_invariant();
  // The counter rows of one namespace are spread over shards, not one hot row.
  CHECK(std::stoi(s.rows("SELECT count(DISTINCT shard) FROM usage_counters")) >= 1);
}

TEST_CASE("two commits that each fit a quota but not together: exactly one wins", "[pg][quota]") {
  Stack s;
  constexpr int kRounds = 24;
  for (int round = 0; round < kRounds; ++round) {
    const std::string tenant = "r" + std::to_string(round);
    const TenantId t = *TenantId::parse(tenant);
    // Rounds alternate: tenant or namespace quota, bytes or objects, small or file path.
    const bool on_namespace = round % 2 == 1;
    const bool by_bytes = round % 4 < 2;
    UploadObject& path = round % 8 < 4 ? s.small : s.large;
    const std::size_t size = &path == &s.small ? 600 : 1500;
    Quota q;
    if (by_bytes) {
      q.max_bytes = size * 3 / 2;  // one fits, two do not
    } else {
      q.max_objects = 1;
    }
    REQUIRE(s.quotas.put(t, on_namespace ? std::optional<Namespace>(kA) : std::nullopt, q));

    std::latch start(2);
    std::vector<Result<Object>> outcome(2, Result<Object>(not_found("not run")));
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        const std::string content(size, static_cast<char>('p' + i));
        auto up = path.begin({.ns = kA,
                              .tenant = t,
                              .key = std::nullopt,
                              .storage_class = StorageClass::kHot,
                              .content_type = {},
                              .expected_hash = {}},
                             content.size());
        start.arrive_and_wait();  // both begun (pre-check passed); now race to commit
        if (!up) {
          outcome[static_cast<std::size_t>(i)] = std::move(up).error();
          return;
        }
        if (auto w = (*up)->write(std::as_bytes(std::span(content.data(), content.size()))); !w) {
          outcome[static_cast<std::size_t>(i)] = std::move(w).error();
          return;
        }
        outcome[static_cast<std::size_t>(i)] = path.commit(**up);
      });
    }
    for (auto& th : threads) {
      th.join();
    }
    INFO("round " << round);
    const int wins = (outcome[0] ? 1 : 0) + (outcome[1] ? 1 : 0);
    REQUIRE(wins == 1);
    const Error& lost = outcome[0] ? outcome[1].error() : outcome[0].error();
    CHECK(is_quota_exceeded(lost));
    CHECK_THAT(lost.message, Catch::Contains(by_bytes ? "max_bytes" : "max_objects"));
    auto u = s.usage.tenant_usage(t);
    REQUIRE(u);
    CHECK(u->total.objects == 1);
  }
  s.check_invariant();
}

TEST_CASE("quotas: pre-check before the body, deletes give space back, admin round trip",
          "[pg][quota]") {
  Stack s;
  CHECK(s.quotas.get(kT1, std::nullopt).error().code == ErrorCode::kNotFound);
  auto set = s.quotas.put(kT1, kA, Quota{.max_bytes = 5000, .max_objects = std::nullopt});
  REQUIRE(set);
  CHECK(set->quota.max_bytes == 5000u);
  CHECK(set->usage == UsageFigures{});

  auto first = s.put(s.large, "t1", "a", std::string(3000, '1'));
  REQUIRE(first);
  // The pre-check: refused at begin(), from the declared size, before any byte is written.
  auto refused = s.large.begin({.ns = kA,
                                .tenant = kT1,
                                .key = std::nullopt,
                                .storage_class = StorageClass::kHot,
                                .content_type = {},
                                .expected_hash = {}},
                               std::uint64_t{3000});
  REQUIRE_FALSE(refused);
  CHECK(is_quota_exceeded(refused.error()));
  CHECK_THAT(refused.error().message,
             Catch::Contains("namespace a of tenant t1 may hold at most 5000 bytes") &&
                 Catch::Contains("it holds 3000, this upload adds 3000"));
  CHECK(s.rows("SELECT count(*)::text FROM objects WHERE status = 'WRITING'") == "0\n");
  // Another namespace of the tenant is not limited.
  CHECK(s.put(s.large, "t1", "b", std::string(3000, '2')));
  // Without a declared size (chunked): refused at the commit.
  auto chunked = s.large.begin({.ns = kA,
                                .tenant = kT1,
                                .key = std::nullopt,
                                .storage_class = StorageClass::kHot,
                                .content_type = {},
                                .expected_hash = {}},
                               std::nullopt);
  REQUIRE(chunked);
  const std::string body(2500, '3');
  REQUIRE((*chunked)->write(std::as_bytes(std::span(body.data(), body.size()))));
  auto at_commit = s.large.commit(**chunked);
  REQUIRE_FALSE(at_commit);
  CHECK(is_quota_exceeded(at_commit.error()));

  // The delete gives the bytes back at once.
  REQUIRE(s.remove.by_id(kT1, first->id()));
  CHECK(s.put(s.large, "t1", "a", std::string(3000, '4')));

  // A tenant-wide object limit below the usage refuses the next small upload at its commit.
  REQUIRE(s.quotas.put(kT1, std::nullopt, Quota{.max_bytes = std::nullopt, .max_objects = 2}));
  auto over = s.put(s.small, "t1", "b", "tiny");
  REQUIRE_FALSE(over);
  CHECK(is_quota_exceeded(over.error()));
  CHECK_THAT(over.error().message, Catch::Contains("tenant t1 may hold at most 2 objects"));
  auto view = s.quotas.get(kT1, std::nullopt);
  REQUIRE(view);
  CHECK(view->usage.objects == 2);
  CHECK(*s.quotas.remove(kT1, std::nullopt));
  CHECK_FALSE(*s.quotas.remove(kT1, std::nullopt));
  CHECK(s.put(s.small, "t1", "b", "tiny"));
  // A quota limiting nothing is no quota.
  REQUIRE(s.quotas.put(kT1, kA, Quota{}));
  CHECK(s.quotas.get(kT1, kA).error().code == ErrorCode::kNotFound);
  s.check_invariant();
}

}  // namespace castor::testing
