#include "api/prometheus_text.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <tuple>
#include <utility>

#include "api/routes.h"

namespace castor::api {
namespace {

constexpr std::array<std::string_view, 7> kMethodLabels = {"GET",   "HEAD",   "POST", "PUT",
                                                           "PATCH", "DELETE", "OTHER"};

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

std::span<const std::string_view> http_method_labels() { return kMethodLabels; }

std::size_t http_method_index(std::string_view token) {
  for (std::size_t i = 0; i + 1 < kMethodLabels.size(); ++i) {
    if (kMethodLabels[i] == token) {
      return i;
    }
  }
  return kMethodLabels.size() - 1;
}

std::span<const std::string_view> http_route_labels() { return RouteTable::get().labels(); }

std::string render_prometheus_text(const Metrics& metrics,
                                   const std::vector<std::string>& extra_families) {
  const Metrics::Snapshot s = metrics.snapshot();
  const std::span<const std::string_view> routes = http_route_labels();
  const std::span<const std::string_view> methods = http_method_labels();
  std::string out;
  out.reserve(16 * 1024);
  Exposition x(out);

  // HTTP. A (route, method) pair appears once a request for it finished.
  auto route_label = [&](std::size_t i) { return routes[std::min(i, routes.size() - 1)]; };
  auto method_label = [&](std::size_t i) { return methods[std::min(i, methods.size() - 1)]; };
  x.family("castor_http_requests_total", "counter",
           "HTTP requests answered, by method, route pattern and status code.");
  for (const Metrics::Snapshot::Http& h : s.http) {
    for (const auto& [status, n] : h.requests) {
      const std::string code = status == 0 ? "other" : std::to_string(status);
      x.sample(
          "castor_http_requests_total",
          {{"method", method_label(h.method)}, {"route", route_label(h.route)}, {"status", code}},
          n);
    }
  }
  x.family("castor_http_request_duration_seconds", "histogram",
           "Time from reading a request to sending the last byte of its response, in seconds.");
  for (const Metrics::Snapshot::Http& h : s.http) {
    if (h.duration.count > 0) {
      x.histogram("castor_http_request_duration_seconds",
                  {{"method", method_label(h.method)}, {"route", route_label(h.route)}},
                  h.duration);
    }
  }
  x.family("castor_http_in_flight_requests", "gauge", "HTTP requests being handled right now.");
  x.sample("castor_http_in_flight_requests", {}, s.http_in_flight);
  const std::pair<const char*, std::uint64_t Metrics::Snapshot::Http::*> kByteFamilies[] = {
      {"castor_http_request_bytes_total", &Metrics::Snapshot::Http::bytes_in},
      {"castor_http_response_bytes_total", &Metrics::Snapshot::Http::bytes_out}};
  for (const auto& [name, member] : kByteFamilies) {
    x.family(name, "counter",
             member == &Metrics::Snapshot::Http::bytes_in
                 ? "Bytes of HTTP request bodies received, by method and route pattern."
                 : "Bytes of HTTP response bodies sent, by method and route pattern.");
    for (const Metrics::Snapshot::Http& h : s.http) {
      if (h.duration.count > 0) {
        x.sample(name, {{"method", method_label(h.method)}, {"route", route_label(h.route)}},
                 h.*member);
      }
    }
  }

  // Garbage collection.
  x.family("castor_gc_runs_total", "counter",
           "Garbage-collection cycles run by this process, by result (success, failure).");
  x.sample("castor_gc_runs_total", {{"result", "success"}}, s.gc_runs_success);
  x.sample("castor_gc_runs_total", {{"result", "failure"}}, s.gc_runs_failure);
  const std::tuple<const char*, const char*, std::uint64_t> kGcCounters[] = {
      {"castor_gc_deleted_blobs_total", "Blobs (content files and rows) deleted by the GC.",
       s.gc_totals.deleted_blobs},
      {"castor_gc_reclaimed_bytes_total", "Bytes of the blobs deleted by the GC.",
       s.gc_totals.reclaimed_bytes},
      {"castor_gc_expired_writing_total",
       "Abandoned WRITING objects (unfinished uploads) removed by the GC.",
       s.gc_totals.expired_writing_objects},
      {"castor_gc_tombstoned_objects_total", "DELETING objects marked DELETED by the GC.",
       s.gc_totals.tombstoned_objects},
      {"castor_gc_removed_temp_files_total", "Stale temporary upload files removed by the GC.",
       s.gc_totals.removed_temp_files},
      {"castor_gc_removed_orphan_files_total",
       "Content files without a blob row (left by a crash) removed by the GC.",
       s.gc_totals.removed_orphan_files},
      {"castor_gc_purged_tombstones_total",
       "Tombstones (DELETED objects) older than TOMBSTONE_RETENTION_SECONDS purged by the GC.",
       s.gc_totals.purged_tombstones},
      {"castor_gc_item_failures_total",
       "Items the GC could not handle and skipped (a file it could not remove); retried by later "
       "cycles.",
       s.gc_totals.failed_items},
      {"castor_scrub_verified_blobs_total", "Blobs whose content the scrubber re-hashed.",
       s.scrub_verified_blobs},
      {"castor_scrub_verified_bytes_total", "Bytes of content the scrubber re-hashed.",
       s.scrub_verified_bytes},
      {"castor_integrity_errors_total",
       "Stored contents newly found damaged: content that no longer matches its hash, or a "
       "referenced content file that is missing or unreadable. Any increase means data loss.",
       s.integrity_errors}};
  for (const auto& [name, help, value] : kGcCounters) {
    x.family(name, "counter", help);
    x.sample(name, {}, value);
  }
  x.family("castor_gc_last_run_timestamp_seconds", "gauge",
           "Unix time at which the last GC cycle of this process ended (0: none yet).");
  x.sample("castor_gc_last_run_timestamp_seconds", {}, s.gc_last_run_timestamp);
  x.family("castor_gc_last_success_timestamp_seconds", "gauge",
           "Unix time at which the last successful GC cycle of this process ended (0: none yet).");
  x.sample("castor_gc_last_success_timestamp_seconds", {}, s.gc_last_success_timestamp);
  x.family("castor_gc_duration_seconds", "histogram", "Duration of GC cycles, in seconds.");
  x.histogram("castor_gc_duration_seconds", {}, s.gc_duration);

  // Database.
  x.family("castor_db_query_duration_seconds", "histogram",
           "Duration of PostgreSQL calls by operation, in seconds.");
  for (std::size_t i = 0; i < s.db_query_duration.size(); ++i) {
    if (s.db_query_duration[i].count > 0) {
      x.histogram("castor_db_query_duration_seconds", {{"operation", Metrics::kDbOperations[i]}},
                  s.db_query_duration[i]);
    }
  }
  x.family("castor_db_pool_connections", "gauge",
           "PostgreSQL connections of this process's pool: idle, in_use, and max (pool size).");
  x.sample("castor_db_pool_connections", {{"state", "idle"}}, s.db_pool_idle);
  x.sample("castor_db_pool_connections", {{"state", "in_use"}}, s.db_pool_in_use);
  x.sample("castor_db_pool_connections", {{"state", "max"}}, s.db_pool_max);

  // Storage, refreshed periodically.
  const StorageStats& storage = s.storage;
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
  x.sample("castor_storage_stats_timestamp_seconds", {}, s.storage_timestamp.value_or(0));

  for (const std::string& family : extra_families) {
    out += family;
    if (!family.empty() && family.back() != '\n') {
      out += '\n';
    }
  }
  return out;
}

}  // namespace castor::api
