#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "application/metrics.h"
#include "application/periodic_task.h"
#include "domain/error.h"
#include "domain/storage_class.h"
#include "infrastructure/pg_timeouts.h"

namespace castor {

class PgConnectionPool;

// The share of a table of `table_pages` pages that one refresh samples, in percent: 100 up to a
// fixed budget of pages, less beyond, so that a refresh reads a bounded number of pages however
// large the table grows.
double sample_percent(std::uint64_t table_pages);

// Refreshes the storage figures of Metrics (castor_objects, castor_stored_bytes, castor_blobs,
// castor_blob_bytes, castor_storage_free_bytes, castor_storage_capacity_bytes) every `interval`
// on a thread of its own, so that a scrape never queries the database. Per refresh: two
// aggregate queries over `objects` and `blobs` on a PostgreSQL connection of its own (one more
// connection per process, outside the pool, under `timeouts`) and statvfs on each storage root.
// The queries are exact while a table is small and estimates from a page sample (TABLESAMPLE
// SYSTEM, see sample_percent) once it is large. Failures are logged (a warning when they start,
// info when they end) and retried at the next period, never thrown; the figures of the part that
// failed keep their previous values.
class StorageStatsRefresher {
 public:
  struct Root {
    StorageClass storage_class;
    std::filesystem::path path;
  };

  // `metrics` must outlive this object. `database_url` is a libpq URI or key=value string.
  StorageStatsRefresher(Metrics& metrics, std::string database_url, std::vector<Root> roots,
                        std::chrono::seconds interval, PgTimeouts timeouts = {});
  // Calls stop().
  ~StorageStatsRefresher();
  StorageStatsRefresher(const StorageStatsRefresher&) = delete;
  StorageStatsRefresher& operator=(const StorageStatsRefresher&) = delete;

  // Starts the thread: a first refresh at once, then one every interval. Call at most once.
  void start();
  // Wakes the thread and waits for the refresh in progress, if any (bounded by the timeouts
  // above), to end. Idempotent.
  void stop();

  // One refresh on the calling thread (blocking): sets what could be gathered and returns the
  // first error (Unavailable when the database cannot be queried, Internal when a storage root
  // cannot be stat'ed). Thread-safe (serialised with the thread's refreshes).
  Status refresh_once();

 private:
  Status refresh_database(StorageStats& stats);
  Status refresh_filesystems(StorageStats& stats);

  Metrics& metrics_;
  const std::unique_ptr<PgConnectionPool> pool_;  // one connection, reopened after it breaks
  const std::vector<Root> roots_;
  const std::chrono::seconds interval_;

  std::mutex refresh_mu_;  // serialises refresh_once()
  bool failing_ = false;   // guarded by refresh_mu_: last refresh failed

  PeriodicTask task_;  // last: its thread uses the members above
};

}  // namespace castor
