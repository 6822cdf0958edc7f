#include "api/prometheus_text.h"

#include <atomic>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

namespace castor::api {
namespace {

// Metrics sized as main sizes the server's.
struct ServerMetrics : Metrics {
  ServerMetrics() : Metrics(http_route_labels().size(), http_method_labels().size()) {}
};

// The route number of a route label.
std::size_t route(std::string_view label) {
  const auto labels = http_route_labels();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == label) {
      return i;
    }
  }
  throw std::runtime_error("no route label " + std::string(label));
}

std::size_t method(std::string_view token) { return http_method_index(token); }

// One sample line: name, labels (unescaped) in order, and the value as written.
struct Sample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  std::string value;
};

// A strict reader of the text exposition format 0.0.4, enough to check what Metrics writes.
struct Scrape {
  std::map<std::string, int> help;          // family -> number of HELP lines
  std::map<std::string, std::string> type;  // family -> type
  std::map<std::string, int> type_lines;    // family -> number of TYPE lines
  std::vector<Sample> samples;

  // The value of the one sample named `name` with exactly `labels`; throws if absent.
  double value(const std::string& name,
               const std::vector<std::pair<std::string, std::string>>& labels = {}) const {
    const Sample* found = nullptr;
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) {
        if (found != nullptr) {
          throw std::runtime_error("duplicate sample " + name);
        }
        found = &s;
      }
    }
    if (found == nullptr) {
      throw std::runtime_error("no sample " + name);
    }
    if (found->value == "+Inf") {
      return INFINITY;
    }
    return std::stod(found->value);
  }
  bool has(const std::string& name,
           const std::vector<std::pair<std::string, std::string>>& labels = {}) const {
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) {
        return true;
      }
    }
    return false;
  }
  std::size_t count(const std::string& name) const {
    std::size_t n = 0;
    for (const Sample& s : samples) {
      n += s.name == name ? 1 : 0;
    }
    return n;
  }
};

bool is_name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

// The family a sample belongs to: histograms' _bucket/_sum/_count belong to their base name.
std::string family_of(const Scrape& scrape, const std::string& name) {
  if (scrape.type.contains(name)) {
    return name;
  }
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.ends_with(s)) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = scrape.type.find(base);
      if (it != scrape.type.end() && it->second == "histogram") {
        return base;
      }
    }
  }
  throw std::runtime_error("sample " + name + " has no TYPE line before it");
}

Scrape parse(const std::string& text) {
  Scrape scrape;
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    INFO(line);
    REQUIRE(!line.empty());
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const std::string rest = line.substr(7);
      const auto space = rest.find(' ');
      REQUIRE(space != std::string::npos);
      const std::string name = rest.substr(0, space);
      if (line[2] == 'H') {
        ++scrape.help[name];
      } else {
        // HELP comes first, TYPE before any sample of the family.
        REQUIRE(scrape.help.contains(name));
        const std::string type = rest.substr(space + 1);
        REQUIRE((type == "counter" || type == "gauge" || type == "histogram"));
        scrape.type[name] = type;
        ++scrape.type_lines[name];
      }
      continue;
    }
    REQUIRE(line[0] != '#');
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && is_name_char(line[i], i == 0)) {
      s.name += line[i++];
    }
    REQUIRE(!s.name.empty());
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (line.at(i) != '}') {
        std::string label;
        while (is_name_char(line.at(i), label.empty())) {
          label += line[i++];
        }
        REQUIRE(!label.empty());
        REQUIRE(line.at(i++) == '=');
        REQUIRE(line.at(i++) == '"');
        std::string value;
        while (line.at(i) != '"') {
          if (line[i] == '\\') {
            const char e = line.at(i + 1);
            REQUIRE((e == '\\' || e == '"' || e == 'n'));
            value += e == 'n' ? '\n' : e;
            i += 2;
          } else {
            value += line[i++];
          }
        }
        ++i;
        s.labels.emplace_back(label, value);
        if (line.at(i) == ',') {
          ++i;
        }
      }
      ++i;
    }
    REQUIRE(line.at(i++) == ' ');
    s.value = line.substr(i);
    REQUIRE(!s.value.empty());
    if (s.value != "+Inf" && s.value != "-Inf" && s.value != "NaN") {
      std::size_t used = 0;
      (void)std::stod(s.value, &used);
      REQUIRE(used == s.value.size());
    }
    (void)family_of(scrape, s.name);
    scrape.samples.push_back(std::move(s));
  }
  for (const auto& [name, n] : scrape.help) {
    INFO(name);
    CHECK(n == 1);
    CHECK(scrape.type_lines[name] == 1);
  }
  return scrape;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

// Checks a histogram series: buckets ascending and cumulative, +Inf == _count. Returns the
// cumulative counts by le.
std::map<std::string, double> check_histogram(const Scrape& scrape, const std::string& name,
                                              const Labels& labels) {
  std::map<std::string, double> by_le;
  double previous = 0;
  double previous_bound = -INFINITY;
  for (const Sample& s : scrape.samples) {
    if (s.name != name + "_bucket") {
      continue;
    }
    Labels rest = s.labels;
    REQUIRE(!rest.empty());
    REQUIRE(rest.back().first == "le");
    const std::string le = rest.back().second;
    rest.pop_back();
    if (rest != labels) {
      continue;
    }
    const double bound = le == "+Inf" ? INFINITY : std::stod(le);
    CHECK(bound > previous_bound);
    const double v = std::stod(s.value);
    CHECK(v >= previous);
    previous = v;
    previous_bound = bound;
    by_le[le] = v;
  }
  REQUIRE(by_le.contains("+Inf"));
  CHECK(by_le["+Inf"] == scrape.value(name + "_count", labels));
  return by_le;
}

const std::vector<std::string> kFamilies = {"castor_http_requests_total",
                                            "castor_http_request_duration_seconds",
                                            "castor_http_in_flight_requests",
                                            "castor_http_request_bytes_total",
                                            "castor_http_response_bytes_total",
                                            "castor_gc_runs_total",
                                            "castor_gc_deleted_blobs_total",
                                            "castor_gc_reclaimed_bytes_total",
                                            "castor_gc_expired_writing_total",
                                            "castor_gc_tombstoned_objects_total",
                                            "castor_gc_removed_temp_files_total",
                                            "castor_gc_removed_orphan_files_total",
                                            "castor_gc_purged_tombstones_total",
                                            "castor_gc_item_failures_total",
                                            "castor_scrub_verified_blobs_total",
                                            "castor_scrub_verified_bytes_total",
                                            "castor_integrity_errors_total",
                                            "castor_gc_last_run_timestamp_seconds",
                                            "castor_gc_last_success_timestamp_seconds",
                                            "castor_gc_duration_seconds",
                                            "castor_db_query_duration_seconds",
                                            "castor_db_pool_connections",
                                            "castor_objects",
                                            "castor_stored_bytes",
                                            "castor_blobs",
                                            "castor_blob_bytes",
                                            "castor_storage_free_bytes",
                                            "castor_storage_capacity_bytes",
                                            "castor_storage_stats_timestamp_seconds"};

TEST_CASE("a fresh registry declares every family once and has no labelled samples yet", "[unit]") {
  ServerMetrics metrics;
  const Scrape scrape = parse(render_prometheus_text(metrics));
  for (const std::string& family : kFamilies) {
    INFO(family);
    CHECK(scrape.help.contains(family));
    CHECK(scrape.type.contains(family));
  }
  CHECK(scrape.help.size() == kFamilies.size());
  CHECK(scrape.type.at("castor_http_requests_total") == "counter");
  CHECK(scrape.type.at("castor_http_request_duration_seconds") == "histogram");
  CHECK(scrape.type.at("castor_http_in_flight_requests") == "gauge");
  CHECK(scrape.type.at("castor_objects") == "gauge");
  CHECK(scrape.count("castor_http_requests_total") == 0);
  CHECK(scrape.count("castor_http_request_duration_seconds_bucket") == 0);
  CHECK(scrape.count("castor_db_query_duration_seconds_count") == 0);
  CHECK(scrape.value("castor_http_in_flight_requests") == 0);
  CHECK(scrape.value("castor_gc_deleted_blobs_total") == 0);
  CHECK(scrape.value("castor_gc_runs_total", {{"result", "success"}}) == 0);
  CHECK(scrape.value("castor_gc_runs_total", {{"result", "failure"}}) == 0);
  CHECK(scrape.value("castor_gc_last_run_timestamp_seconds") == 0);
  CHECK(scrape.value("castor_storage_stats_timestamp_seconds") == 0);
  // An unlabelled histogram is always there, with zeros.
  CHECK(check_histogram(scrape, "castor_gc_duration_seconds", {})["+Inf"] == 0);
  CHECK(scrape.value("castor_db_pool_connections", {{"state", "max"}}) == 0);
}

TEST_CASE("HTTP requests move the counters, the histogram and the in-flight gauge", "[unit]") {
  ServerMetrics metrics;
  for (int i = 0; i < 5; ++i) {
    metrics.http_request_started();
  }
  metrics.http_request_finished(route("/v1/objects/{id}"), method("GET"), 200, 0, 100, 0.003);
  metrics.http_request_finished(route("/v1/objects/{id}"), method("GET"), 200, 0, 150, 0.1);
  metrics.http_request_finished(route("/v1/objects/{id}"), method("GET"), 404, 0, 50, 0.2);
  metrics.http_request_finished(route("/v1/objects"), method("POST"), 201, 1000, 300, 1.5);
  const Scrape scrape = parse(render_prometheus_text(metrics));

  CHECK(scrape.value("castor_http_in_flight_requests") == 1);
  const Labels get_by_id = {{"method", "GET"}, {"route", "/v1/objects/{id}"}};
  auto with_status = [](Labels labels, const char* status) {
    labels.emplace_back("status", status);
    return labels;
  };
  CHECK(scrape.value("castor_http_requests_total", with_status(get_by_id, "200")) == 2);
  CHECK(scrape.value("castor_http_requests_total", with_status(get_by_id, "404")) == 1);
  CHECK(scrape.value("castor_http_requests_total",
                     {{"method", "POST"}, {"route", "/v1/objects"}, {"status", "201"}}) == 1);
  CHECK(scrape.count("castor_http_requests_total") == 3);  // only observed combinations
  CHECK(scrape.value("castor_http_request_bytes_total", get_by_id) == 0);
  CHECK(scrape.value("castor_http_response_bytes_total", get_by_id) == 300);
  CHECK(scrape.value("castor_http_request_bytes_total",
                     {{"method", "POST"}, {"route", "/v1/objects"}}) == 1000);
  CHECK(!scrape.has("castor_http_request_bytes_total",
                    {{"method", "DELETE"}, {"route", "/v1/objects/{id}"}}));

  auto buckets = check_histogram(scrape, "castor_http_request_duration_seconds", get_by_id);
  CHECK(buckets.size() == default_duration_buckets().size() + 1);
  CHECK(buckets["0.001"] == 0);
  CHECK(buckets["0.005"] == 1);
  CHECK(buckets["0.1"] == 2);  // an observation equal to a bound falls in that bucket (le)
  CHECK(buckets["0.25"] == 3);
  CHECK(buckets["+Inf"] == 3);
  CHECK(scrape.value("castor_http_request_duration_seconds_count", get_by_id) == 3);
  CHECK(scrape.value("castor_http_request_duration_seconds_sum", get_by_id) ==
        Approx(0.303).margin(1e-9));
  auto post = check_histogram(scrape, "castor_http_request_duration_seconds",
                              {{"method", "POST"}, {"route", "/v1/objects"}});
  CHECK(post["1"] == 0);
  CHECK(post["2.5"] == 1);
}

TEST_CASE("routes are labelled by pattern and odd statuses and methods are bounded", "[unit]") {
  const auto labels = http_route_labels();
  const std::set<std::string_view> distinct(labels.begin(), labels.end());
  CHECK(distinct.size() == labels.size());
  CHECK(labels.back() == "unmatched");
  // Which routes there are is router_test's business; here: every label once, patterns only.
  for (std::string_view label : labels) {
    CHECK((label == "unmatched" || label.starts_with("/")));
  }
  const auto methods = http_method_labels();
  CHECK(std::vector<std::string_view>(methods.begin(), methods.end()) ==
        std::vector<std::string_view>{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OTHER"});
  CHECK(methods[http_method_index("GET")] == "GET");
  CHECK(methods[http_method_index("DELETE")] == "DELETE");
  CHECK(methods[http_method_index("get")] == "OTHER");
  CHECK(methods[http_method_index("PATCH")] == "PATCH");
  CHECK(methods[http_method_index("PROPFIND")] == "OTHER");

  ServerMetrics metrics;
  metrics.http_request_started();
  metrics.http_request_finished(route("unmatched"), method("PROPFIND"), 999, 0, 0, 0);
  metrics.http_request_started();
  metrics.http_request_finished(route("unmatched"), method("PROPFIND"), 42, 0, 0, -1);
  metrics.http_request_started();
  metrics.http_request_finished(route("/health"), method("GET"), 599, 0, 0, NAN);
  const Scrape scrape = parse(render_prometheus_text(metrics));
  CHECK(scrape.value("castor_http_requests_total",
                     {{"method", "OTHER"}, {"route", "unmatched"}, {"status", "other"}}) == 2);
  CHECK(scrape.value("castor_http_requests_total",
                     {{"method", "GET"}, {"route", "/health"}, {"status", "599"}}) == 1);
  // Negative and NaN durations count as 0.
  const Labels health = {{"method", "GET"}, {"route", "/health"}};
  CHECK(check_histogram(scrape, "castor_http_request_duration_seconds", health)["0.001"] == 1);
  CHECK(scrape.value("castor_http_request_duration_seconds_sum", health) == 0);
  CHECK(scrape.value("castor_http_in_flight_requests") == 0);
}

TEST_CASE("GC cycles add up and stamp the time", "[unit]") {
  ServerMetrics metrics;
  CollectGarbage::Report report;
  report.deleted_blobs = 3;
  report.reclaimed_bytes = 4096;
  report.expired_writing_objects = 2;
  report.tombstoned_objects = 5;
  report.removed_temp_files = 1;
  report.removed_orphan_files = 7;
  report.purged_tombstones = 8;
  report.failed_items = 9;
  metrics.gc_cycle(report, 0.02, true);
  metrics.gc_cycle(report, 3, true);
  Scrape scrape = parse(render_prometheus_text(metrics));
  CHECK(scrape.value("castor_gc_runs_total", {{"result", "success"}}) == 2);
  CHECK(scrape.value("castor_gc_runs_total", {{"result", "failure"}}) == 0);
  CHECK(scrape.value("castor_gc_deleted_blobs_total") == 6);
  CHECK(scrape.value("castor_gc_reclaimed_bytes_total") == 8192);
  CHECK(scrape.value("castor_gc_expired_writing_total") == 4);
  CHECK(scrape.value("castor_gc_tombstoned_objects_total") == 10);
  CHECK(scrape.value("castor_gc_removed_temp_files_total") == 2);
  CHECK(scrape.value("castor_gc_removed_orphan_files_total") == 14);
  CHECK(scrape.value("castor_gc_purged_tombstones_total") == 16);
  CHECK(scrape.value("castor_gc_item_failures_total") == 18);
  const double last = scrape.value("castor_gc_last_run_timestamp_seconds");
  CHECK(last > 1.6e9);  // a Unix time in seconds
  CHECK(scrape.value("castor_gc_last_success_timestamp_seconds") == last);
  auto buckets = check_histogram(scrape, "castor_gc_duration_seconds", {});
  CHECK(buckets["0.025"] == 1);
  CHECK(buckets["5"] == 2);
  CHECK(scrape.value("castor_gc_duration_seconds_sum") == Approx(3.02));

  metrics.gc_cycle({}, 0.5, false);
  scrape = parse(render_prometheus_text(metrics));
  CHECK(scrape.value("castor_gc_runs_total", {{"result", "failure"}}) == 1);
  CHECK(scrape.value("castor_gc_deleted_blobs_total") == 6);
  CHECK(scrape.value("castor_gc_last_run_timestamp_seconds") >= last);
  CHECK(scrape.value("castor_gc_last_success_timestamp_seconds") == last);
  CHECK(scrape.value("castor_gc_duration_seconds_count") == 3);
}

TEST_CASE("database calls are timed by operation, unknown names as other", "[unit]") {
  ServerMetrics metrics;
  metrics.db_query("object_insert", 0.002);
  metrics.db_query("object_insert", 0.004);
  metrics.db_query("commit", 0.03);
  metrics.db_query("no such operation", 0.001);
  metrics.db_query("", 0.001);
  const Scrape scrape = parse(render_prometheus_text(metrics));
  CHECK(scrape.value("castor_db_query_duration_seconds_count", {{"operation", "object_insert"}}) ==
        2);
  CHECK(check_histogram(scrape, "castor_db_query_duration_seconds",
                        {{"operation", "object_insert"}})["0.0025"] == 1);
  CHECK(scrape.value("castor_db_query_duration_seconds_count", {{"operation", "commit"}}) == 1);
  CHECK(scrape.value("castor_db_query_duration_seconds_count", {{"operation", "other"}}) == 2);
  CHECK(!scrape.has("castor_db_query_duration_seconds_count", {{"operation", "begin"}}));
  CHECK(scrape.count("castor_db_query_duration_seconds_count") == 3);
}

TEST_CASE("the pool gauges and the storage figures are what was set", "[unit]") {
  ServerMetrics metrics;
  metrics.set_db_pool(3, 5, 8);
  StorageStats stats;
  stats.objects = {{"hot", "COMMITTED", 10, 1000},
                   {"hot", "WRITING", 2, 50},
                   {"hot", "DELETED", 4, 400},
                   {"cold", "COMMITTED", 1, 7}};
  stats.blobs = {{"hot", 6, 600}, {"cold", 1, 7}};
  stats.filesystems = {{"hot", 123456789, 987654321}, {"cold", 5, 10}};
  metrics.set_storage_stats(stats);
  Scrape scrape = parse(render_prometheus_text(metrics));
  CHECK(scrape.value("castor_db_pool_connections", {{"state", "idle"}}) == 3);
  CHECK(scrape.value("castor_db_pool_connections", {{"state", "in_use"}}) == 5);
  CHECK(scrape.value("castor_db_pool_connections", {{"state", "max"}}) == 8);
  CHECK(scrape.value("castor_objects", {{"storage_class", "hot"}, {"status", "WRITING"}}) == 2);
  CHECK(scrape.value("castor_objects", {{"storage_class", "cold"}, {"status", "COMMITTED"}}) == 1);
  CHECK(scrape.value("castor_stored_bytes", {{"storage_class", "hot"}}) == 1000);  // committed
  CHECK(scrape.value("castor_stored_bytes", {{"storage_class", "cold"}}) == 7);
  CHECK(scrape.value("castor_blobs", {{"storage_class", "hot"}}) == 6);
  CHECK(scrape.value("castor_blob_bytes", {{"storage_class", "hot"}}) == 600);
  CHECK(scrape.value("castor_storage_free_bytes", {{"storage_class", "hot"}}) == 123456789);
  CHECK(scrape.value("castor_storage_capacity_bytes", {{"storage_class", "hot"}}) == 987654321);
  const double refreshed = scrape.value("castor_storage_stats_timestamp_seconds");
  CHECK(refreshed > 1.6e9);

  // A refresh whose database part failed keeps the previous object and blob figures.
  StorageStats free_only;
  free_only.filesystems = {{"hot", 42, 987654321}};
  metrics.set_storage_stats(free_only);
  scrape = parse(render_prometheus_text(metrics));
  CHECK(scrape.value("castor_objects", {{"storage_class", "hot"}, {"status", "COMMITTED"}}) == 10);
  CHECK(scrape.value("castor_storage_free_bytes", {{"storage_class", "hot"}}) == 42);
  CHECK(!scrape.has("castor_storage_free_bytes", {{"storage_class", "cold"}}));
  CHECK(scrape.value("castor_storage_stats_timestamp_seconds") == refreshed);
}

TEST_CASE("label values are escaped", "[unit]") {
  ServerMetrics metrics;
  const std::string odd = "we\"ird\\cl\nass";
  StorageStats stats;
  stats.blobs = {{odd, 1, 2}};
  stats.objects = {{odd, "COMMITTED", 1, 2}};
  metrics.set_storage_stats(stats);
  const std::string text = render_prometheus_text(metrics);
  CHECK(text.find(R"(castor_blobs{storage_class="we\"ird\\cl\nass"} 1)") != std::string::npos);
  const Scrape scrape = parse(text);  // reads the escapes back
  CHECK(scrape.value("castor_blobs", {{"storage_class", odd}}) == 1);
  CHECK(scrape.value("castor_stored_bytes", {{"storage_class", odd}}) == 2);
}

TEST_CASE("extra families are appended verbatim", "[unit]") {
  ServerMetrics metrics;
  const Scrape scrape = parse(render_prometheus_text(
      metrics,
      {"# HELP extra_total An extra family.\n# TYPE extra_total counter\nextra_total 5\n",
       "# HELP extra_gauge Without a final newline.\n# TYPE extra_gauge gauge\nextra_gauge 1.5"}));
  CHECK(scrape.value("extra_total") == 5);
  CHECK(scrape.value("extra_gauge") == 1.5);
}

TEST_CASE("counts stay exact and scrapes consistent while threads record", "[unit]") {
  ServerMetrics metrics;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::atomic<bool> done{false};
  std::atomic<int> scrapes{0};
  std::atomic<bool> scrape_failed{false};
  // Catch2 assertions in this thread while the main thread only waits; a failed REQUIRE throws
  // here, so it is caught and reported after the join.
  std::thread scraper([&] {
    try {
      do {
        const Scrape scrape = parse(render_prometheus_text(metrics));
        const Labels labels = {{"method", "PUT"}, {"route", "/v1/admin/api-keys/{id}"}};
        if (scrape.has("castor_http_request_duration_seconds_count", labels)) {
          (void)check_histogram(scrape, "castor_http_request_duration_seconds", labels);
        }
        scrapes.fetch_add(1);
      } while (!done.load());
    } catch (...) {
      scrape_failed = true;
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&metrics, t] {
      for (int i = 0; i < kPerThread; ++i) {
        metrics.http_request_started();
        metrics.http_request_finished(route("/v1/admin/api-keys/{id}"), method("PUT"), 200 + t, 2,
                                      3, 0.001 * (i % 100));
        metrics.db_query("blob_find", 0.0001);
      }
    });
  }
  for (auto& w : workers) {
    w.join();
  }
  done = true;
  scraper.join();
  CHECK(!scrape_failed.load());
  CHECK(scrapes.load() > 0);
  const Scrape scrape = parse(render_prometheus_text(metrics));
  const Labels labels = {{"method", "PUT"}, {"route", "/v1/admin/api-keys/{id}"}};
  for (int t = 0; t < kThreads; ++t) {
    Labels with_status = labels;
    with_status.emplace_back("status", std::to_string(200 + t));
    CHECK(scrape.value("castor_http_requests_total", with_status) == kPerThread);
  }
  CHECK(scrape.value("castor_http_request_duration_seconds_count", labels) ==
        kThreads * kPerThread);
  CHECK(scrape.value("castor_http_request_bytes_total", labels) == 2.0 * kThreads * kPerThread);
  CHECK(scrape.value("castor_http_response_bytes_total", labels) == 3.0 * kThreads * kPerThread);
  CHECK(scrape.value("castor_http_in_flight_requests") == 0);
  CHECK(scrape.value("castor_db_query_duration_seconds_count", {{"operation", "blob_find"}}) ==
        kThreads * kPerThread);
}

}  // namespace
TEST_CASE("the scrubber's findings move the integrity counters", "[unit]") {
  ServerMetrics metrics;
  CHECK(parse(render_prometheus_text(metrics)).value("castor_integrity_errors_total") == 0);
  metrics.scrub_verified(1, 100);
  metrics.scrub_verified(1, 50);
  metrics.integrity_errors(1);
  const Scrape scrape = parse(render_prometheus_text(metrics));
  CHECK(scrape.type.at("castor_integrity_errors_total") == "counter");
  CHECK(scrape.value("castor_integrity_errors_total") == 1);
  CHECK(scrape.value("castor_scrub_verified_blobs_total") == 2);
  CHECK(scrape.value("castor_scrub_verified_bytes_total") == 150);
}

}  // namespace castor::api
