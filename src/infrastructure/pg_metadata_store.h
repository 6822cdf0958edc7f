#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "application/ports/metadata_store.h"
#include "infrastructure/pg_timeouts.h"

namespace castor {

class PgConnectionPool;

// MetadataStore on PostgreSQL through libpqxx, with a fixed pool of connections. Content locks are
// transaction-scoped advisory locks (pg_advisory_xact_lock) keyed by a hash of (class, content
// hash), so they hold across every process that shares the database. Thread-safe.
class PgMetadataStore final : public MetadataStore {
 public:
  // Connects lazily: creation never fails on an unreachable database; calls do (Unavailable).
  // `pool_size` is the most connections this process opens.
  // `observer`, if set, is told the duration of every statement (for metrics). `timeouts` bound
  // every wait on the database (see PgConnectionPool); a call cut by its deadline is Unavailable
  // and not retried.
  PgMetadataStore(std::string database_url, std::size_t pool_size,
                  std::function<void(std::string_view statement, double seconds)> observer = {},
                  PgTimeouts timeouts = {});
  ~PgMetadataStore() override;

  Status transact(const std::function<Status(MetadataTransaction&)>& work,
                  Mode mode = Mode::kReadWrite) override;

  // The connection pool's occupancy now, for metrics. Thread-safe; never blocks on the database.
  struct PoolStats {
    std::size_t idle = 0;    // open connections waiting for a caller
    std::size_t in_use = 0;  // connections leased to a caller
    std::size_t size = 0;    // the most connections this process opens
  };
  PoolStats pool_stats() const;

 private:
  // One attempt; clears `may_retry` when another attempt would only wait on the database again.
  Status transact_once(const std::function<Status(MetadataTransaction&)>& work, Mode mode,
                       bool& may_retry);

  std::unique_ptr<PgConnectionPool> pool_;
  const std::function<void(std::string_view, double)> observer_;
};

}  // namespace castor
