#include "application/metrics.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <charconv>
#include <chrono>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <tuple>
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

constexpr std::array<HttpRoute, kHttpRouteCount> kRoutes = {
    HttpRoute::kHealth,    HttpRoute::kReady,        HttpRoute::kMetrics,
    HttpRoute::kObjects,   HttpRoute::kObjectById,   HttpRoute::kObjectByKey,
    HttpRoute::kAdminGc,   HttpRoute::kAdminApiKeys, HttpRoute::kAdminApiKey,
    HttpRoute::kAdminFsck, HttpRoute::kBlob,         HttpRoute::kBlobsPreflight,
    HttpRoute::kBundles,   HttpRoute::kBundle,       HttpRoute::kBundleDownload,
    HttpRoute::kUnknown};
constexpr std::array<HttpMethod, kHttpMethodCount> kMethods = {
    HttpMethod::kGet, HttpMethod::kHead,   HttpMethod::kPost,
    HttpMethod::kPut, HttpMethod::kDelete, HttpMethod::kOther};

using Label = std::pair<std::string_view, std::string_view>;

// Appends `value` as the exposition format writes floats: shortest round-trip form, +Inf, -Inf,
// NaN.
void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    assert(ec == std::errc());
    out.append(buf, end);
  }
}

void append_number(std::string& out, std::uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  assert(ec == std::errc());
  out.append(buf, end);
}

// Label values escape backslash, double quote and line feed; HELP text backslash and line feed.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// Writes families and samples in the text exposition format.
class Exposition {
 public:
  explicit Exposition(std::string& out) : out_(out) {}

  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_.append("# HELP ").append(name).append(" ");
    append_escaped(out_, help, false);
    out_.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
  }

  template <class Number>
  void sample(std::string_view name, std::initializer_list<Label> labels, Number value,
              std::string_view suffix = {}, const Label* extra = nullptr) {
    out_.append(name).append(suffix);
    if (labels.size() > 0 || extra != nullptr) {
      out_ += '{';
      bool first = true;
      auto label = [&](const Label& l) {
        if (!first) {
          out_ += ',';
        }
        first = false;
        out_.append(l.first).append("=\"");
        append_escaped(out_, l.second, true);
        out_ += '"';
      };
      for (const Label& l : labels) {
        label(l);
      }
      if (extra != nullptr) {
        label(*extra);
      }
      out_ += '}';
    }
    out_ += ' ';
    append_number(out_, value);
    out_ += '\n';
  }

  void histogram(std::string_view name, std::initializer_list<Label> labels,
                 const Histogram::Snapshot& s) {
    std::string le;
    for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
      le.clear();
      if (i < s.upper_bounds.size()) {
        append_number(le, s.upper_bounds[i]);
      } else {
        le = "+Inf";
      }
      const Label le_label{"le", le};
      sample(name, labels, s.cumulative[i], "_bucket", &le_label);
    }
    sample(name, labels, s.sum, "_sum");
    sample(name, labels, s.count, "_count");
  }

 private:
  std::string& out_;
};

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

// --- labels ----------------------------------------------------------------------------------

std::string_view route_pattern(HttpRoute route) {
  switch (route) {
    case HttpRoute::kHealth:
      return "/health";
    case HttpRoute::kReady:
      return "/ready";
    case HttpRoute::kMetrics:
      return "/metrics";
    case HttpRoute::kObjects:
      return "/v1/objects";
    case HttpRoute::kObjectById:
      return "/v1/objects/{id}";
    case HttpRoute::kObjectByKey:
      return "/v1/objects/by-key/{namespace}/{tenant}/{key}";
    case HttpRoute::kAdminGc:
      return "/v1/admin/gc";
    case HttpRoute::kAdminApiKeys:
      return "/v1/admin/api-keys";
    case HttpRoute::kAdminApiKey:
      return "/v1/admin/api-keys/{id}";
    case HttpRoute::kAdminFsck:
      return "/v1/admin/fsck";
    case HttpRoute::kBlob:
      return "/v1/blobs/{sha256}";
    case HttpRoute::kBlobsPreflight:
      return "/v1/blobs/preflight";
    case HttpRoute::kBundles:
      return "/v1/bundles";
    case HttpRoute::kBundle:
      return "/v1/bundles/{id}";
    case HttpRoute::kBundleDownload:
      return "/v1/bundles/{id}/download";
    case HttpRoute::kUnknown:
      break;
  }
  return "unmatched";
}

std::string_view method_name(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kHead:
      return "HEAD";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kPut:
      return "PUT";
    case HttpMethod::kDelete:
      return "DELETE";
    case HttpMethod::kOther:
      break;
  }
  return "OTHER";
}

HttpMethod parse_http_method(std::string_view token) {
  for (HttpMethod m : kMethods) {
    if (m != HttpMethod::kOther && method_name(m) == token) {
      return m;
    }
  }
  return HttpMethod::kOther;
}

// --- Metrics -----------------------------------------------------------------------------------

struct Metrics::HttpSeries {
  explicit HttpSeries(const std::vector<double>& buckets) : duration(buckets) {}
  std::array<Counter, kStatusSlots> requests;  // by status_index()
  Counter bytes_in;
  Counter bytes_out;
  Histogram duration;  // its count says whether this (route, method) was ever seen
};

Metrics::Metrics(const std::vector<double>& duration_buckets) : gc_duration_(duration_buckets) {
  http_.reserve(kHttpRouteCount * kHttpMethodCount);
  for (std::size_t i = 0; i < kHttpRouteCount * kHttpMethodCount; ++i) {
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

Metrics::HttpSeries& Metrics::http_series(HttpRoute route, HttpMethod method) noexcept {
  auto r = static_cast<std::size_t>(route);
  auto m = static_cast<std::size_t>(method);
  if (r >= kHttpRouteCount) {
    r = static_cast<std::size_t>(HttpRoute::kUnknown);
  }
  if (m >= kHttpMethodCount) {
    m = static_cast<std::size_t>(HttpMethod::kOther);
  }
  return *http_[r * kHttpMethodCount + m];
}

void Metrics::http_request_started() noexcept { http_in_flight_.add(1); }

void Metrics::http_request_finished(HttpRoute route, HttpMethod method, int status,
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

std::string Metrics::render(const std::vector<std::string>& extra_families) const {
  std::string out;
  out.reserve(16 * 1024);
  Exposition x(out);

  // HTTP. A (route, method) pair appears once a request for it finished.
  x.family("castor_http_requests_total", "counter",
           "HTTP requests answered, by method, route pattern and status code.");
  for (HttpRoute route : kRoutes) {
    for (HttpMethod method : kMethods) {
      const HttpSeries& s = *http_[static_cast<std::size_t>(route) * kHttpMethodCount +
                                   static_cast<std::size_t>(method)];
      for (std::size_t i = 0; i < kStatusSlots; ++i) {
        const std::uint64_t n = s.requests[i].value();
        if (n == 0) {
          continue;
        }
        const std::string status =
            i == kOtherStatus ? "other" : std::to_string(kFirstStatus + static_cast<int>(i));
        x.sample(
            "castor_http_requests_total",
            {{"method", method_name(method)}, {"route", route_pattern(route)}, {"status", status}},
            n);
      }
    }
  }
  x.family("castor_http_request_duration_seconds", "histogram",
           "Time from reading a request to sending the last byte of its response, in seconds.");
  for (HttpRoute route : kRoutes) {
    for (HttpMethod method : kMethods) {
      const HttpSeries& s = *http_[static_cast<std::size_t>(route) * kHttpMethodCount +
                                   static_cast<std::size_t>(method)];
      if (s.duration.count() > 0) {
        x.histogram("castor_http_request_duration_seconds",
                    {{"method", method_name(method)}, {"route", route_pattern(route)}},
                    s.duration.snapshot());
      }
    }
  }
  x.family("castor_http_in_flight_requests", "gauge", "HTTP requests being handled right now.");
  x.sample("castor_http_in_flight_requests", {}, http_in_flight_.value());
  const std::pair<const char*, Counter HttpSeries::*> kByteFamilies[] = {
      {"castor_http_request_bytes_total", &HttpSeries::bytes_in},
      {"castor_http_response_bytes_total", &HttpSeries::bytes_out}};
  for (const auto& [name, member] : kByteFamilies) {
    x.family(name, "counter",
             member == &HttpSeries::bytes_in
                 ? "Bytes of HTTP request bodies received, by method and route pattern."
                 : "Bytes of HTTP response bodies sent, by method and route pattern.");
    for (HttpRoute route : kRoutes) {
      for (HttpMethod method : kMethods) {
        const HttpSeries& s = *http_[static_cast<std::size_t>(route) * kHttpMethodCount +
                                     static_cast<std::size_t>(method)];
        if (s.duration.count() > 0) {
          x.sample(name, {{"method", method_name(method)}, {"route", route_pattern(route)}},
                   (s.*member).value());
        }
      }
    }
  }

  // Garbage collection.
  x.family("castor_gc_runs_total", "counter",
           "Garbage-collection cycles run by this process, by result (success, failure).");
  x.sample("castor_gc_runs_total", {{"result", "success"}}, gc_runs_[0].value());
  x.sample("castor_gc_runs_total", {{"result", "failure"}}, gc_runs_[1].value());
  const std::tuple<const char*, const char*, const Counter*> kGcCounters[] = {
      {"castor_gc_deleted_blobs_total", "Blobs (content files and rows) deleted by the GC.",
       &gc_deleted_blobs_},
      {"castor_gc_reclaimed_bytes_total", "Bytes of the blobs deleted by the GC.",
       &gc_reclaimed_bytes_},
      {"castor_gc_expired_writing_total",
       "Abandoned WRITING objects (unfinished uploads) removed by the GC.", &gc_expired_writing_},
      {"castor_gc_tombstoned_objects_total", "DELETING objects marked DELETED by the GC.",
       &gc_tombstoned_objects_},
      {"castor_gc_removed_temp_files_total", "Stale temporary upload files removed by the GC.",
       &gc_removed_temp_files_},
      {"castor_gc_removed_orphan_files_total",
       "Content files without a blob row (left by a crash) removed by the GC.",
       &gc_removed_orphan_files_},
      {"castor_gc_purged_tombstones_total",
       "Tombstones (DELETED objects) older than TOMBSTONE_RETENTION_SECONDS purged by the GC.",
       &gc_purged_tombstones_},
      {"castor_gc_item_failures_total",
       "Items the GC could not handle and skipped (a file it could not remove); retried by later "
       "cycles.",
       &gc_item_failures_},
      {"castor_scrub_verified_blobs_total", "Blobs whose content the scrubber re-hashed.",
       &scrub_verified_blobs_},
      {"castor_scrub_verified_bytes_total", "Bytes of content the scrubber re-hashed.",
       &scrub_verified_bytes_},
      {"castor_integrity_errors_total",
       "Stored contents newly found damaged: content that no longer matches its hash, or a "
       "referenced content file that is missing or unreadable. Any increase means data loss.",
       &integrity_errors_}};
  for (const auto& [name, help, counter] : kGcCounters) {
    x.family(name, "counter", help);
    x.sample(name, {}, counter->value());
  }
  x.family("castor_gc_last_run_timestamp_seconds", "gauge",
           "Unix time at which the last GC cycle of this process ended (0: none yet).");
  x.sample("castor_gc_last_run_timestamp_seconds", {}, gc_last_run_timestamp_.value());
  x.family("castor_gc_last_success_timestamp_seconds", "gauge",
           "Unix time at which the last successful GC cycle of this process ended (0: none yet).");
  x.sample("castor_gc_last_success_timestamp_seconds", {}, gc_last_success_timestamp_.value());
  x.family("castor_gc_duration_seconds", "histogram", "Duration of GC cycles, in seconds.");
  x.histogram("castor_gc_duration_seconds", {}, gc_duration_.snapshot());

  // Database.
  x.family("castor_db_query_duration_seconds", "histogram",
           "Duration of PostgreSQL calls by operation, in seconds.");
  for (std::size_t i = 0; i < kDbOperations.size(); ++i) {
    if (db_query_duration_[i]->count() > 0) {
      x.histogram("castor_db_query_duration_seconds", {{"operation", kDbOperations[i]}},
                  db_query_duration_[i]->snapshot());
    }
  }
  x.family("castor_db_pool_connections", "gauge",
           "PostgreSQL connections of this process's pool: idle, in_use, and max (pool size).");
  x.sample("castor_db_pool_connections", {{"state", "idle"}}, db_pool_[0].value());
  x.sample("castor_db_pool_connections", {{"state", "in_use"}}, db_pool_[1].value());
  x.sample("castor_db_pool_connections", {{"state", "max"}}, db_pool_[2].value());

  // Storage, refreshed periodically (copied under the mutex the refresher takes, not the request
  // path).
  StorageStats storage;
  std::optional<double> storage_timestamp;
  {
    std::lock_guard lock(storage_mu_);
    storage = storage_;
    storage_timestamp = storage_timestamp_;
  }
  x.family("castor_objects", "gauge", "Objects in the database by storage class and status.");
  std::vector<std::pair<std::string, std::uint64_t>> committed_bytes;  // per class, in order seen
  for (const auto& o : *storage.objects) {
    x.sample("castor_objects", {{"storage_class", o.storage_class}, {"status", o.status}}, o.count);
    auto it = std::find_if(committed_bytes.begin(), committed_bytes.end(),
                           [&](const auto& c) { return c.first == o.storage_class; });
    if (it == committed_bytes.end()) {
      it = committed_bytes.insert(committed_bytes.end(), {o.storage_class, 0});
    }
    if (o.status == "COMMITTED") {
      it->second += o.bytes;
    }
  }
  x.family("castor_stored_bytes", "gauge",
           "Logical bytes stored: the sum of the sizes of the COMMITTED objects, by storage "
           "class (before deduplication).");
  for (const auto& [storage_class, bytes] : committed_bytes) {
    x.sample("castor_stored_bytes", {{"storage_class", storage_class}}, bytes);
  }
  x.family("castor_blobs", "gauge", "Distinct contents (blob rows) by storage class.");
  for (const auto& b : *storage.blobs) {
    x.sample("castor_blobs", {{"storage_class", b.storage_class}}, b.count);
  }
  x.family("castor_blob_bytes", "gauge",
           "Physical bytes of content by storage class (after deduplication).");
  for (const auto& b : *storage.blobs) {
    x.sample("castor_blob_bytes", {{"storage_class", b.storage_class}}, b.bytes);
  }
  x.family("castor_storage_free_bytes", "gauge",
           "Bytes available to castor on the file system of each storage root.");
  for (const auto& f : *storage.filesystems) {
    x.sample("castor_storage_free_bytes", {{"storage_class", f.storage_class}}, f.free_bytes);
  }
  x.family("castor_storage_capacity_bytes", "gauge",
           "Size in bytes of the file system of each storage root.");
  for (const auto& f : *storage.filesystems) {
    x.sample("castor_storage_capacity_bytes", {{"storage_class", f.storage_class}},
             f.capacity_bytes);
  }
  x.family("castor_storage_stats_timestamp_seconds", "gauge",
           "Unix time of the last refresh of the object and blob figures from the database "
           "(0: none yet).");
  x.sample("castor_storage_stats_timestamp_seconds", {}, storage_timestamp.value_or(0));

  for (const std::string& family : extra_families) {
    out += family;
    if (!family.empty() && family.back() != '\n') {
      out += '\n';
    }
  }
  return out;
}

}  // namespace castor
