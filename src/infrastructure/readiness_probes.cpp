#include "infrastructure/readiness_probes.h"

#include <pqxx/nontransaction>

#include "infrastructure/fs_blob_store.h"
#include "infrastructure/migrator.h"
#include "infrastructure/pg_connection_pool.h"
#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

// On a connection of its own (not from the requests' pool: a busy pool must not hide an outage,
// nor the probe wait behind busy requests), under the same deadlines as every database call.
class DatabaseProbe final : public ReadinessProbe {
 public:
  DatabaseProbe(std::string url, PgTimeouts timeouts)
      : pool_(std::move(url), 1, nullptr, timeouts) {}
  const char* name() const override { return "database"; }
  Status check() override {
    auto lease = pool_.acquire();
    if (!lease) {
      return Error{ErrorCode::kUnavailable, "database unreachable"};
    }
    auto version = guarded([&]() -> Result<int> {
      PgCallDeadline::Use use(*lease);
      PgCallDeadline deadline;
      pqxx::nontransaction tx(**lease);
      auto r = tx.exec(
          "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 "
          "ELSE (SELECT COALESCE(max(version), 0) FROM schema_migrations) END");
      return r[0][0].as<int>();
    });
    if (!version) {
      return Error{ErrorCode::kUnavailable, "database unreachable"};
    }
    const int expected = embedded_migrations().empty() ? 0 : embedded_migrations().back().version;
    if (*version != expected) {
      return Error{ErrorCode::kUnavailable, "migrations: database is at version " +
                                                std::to_string(*version) + ", expected " +
                                                std::to_string(expected)};
    }
    return {};
  }

 private:
  PgConnectionPool pool_;
};

class StorageProbe final : public ReadinessProbe {
 public:
  explicit StorageProbe(std::vector<std::filesystem::path> roots) : roots_(std::move(roots)) {}
  const char* name() const override { return "storage"; }
  Status check() override {
    for (const auto& root : roots_) {
      if (auto s = check_writable(root / ".tmp"); !s) {
        return s;
      }
    }
    return {};
  }

 private:
  std::vector<std::filesystem::path> roots_;
};

}  // namespace

std::vector<std::unique_ptr<ReadinessProbe>> make_readiness_probes(
    std::string database_url, std::vector<std::filesystem::path> storage_roots,
    PgTimeouts timeouts) {
  std::vector<std::unique_ptr<ReadinessProbe>> probes;
  probes.push_back(std::make_unique<DatabaseProbe>(std::move(database_url), timeouts));
  probes.push_back(std::make_unique<StorageProbe>(std::move(storage_roots)));
  return probes;
}

}  // namespace castor
