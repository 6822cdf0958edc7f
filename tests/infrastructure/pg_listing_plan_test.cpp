// Listing with a prefix reads only the matching key range of the listing index, shown with EXPLAIN
// ANALYZE on a tenant of a million objects.
#include <chrono>
#include <string>

#include <catch2/catch.hpp>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "domain/object_key.h"
#include "infrastructure/migrator.h"
#include "infrastructure/pg_object_repository.h"
#include "support/test_database.h"

namespace castor::testing {

TEST_CASE("a prefix listing scans only the index range of its keys (1M objects)", "[pg][slow]") {
  auto db = TestDatabase::create("castor_pg");
  REQUIRE(apply_migrations(db.url()));
  pqxx::connection conn(db.url());
  {
    pqxx::work tx(conn);
    // A bulk load: without the usage triggers (docs/USAGE_AND_QUOTAS.md), which this test does
    // not read.
    tx.exec("SET LOCAL castor.usage_tracking = 'off'");
    // One tenant, keys k0000000 .. k0999999, in one statement.
    tx.exec(
        "INSERT INTO objects (id, namespace, tenant_id, key, storage_class, status, content_hash, "
        "size_bytes, content_type, created_at, updated_at) "
        "SELECT md5(i::text)::uuid, 'docs', 'big', 'k' || lpad(i::text, 7, '0'), 'hot', "
        "'COMMITTED', repeat('a', 64), 1, 'text/plain', now(), now() "
        "FROM generate_series(0, 999999) AS i");
    tx.commit();
  }
  {
    pqxx::nontransaction tx(conn);
    tx.exec("ANALYZE objects");
  }
  PgObjectRepository::prepare(conn);
  // Near the end of the key space: a filter-only prefix would read ~990,000 index entries first.
  const std::string prefix = "k0990";
  const auto end = key_prefix_end(prefix);
  REQUIRE(end == "k0991");
  pqxx::nontransaction tx(conn);
  // libpqxx prepares on first use: run it once, so that EXPLAIN EXECUTE finds it.
  CHECK(tx.exec_prepared("object_list_range", "docs", "big", "",
                         "00000000-0000-0000-0000-000000000000", prefix, 1001, *end)
            .size() == 1000);
  std::string plan;
  for (const auto& row : tx.exec("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) EXECUTE "
                                 "object_list_range('docs', 'big', '', "
                                 "'00000000-0000-0000-0000-000000000000', '" +
                                 prefix + "', 1001, '" + *end + "')")) {
    plan += row[0].as<std::string>() + "\n";
  }
  INFO(plan);
  CHECK(plan.find("Seq Scan") == std::string::npos);
  CHECK(plan.find("Index Scan using objects_listing") != std::string::npos);
  // Both ends of the key range are index conditions, and nothing is read only to be dropped.
  CHECK(plan.find(">= 'k0990'") != std::string::npos);
  CHECK(plan.find("< 'k0991'") != std::string::npos);
  CHECK(plan.find("Rows Removed by Filter") == std::string::npos);
  CHECK(plan.find("rows=1000 ") != std::string::npos);  // the 1000 keys k0990000 .. k0990999
}

}  // namespace castor::testing
