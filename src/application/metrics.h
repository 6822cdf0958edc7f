#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "application/collect_garbage.h"

namespace castor {

// A monotonically increasing count. Lock-free and thread-safe (relaxed atomics: a scrape may see
// one counter a little ahead of another, never a torn or decreasing value).
class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (a double kept as its bit pattern in an atomic word). Lock-free
// and thread-safe.
class Gauge {
 public:
  void set(double value) noexcept;
  // Adds `delta` (may be negative) atomically.
  void add(double delta) noexcept;
  double value() const noexcept;

 private:
  std::atomic<std::uint64_t> bits_{0};  // the bits of a double; 0 is +0.0
};

// A distribution of durations in fixed buckets. observe() is lock-free and thread-safe; snapshot()
// never blocks observe().
class Histogram {
 public:
  // A histogram's state at one moment, in the exposition format's terms.
  struct Snapshot {
    std::vector<double> upper_bounds;       // seconds, ascending, without +Inf
    std::vector<std::uint64_t> cumulative;  // observations <= each bound; one more entry: +Inf
    double sum = 0;                         // seconds
    std::uint64_t count = 0;                // == cumulative.back()
  };

  // `upper_bounds` in seconds: finite, strictly ascending (asserted). A +Inf bucket is implied.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Records one observation of `seconds` (negative and NaN count as 0). The sum is kept in whole
  // nanoseconds, so it is exact up to about 584 years of total time.
  void observe(double seconds) noexcept;

  // The counts so far. The count is the sum of the bucket counts read, so +Inf always equals
  // count even while other threads observe (the sum may then be a little behind or ahead).
  Snapshot snapshot() const;
  // Observations so far (cheap; used to skip never-observed label combinations).
  std::uint64_t count() const noexcept;

 private:
  const std::vector<double> upper_bounds_;
  const std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket, not cumulative
  std::atomic<std::uint64_t> sum_nanoseconds_{0};
};

// Prometheus-style latency buckets in seconds, 1 ms to 60 s.
const std::vector<double>& default_duration_buckets();

// What the database and the file systems hold, gathered periodically (see StorageStatsRefresher).
struct StorageStats {
  struct Objects {
    std::string storage_class;  // "hot", "cold"
    std::string status;         // "WRITING", "COMMITTED", "DELETING", "DELETED"
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;  // sum of size_bytes
  };
  struct Blobs {
    std::string storage_class;
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;  // physical bytes after deduplication
  };
  struct Filesystem {
    std::string storage_class;
    std::uint64_t free_bytes = 0;      // available to castor (statvfs f_bavail * f_frsize)
    std::uint64_t capacity_bytes = 0;  // size of the file system (f_blocks * f_frsize)
  };
  // Each field left empty (nullopt) keeps what the previous call set, so that a database outage
  // does not hide the free-space figures and vice versa.
  std::optional<std::vector<Objects>> objects;
  std::optional<std::vector<Blobs>> blobs;
  std::optional<std::vector<Filesystem>> filesystems;
};

// castor's metrics, one instance per process: counters, gauges and histograms, read through
// snapshot() (src/api renders them as Prometheus text). Thread-safe. The methods the request path
// calls (http_*, db_query) are lock-free and allocation-free; snapshot() takes no lock that they
// take, so a scrape never blocks a request. HTTP series are indexed by a route and a method
// number that the caller defines (the API's route table and method list); this class knows no
// routes.
class Metrics {
 public:
  // Names accepted by db_query(); anything else is counted as "other".
  static constexpr std::array<std::string_view, 50> kDbOperations = {
      "object_insert",
      "object_insert_small",
      "object_find",
      "object_find_by_key",
      "object_update",
      "object_remove",
      "object_list",
      "object_lock_batch",
      "object_using_content",
      "object_count_using_content",
      "object_purge_tombstones",
      "blob_add_ref",
      "blob_add_ref_inline",
      "blob_inline_content",
      "blob_release",
      "blob_find",
      "blob_missing",
      "blob_lock_unreferenced",
      "blob_remove_unreferenced",
      "blob_audit",
      "blob_audit_rowless",
      "blob_lock",
      "blob_set_ref_count",
      "blob_unverified_since",
      "blob_record_verification",
      "blob_count_live_refs",
      "blob_retain",
      "blob_grant",
      "blob_find_held",
      "blob_retain_held",
      "blob_not_held",
      "blob_lock_held",
      "blob_add_refs",
      "blob_lock_refs",
      "blob_release_refs",
      "bundle_insert",
      "bundle_insert_files",
      "bundle_list",
      "bundle_list_after",
      "bundle_find",
      "bundle_files",
      "bundle_lock",
      "bundle_references",
      "bundle_remove",
      "content_lock",
      "content_try_lock",
      "begin",
      "commit",
      "rollback",
      "other",
  };

  // HTTP series for `http_routes` x `http_methods` (route, method) pairs (each at least 1); by
  // convention the last route and the last method are the catch-alls ("unmatched", "OTHER").
  // `duration_buckets` (seconds) are used by every histogram.
  Metrics(std::size_t http_routes, std::size_t http_methods,
          const std::vector<double>& duration_buckets = default_duration_buckets());
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // A request was read (its header) and is being handled: castor_http_in_flight_requests + 1.
  // Every call must be paired with one http_request_finished().
  void http_request_started() noexcept;
  // The response to a request was sent (or the connection failed while sending it): in-flight - 1,
  // castor_http_requests_total{method,route,status} + 1 (a status outside 100..599 counts as
  // "other"), the request and response body sizes in bytes added to
  // castor_http_{request,response}_bytes_total{method,route}, and `seconds` (from the first byte
  // of the request to the last of the response) observed in
  // castor_http_request_duration_seconds{method,route}. A `route` or `method` out of range counts
  // as the last one (the catch-all).
  void http_request_finished(std::size_t route, std::size_t method, int status,
                             std::uint64_t bytes_in, std::uint64_t bytes_out,
                             double seconds) noexcept;

  // A garbage-collection cycle ended after `seconds`: castor_gc_runs_total{result} + 1 (`ok`
  // picks "success" or "failure"), the report's counts added to the castor_gc_* totals (pass an
  // empty report for a failed cycle), its duration observed, and castor_gc_last_run_timestamp_
  // seconds (and on success castor_gc_last_success_timestamp_seconds) set to now (wall clock).
  void gc_cycle(const CollectGarbage::Report& report, double seconds, bool ok) noexcept;

  // The scrubber re-hashed `blobs` blobs of `bytes` bytes in all:
  // castor_scrub_verified_blobs_total and castor_scrub_verified_bytes_total.
  void scrub_verified(std::uint64_t blobs, std::uint64_t bytes) noexcept;
  // `n` stored contents were newly found damaged (content that no longer matches its hash, or a
  // referenced content file that is missing or unreadable): castor_integrity_errors_total.
  void integrity_errors(std::uint64_t n) noexcept;

  // One database call named `operation` (one of kDbOperations, else counted as "other") took
  // `seconds`: castor_db_query_duration_seconds{operation}.
  void db_query(std::string_view operation, double seconds) noexcept;

  // Replaces the storage figures (castor_objects, castor_stored_bytes, castor_blobs,
  // castor_blob_bytes, castor_storage_free_bytes, castor_storage_capacity_bytes); when both
  // `objects` and `blobs` are given, also sets castor_storage_stats_timestamp_seconds to now.
  // castor_stored_bytes{storage_class} is the logical size of the COMMITTED objects. Takes a
  // mutex shared only with snapshot().
  void set_storage_stats(const StorageStats& stats);

  // castor_db_pool_connections{state="idle"|"in_use"|"max"}: open idle connections, connections
  // leased to a thread, and the pool's size. Call it periodically or just before snapshot().
  void set_db_pool(std::size_t idle, std::size_t in_use, std::size_t size) noexcept;

  // Everything at one moment (copies; each value read atomically, so one counter may be a little
  // ahead of another). Allocates; for scrapes, not the request path.
  struct Snapshot {
    struct Http {
      std::size_t route = 0;
      std::size_t method = 0;
      // (status, count) for each status answered at least once, ascending; status 0 stands for
      // the ones outside 100..599 ("other") and comes last.
      std::vector<std::pair<int, std::uint64_t>> requests;
      std::uint64_t bytes_in = 0;   // request body bytes
      std::uint64_t bytes_out = 0;  // response body bytes
      Histogram::Snapshot duration;
    };
    std::vector<Http> http;  // the (route, method) pairs with a request, by route then method
    double http_in_flight = 0;

    std::uint64_t gc_runs_success = 0;
    std::uint64_t gc_runs_failure = 0;
    CollectGarbage::Report gc_totals;      // the counts of every cycle added up (no failures list)
    double gc_last_run_timestamp = 0;      // Unix seconds, 0: none yet
    double gc_last_success_timestamp = 0;  // Unix seconds, 0: none yet
    Histogram::Snapshot gc_duration;

    std::uint64_t scrub_verified_blobs = 0;
    std::uint64_t scrub_verified_bytes = 0;
    std::uint64_t integrity_errors = 0;

    std::vector<Histogram::Snapshot> db_query_duration;  // indexed like kDbOperations
    double db_pool_idle = 0;
    double db_pool_in_use = 0;
    double db_pool_max = 0;

    StorageStats storage;                     // every field set (maybe empty)
    std::optional<double> storage_timestamp;  // Unix seconds of the last full refresh
  };
  Snapshot snapshot() const;

 private:
  struct HttpSeries;  // per (route, method)

  HttpSeries& http_series(std::size_t route, std::size_t method) noexcept;

  const std::size_t http_routes_;
  const std::size_t http_methods_;
  Gauge http_in_flight_;
  std::vector<std::unique_ptr<HttpSeries>> http_;  // http_routes_ * http_methods_, by route

  std::array<Counter, 2> gc_runs_;  // [0] success, [1] failure
  Counter gc_deleted_blobs_;
  Counter gc_reclaimed_bytes_;
  Counter gc_expired_writing_;
  Counter gc_tombstoned_objects_;
  Counter gc_removed_temp_files_;
  Counter gc_removed_orphan_files_;
  Counter gc_purged_tombstones_;
  Counter gc_item_failures_;
  Counter scrub_verified_blobs_;
  Counter scrub_verified_bytes_;
  Counter integrity_errors_;
  Gauge gc_last_run_timestamp_;
  Gauge gc_last_success_timestamp_;
  Histogram gc_duration_;

  std::vector<std::unique_ptr<Histogram>> db_query_duration_;  // indexed like kDbOperations

  std::array<Gauge, 3> db_pool_;  // idle, in_use, max

  mutable std::mutex storage_mu_;  // never taken on the request path
  StorageStats storage_;           // guarded by storage_mu_; every field set (maybe empty)
  std::optional<double> storage_timestamp_;  // guarded by storage_mu_
};

}  // namespace castor
