#include "infrastructure/migrator.h"

#include <set>

#include <spdlog/spdlog.h>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "infrastructure/pg_errors.h"

namespace castor {
namespace {
// The advisory lock key that serialises migrations ("castor" in ASCII).
constexpr long long kMigrationLock = 0x636173746f72;
}  // namespace

Result<int> apply_migrations(const std::string& database_url) {
  return guarded([&]() -> Result<int> {
    pqxx::connection conn(database_url);
    pqxx::nontransaction session(conn);
    session.exec_params("SELECT pg_advisory_lock($1)", kMigrationLock);
    session.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version integer PRIMARY KEY, name text NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    std::set<int> applied;
    for (const auto& row : session.exec("SELECT version FROM schema_migrations")) {
      applied.insert(row[0].as<int>());
    }
    session.commit();
    int count = 0;
    for (const Migration& m : embedded_migrations()) {
      if (applied.contains(m.version)) {
        continue;
      }
      pqxx::work tx(conn);
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                     m.name);
      tx.commit();
      spdlog::info("applied migration {}", m.name);
      ++count;
    }
    pqxx::nontransaction unlock(conn);
    unlock.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLock);
    return count;
  });
}

Result<int> applied_migration_version(const std::string& database_url) {
  return guarded([&]() -> Result<int> {
    pqxx::connection conn(database_url);
    pqxx::nontransaction tx(conn);
    auto r = tx.exec(
        "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 "
        "ELSE (SELECT COALESCE(max(version), 0) FROM schema_migrations) END");
    return r[0][0].as<int>();
  });
}

}  // namespace castor
