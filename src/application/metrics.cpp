#include "application/metrics.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <chrono>
#include <cmath>
#include <functional>
#include <utility>

namespace castor {
namespace {

// Status codes 100..599 get a counter each; anything else shares the last one ("other").
constexpr int kFirstStatus = 100;
constexpr std::size_t kStatusSlots = 500 + 1;
constexpr std::size_t kOtherStatus = kStatusSlots - 1;

std::size_t status_index(int status) {
  if (status >= kFirstStatus && status < kFirstStatus + 500) {
    return static_cast<std::size_t>(status - kFirstStatus);
  }
  return kOtherStatus;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

// --- primitives ----------------------------------------------------------------------------------

void Gauge::set(double value) noexcept {
  bits_.store(std::bit_cast<std::uint64_t>(value), std::memory_order_relaxed);
}

void Gauge::add(double delta) noexcept {
  std::uint64_t old_bits = bits_.load(std::memory_order_relaxed);
  while (!bits_.compare_exchange_weak(
      old_bits, std::bit_cast<std::uint64_t>(std::bit_cast<double>(old_bits) + delta),
      std::memory_order_relaxed)) {
  }
}

double Gauge::value() const noexcept {
  return std::bit_cast<double>(bits_.load(std::memory_order_relaxed));
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds_.size() + 1)) {
  assert(std::adjacent_find(upper_bounds_.begin(), upper_bounds_.end(), std::greater_equal<>()) ==
         upper_bounds_.end());
  assert(std::all_of(upper_bounds_.begin(), upper_bounds_.end(),
                     [](double b) { return std::isfinite(b); }));
}

void Histogram::observe(double seconds) noexcept {
  if (!(seconds > 0)) {  // also NaN
    seconds = 0;
  }
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), seconds) -
      upper_bounds_.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  // 1.8e10 s is the most whole nanoseconds a uint64 holds.
  const double nanoseconds = std::min(seconds, 1.8e10) * 1e9;
  sum_nanoseconds_.fetch_add(static_cast<std::uint64_t>(std::llround(nanoseconds)),
                             std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = upper_bounds_;
  s.cumulative.resize(upper_bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = static_cast<double>(sum_nanoseconds_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

std::uint64_t Histogram::count() const noexcept {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
  }
  return total;
}

const std::vector<double>& default_duration_buckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                               0.5,   1,      2.5,   5,    10,    30,   60};
  return kBuckets;
}

// --- Metrics -----------------------------------------------------------------------------------

struct Metrics::HttpSeries {
  explicit HttpSeries(const std::vector<double>& buckets) : duration(buckets) {}
  std::array<Counter, kStatusSlots> requests;  // by status_index()
  Counter bytes_in;
  Counter bytes_out;
  Histogram duration;  // its count says whether this (route, method) was ever seen
};

Metrics::Metrics(std::size_t http_routes, std::size_t http_methods,
                 const std::vector<double>& duration_buckets)
    : http_routes_(std::max<std::size_t>(http_routes, 1)),
      http_methods_(std::max<std::size_t>(http_methods, 1)),
      gc_duration_(duration_buckets) {
  http_.reserve(http_routes_ * http_methods_);
  for (std::size_t i = 0; i < http_routes_ * http_methods_; ++i) {
    http_.push_back(std::make_unique<HttpSeries>(duration_buckets));
  }
  db_query_duration_.reserve(kDbOperations.size());
  for (std::size_t i = 0; i < kDbOperations.size(); ++i) {
    db_query_duration_.push_back(std::make_unique<Histogram>(duration_buckets));
  }
  storage_.objects.emplace();
  storage_.blobs.emplace();
  storage_.filesystems.emplace();
}

Metrics::~Metrics() = default;

Metrics::HttpSeries& Metrics::http_series(std::size_t route, std::size_t method) noexcept {
  route = std::min(route, http_routes_ - 1);
  method = std::min(method, http_methods_ - 1);
  return *http_[route * http_methods_ + method];
}

void Metrics::http_request_started() noexcept { http_in_flight_.add(1); }

void Metrics::http_request_finished(std::size_t route, std::size_t method, int status,
                                    std::uint64_t bytes_in, std::uint64_t bytes_out,
                                    double seconds) noexcept {
  http_in_flight_.add(-1);
  HttpSeries& series = http_series(route, method);
  series.requests[status_index(status)].inc();
  series.bytes_in.inc(bytes_in);
  series.bytes_out.inc(bytes_out);
  series.duration.observe(seconds);
}

void Metrics::scrub_verified(std::uint64_t blobs, std::uint64_t bytes) noexcept {
  scrub_verified_blobs_.inc(blobs);
  scrub_verified_bytes_.inc(bytes);
}

void Metrics::integrity_errors(std::uint64_t n) noexcept { integrity_errors_.inc(n); }

void Metrics::gc_cycle(const CollectGarbage::Report& report, double seconds, bool ok) noexcept {
  gc_runs_[ok ? 0 : 1].inc();
  gc_deleted_blobs_.inc(report.deleted_blobs);
  gc_reclaimed_bytes_.inc(report.reclaimed_bytes);
  gc_expired_writing_.inc(report.expired_writing_objects);
  gc_tombstoned_objects_.inc(report.tombstoned_objects);
  gc_removed_temp_files_.inc(report.removed_temp_files);
  gc_removed_orphan_files_.inc(report.removed_orphan_files);
  gc_purged_tombstones_.inc(report.purged_tombstones);
  gc_item_failures_.inc(report.failed_items);
  gc_duration_.observe(seconds);
  const double now = now_seconds();
  gc_last_run_timestamp_.set(now);
  if (ok) {
    gc_last_success_timestamp_.set(now);
  }
}

void Metrics::db_query(std::string_view operation, double seconds) noexcept {
  std::size_t i = 0;
  while (i + 1 < kDbOperations.size() && kDbOperations[i] != operation) {
    ++i;
  }
  db_query_duration_[i]->observe(seconds);  // i is "other"'s index when nothing matched
}

void Metrics::set_storage_stats(const StorageStats& stats) {
  const double now = now_seconds();
  std::lock_guard lock(storage_mu_);
  if (stats.objects) {
    storage_.objects = stats.objects;
  }
  if (stats.blobs) {
    storage_.blobs = stats.blobs;
  }
  if (stats.filesystems) {
    storage_.filesystems = stats.filesystems;
  }
  if (stats.objects && stats.blobs) {
    storage_timestamp_ = now;
  }
}

void Metrics::set_db_pool(std::size_t idle, std::size_t in_use, std::size_t size) noexcept {
  db_pool_[0].set(static_cast<double>(idle));
  db_pool_[1].set(static_cast<double>(in_use));
  db_pool_[2].set(static_cast<double>(size));
}

Metrics::Snapshot Metrics::snapshot() const {
  Snapshot s;
  for (std::size_t r = 0; r < http_routes_; ++r) {
    for (std::size_t m = 0; m < http_methods_; ++m) {
      const HttpSeries& series = *http_[r * http_methods_ + m];
      Snapshot::Http h;
      h.route = r;
      h.method = m;
      for (std::size_t i = 0; i < kStatusSlots; ++i) {
        if (const std::uint64_t n = series.requests[i].value(); n > 0) {
          h.requests.emplace_back(i == kOtherStatus ? 0 : kFirstStatus + static_cast<int>(i), n);
        }
      }
      if (h.requests.empty()) {
        continue;
      }
      h.bytes_in = series.bytes_in.value();
      h.bytes_out = series.bytes_out.value();
      h.duration = series.duration.snapshot();
      s.http.push_back(std::move(h));
    }
  }
  s.http_in_flight = http_in_flight_.value();

  s.gc_runs_success = gc_runs_[0].value();
  s.gc_runs_failure = gc_runs_[1].value();
  s.gc_totals.deleted_blobs = gc_deleted_blobs_.value();
  s.gc_totals.reclaimed_bytes = gc_reclaimed_bytes_.value();
  s.gc_totals.expired_writing_objects = gc_expired_writing_.value();
  s.gc_totals.tombstoned_objects = gc_tombstoned_objects_.value();
  s.gc_totals.removed_temp_files = gc_removed_temp_files_.value();
  s.gc_totals.removed_orphan_files = gc_removed_orphan_files_.value();
  s.gc_totals.purged_tombstones = gc_purged_tombstones_.value();
  s.gc_totals.failed_items = gc_item_failures_.value();
  s.gc_last_run_timestamp = gc_last_run_timestamp_.value();
  s.gc_last_success_timestamp = gc_last_success_timestamp_.value();
  s.gc_duration = gc_duration_.snapshot();

  s.scrub_verified_blobs = scrub_verified_blobs_.value();
  s.scrub_verified_bytes = scrub_verified_bytes_.value();
  s.integrity_errors = integrity_errors_.value();

  s.db_query_duration.reserve(db_query_duration_.size());
  for (const auto& h : db_query_duration_) {
    s.db_query_duration.push_back(h->snapshot());
  }
  s.db_pool_idle = db_pool_[0].value();
  s.db_pool_in_use = db_pool_[1].value();
  s.db_pool_max = db_pool_[2].value();

  // Copied under the mutex the refresher takes, never the request path.
  std::lock_guard lock(storage_mu_);
  s.storage = storage_;
  s.storage_timestamp = storage_timestamp_;
  return s;
}

}  // namespace castor
