#include "infrastructure/storage_stats.h"

#include <string>

#include <catch2/catch.hpp>
#include <pqxx/connection>
#include <pqxx/transaction>

#include "api/prometheus_text.h"
#include "infrastructure/migrator.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace castor {
namespace {

using testing::TempDir;
using testing::TestDatabase;

// The value of the sample line that starts with `series` (name and labels, as rendered).
std::string sample(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) {
    return "<absent>";
  }
  const auto start = at + series.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

std::string hash(char c) { return std::string(64, c); }

TEST_CASE("the refresher reads object and blob figures and free space", "[pg]") {
  TestDatabase db = TestDatabase::create("castor_stats");
  REQUIRE(apply_migrations(db.url()));
  {
    pqxx::connection conn(db.url());
    pqxx::work tx(conn);
    auto object = [&](const char* id, const char* storage_class, const char* status,
                      const std::string& content_hash, long size) {
      tx.exec_params(
          "INSERT INTO objects (id, namespace, tenant_id, key, storage_class, status, "
          "content_hash, size_bytes, content_type, created_at, updated_at) "
          "VALUES ($1, 'ns', 't', NULL, $2, $3, $4, $5, 'x', now(), now())",
          id, storage_class, status, content_hash, size);
    };
    object("00000000-0000-4000-8000-000000000001", "hot", "COMMITTED", hash('a'), 100);
    object("00000000-0000-4000-8000-000000000002", "hot", "COMMITTED", hash('a'), 100);
    object("00000000-0000-4000-8000-000000000003", "hot", "DELETED", hash('b'), 5);
    object("00000000-0000-4000-8000-000000000004", "cold", "COMMITTED", hash('c'), 7);
    tx.exec(
        "INSERT INTO blobs (storage_class, content_hash, size_bytes, ref_count) VALUES "
        "('hot', '" +
        hash('a') + "', 100, 2), ('cold', '" + hash('c') + "', 7, 1)");
    tx.commit();
  }
  TempDir hot("castor-stats-hot"), cold("castor-stats-cold");
  Metrics metrics(1, 1);
  StorageStatsRefresher refresher(
      metrics, db.url(), {{StorageClass::kHot, hot.path()}, {StorageClass::kCold, cold.path()}},
      std::chrono::seconds(3600));
  REQUIRE(refresher.refresh_once());
  const std::string text = api::render_prometheus_text(metrics);
  INFO(text);
  CHECK(sample(text, R"(castor_objects{storage_class="hot",status="COMMITTED"})") == "2");
  CHECK(sample(text, R"(castor_objects{storage_class="hot",status="DELETED"})") == "1");
  CHECK(sample(text, R"(castor_objects{storage_class="hot",status="WRITING"})") == "0");
  CHECK(sample(text, R"(castor_objects{storage_class="cold",status="DELETING"})") == "0");
  CHECK(sample(text, R"(castor_stored_bytes{storage_class="hot"})") == "200");
  CHECK(sample(text, R"(castor_stored_bytes{storage_class="cold"})") == "7");
  CHECK(sample(text, R"(castor_blobs{storage_class="hot"})") == "1");
  CHECK(sample(text, R"(castor_blob_bytes{storage_class="hot"})") == "100");
  CHECK(sample(text, R"(castor_blob_bytes{storage_class="cold"})") == "7");
  CHECK(std::stod(sample(text, R"(castor_storage_free_bytes{storage_class="hot"})")) > 0);
  CHECK(std::stod(sample(text, R"(castor_storage_capacity_bytes{storage_class="cold"})")) > 0);
  CHECK(std::stod(sample(text, "castor_storage_stats_timestamp_seconds")) > 1.6e9);

  // The background thread refreshes at once after start() and stops promptly.
  Metrics fresh(1, 1);
  StorageStatsRefresher background(fresh, db.url(), {{StorageClass::kHot, hot.path()}},
                                   std::chrono::seconds(3600));
  background.start();
  for (int i = 0; i < 200 && sample(api::render_prometheus_text(fresh),
                                    "castor_storage_stats_timestamp_seconds") == "0";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto started = std::chrono::steady_clock::now();
  background.stop();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  CHECK(sample(api::render_prometheus_text(fresh), R"(castor_blobs{storage_class="hot"})") == "1");
}

TEST_CASE("an unreachable database is reported, free space still refreshed", "[pg]") {
  TempDir hot("castor-stats-hot");
  Metrics metrics(1, 1);
  // Nothing listens on port 1; connect_timeout keeps this short either way.
  StorageStatsRefresher refresher(
      metrics, "postgresql://castor@127.0.0.1:1/none",
      {{StorageClass::kHot, hot.path()}, {StorageClass::kCold, hot.path() / "missing"}},
      std::chrono::seconds(3600));
  auto status = refresher.refresh_once();
  REQUIRE(!status);
  CHECK(status.error().code == ErrorCode::kUnavailable);
  const std::string text = api::render_prometheus_text(metrics);
  CHECK(std::stod(sample(text, R"(castor_storage_free_bytes{storage_class="hot"})")) > 0);
  CHECK(sample(text, R"(castor_storage_free_bytes{storage_class="cold"})") == "<absent>");
  CHECK(sample(text, "castor_storage_stats_timestamp_seconds") == "0");
}

}  // namespace
}  // namespace castor
