#include "application/metrics.h"

#include <cstdint>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

// Metrics' counters and their snapshot; the Prometheus text is tested in
// tests/api/prometheus_text_test.cpp.
namespace castor {
namespace {

TEST_CASE("gauges hold doubles and add atomically", "[unit]") {
  Gauge gauge;
  CHECK(gauge.value() == 0);
  gauge.set(-2.5);
  gauge.add(1);
  CHECK(gauge.value() == -1.5);
  Histogram histogram({1, 2});
  histogram.observe(1);
  histogram.observe(1.5);
  histogram.observe(100);
  const Histogram::Snapshot s = histogram.snapshot();
  CHECK(s.cumulative == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(s.count == 3);
  CHECK(s.sum == Approx(102.5));
}

TEST_CASE("HTTP series are indexed by route and method numbers, out of range as the last",
          "[unit]") {
  Metrics metrics(3, 2);
  metrics.http_request_started();
  metrics.http_request_started();
  metrics.http_request_started();
  metrics.http_request_finished(0, 1, 200, 10, 20, 0.5);
  metrics.http_request_finished(7, 9, 404, 0, 5, 0.001);  // counts as route 2, method 1
  metrics.http_request_finished(2, 1, 1000, 0, 0, 0);     // a status outside 100..599
  const Metrics::Snapshot s = metrics.snapshot();
  CHECK(s.http_in_flight == 0);
  REQUIRE(s.http.size() == 2);  // only pairs with a request
  CHECK(s.http[0].route == 0);
  CHECK(s.http[0].method == 1);
  CHECK(s.http[0].requests == std::vector<std::pair<int, std::uint64_t>>{{200, 1}});
  CHECK(s.http[0].bytes_in == 10);
  CHECK(s.http[0].bytes_out == 20);
  CHECK(s.http[0].duration.count == 1);
  CHECK(s.http[0].duration.sum == Approx(0.5));
  CHECK(s.http[1].route == 2);
  CHECK(s.http[1].method == 1);
  CHECK(s.http[1].requests == std::vector<std::pair<int, std::uint64_t>>{{404, 1}, {0, 1}});
  CHECK(s.http[1].bytes_out == 5);
  CHECK(s.http[1].duration.count == 2);
}

TEST_CASE("a snapshot holds the GC, scrub, database and storage figures", "[unit]") {
  Metrics metrics(1, 1);
  CollectGarbage::Report report;
  report.deleted_blobs = 2;
  report.failed_items = 1;
  metrics.gc_cycle(report, 0.01, true);
  metrics.gc_cycle({}, 0.02, false);
  metrics.scrub_verified(1, 64);
  metrics.integrity_errors(1);
  metrics.db_query("commit", 0.003);
  metrics.set_db_pool(1, 2, 3);
  StorageStats stats;
  stats.blobs = {{"hot", 4, 400}};
  metrics.set_storage_stats(stats);
  const Metrics::Snapshot s = metrics.snapshot();
  CHECK(s.http.empty());
  CHECK(s.gc_runs_success == 1);
  CHECK(s.gc_runs_failure == 1);
  CHECK(s.gc_totals.deleted_blobs == 2);
  CHECK(s.gc_totals.failed_items == 1);
  CHECK(s.gc_duration.count == 2);
  CHECK(s.gc_last_run_timestamp >= s.gc_last_success_timestamp);
  CHECK(s.gc_last_success_timestamp > 1.6e9);
  CHECK(s.scrub_verified_blobs == 1);
  CHECK(s.scrub_verified_bytes == 64);
  CHECK(s.integrity_errors == 1);
  REQUIRE(s.db_query_duration.size() == Metrics::kDbOperations.size());
  for (std::size_t i = 0; i < Metrics::kDbOperations.size(); ++i) {
    INFO(Metrics::kDbOperations[i]);
    CHECK(s.db_query_duration[i].count == (Metrics::kDbOperations[i] == "commit" ? 1u : 0u));
  }
  CHECK(s.db_pool_idle == 1);
  CHECK(s.db_pool_in_use == 2);
  CHECK(s.db_pool_max == 3);
  REQUIRE(s.storage.blobs);
  CHECK(s.storage.blobs->size() == 1);
  REQUIRE(s.storage.objects);  // set (empty) from the start
  CHECK(s.storage.objects->empty());
  CHECK(!s.storage_timestamp);  // only objects and blobs together stamp it
}

}  // namespace
}  // namespace castor
