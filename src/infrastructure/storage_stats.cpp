#include "infrastructure/storage_stats.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>

#include <spdlog/spdlog.h>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "domain/object.h"
#include "infrastructure/pg_connection_pool.h"

namespace castor {
namespace {

// Pages read per table and refresh, at most (8 MiB at the default block size).
constexpr std::uint64_t kSampledPages = 1024;

constexpr ObjectStatus kStatuses[] = {ObjectStatus::kWriting, ObjectStatus::kCommitted,
                                      ObjectStatus::kDeleting, ObjectStatus::kDeleted};

std::uint64_t non_negative(std::int64_t value) {
  return value < 0 ? 0 : static_cast<std::uint64_t>(value);
}

}  // namespace

double sample_percent(std::uint64_t table_pages) {
  if (table_pages <= kSampledPages) {
    return 100.0;
  }
  return 100.0 * static_cast<double>(kSampledPages) / static_cast<double>(table_pages);
}

StorageStatsRefresher::StorageStatsRefresher(Metrics& metrics, std::string database_url,
                                             std::vector<Root> roots, std::chrono::seconds interval,
                                             PgTimeouts timeouts)
    : metrics_(metrics),
      pool_(std::make_unique<PgConnectionPool>(
          std::move(database_url), 1,
          [](pqxx::connection& conn) {
            pqxx::nontransaction setup(conn);
            setup.exec("SET application_name = 'castor-storage-stats'");
            setup.commit();
          },
          timeouts)),
      roots_(std::move(roots)),
      interval_(interval),
      task_(
          interval, [this] { (void)refresh_once(); },  // logged inside; the next period retries
          PeriodicTask::FirstRun::kAtOnce) {}

StorageStatsRefresher::~StorageStatsRefresher() { stop(); }

void StorageStatsRefresher::start() { task_.start(); }

void StorageStatsRefresher::stop() { task_.stop(); }

Status StorageStatsRefresher::refresh_once() {
  std::lock_guard lock(refresh_mu_);
  StorageStats stats;
  Status database = refresh_database(stats);
  Status filesystems = refresh_filesystems(stats);
  metrics_.set_storage_stats(stats);
  Status result = !database ? database : filesystems;
  if (!result && !failing_) {
    spdlog::warn("storage stats refresh failed (retrying every {}s): {}", interval_.count(),
                 result.error().message);
  } else if (!result) {
    spdlog::debug("storage stats refresh failed again: {}", result.error().message);
  } else if (failing_) {
    spdlog::info("storage stats refresh recovered");
  }
  failing_ = !result;
  return result;
}

Status StorageStatsRefresher::refresh_database(StorageStats& stats) {
  auto lease = pool_->acquire();
  if (!lease) {
    return Error{ErrorCode::kUnavailable, "database: " + lease.error().message};
  }
  try {
    PgCallDeadline::Use use(*lease);
    std::vector<StorageStats::Objects> objects;
    std::vector<StorageStats::Blobs> blobs;
    for (StorageClass storage_class : kAllStorageClasses) {
      for (ObjectStatus status : kStatuses) {
        objects.push_back({std::string(to_string(storage_class)), std::string(to_string(status))});
      }
      blobs.push_back({std::string(to_string(storage_class))});
    }
    pqxx::read_transaction tx(**lease);
    // The table's size in pages decides the sample: whole tables while small, a fixed number of
    // pages (TABLESAMPLE SYSTEM) once large, scaled up. Cost per refresh stays bounded.
    auto percent_of = [&](const char* table) {
      PgCallDeadline deadline;
      auto r = tx.exec_params(
          "SELECT pg_relation_size($1::regclass) / current_setting('block_size')::bigint", table);
      return sample_percent(non_negative(r[0][0].as<std::int64_t>()));
    };
    auto scaled = [](std::int64_t sampled, double percent) {
      return percent >= 100.0 ? non_negative(sampled)
                              : static_cast<std::uint64_t>(
                                    static_cast<double>(non_negative(sampled)) * 100.0 / percent);
    };
    const double objects_percent = percent_of("objects");
    pqxx::result object_rows;
    {
      PgCallDeadline deadline;
      object_rows = tx.exec_params(
          "SELECT storage_class, status, count(*), COALESCE(sum(size_bytes), 0)::bigint "
          "FROM objects TABLESAMPLE SYSTEM ($1) GROUP BY 1, 2",
          objects_percent);
    }
    for (const auto& row : object_rows) {
      const auto storage_class = row[0].as<std::string>();
      const auto status = row[1].as<std::string>();
      auto it = std::find_if(objects.begin(), objects.end(), [&](const auto& o) {
        return o.storage_class == storage_class && o.status == status;
      });
      if (it == objects.end()) {
        it = objects.insert(objects.end(), {storage_class, status});
      }
      it->count = scaled(row[2].as<std::int64_t>(), objects_percent);
      it->bytes = scaled(row[3].as<std::int64_t>(), objects_percent);
    }
    const double blobs_percent = percent_of("blobs");
    pqxx::result blob_rows;
    {
      PgCallDeadline deadline;
      blob_rows = tx.exec_params(
          "SELECT storage_class, count(*), COALESCE(sum(size_bytes), 0)::bigint "
          "FROM blobs TABLESAMPLE SYSTEM ($1) GROUP BY 1",
          blobs_percent);
    }
    for (const auto& row : blob_rows) {
      const auto storage_class = row[0].as<std::string>();
      auto it = std::find_if(blobs.begin(), blobs.end(),
                             [&](const auto& b) { return b.storage_class == storage_class; });
      if (it == blobs.end()) {
        it = blobs.insert(blobs.end(), {storage_class});
      }
      it->count = scaled(row[1].as<std::int64_t>(), blobs_percent);
      it->bytes = scaled(row[2].as<std::int64_t>(), blobs_percent);
    }
    {
      PgCallDeadline deadline;
      tx.commit();
    }
    stats.objects = std::move(objects);
    stats.blobs = std::move(blobs);
    return {};
  } catch (const std::exception& e) {
    // A broken or cut connection is dropped by the pool and reopened next time.
    return Error{ErrorCode::kUnavailable, std::string("database: ").append(e.what())};
  }
}

Status StorageStatsRefresher::refresh_filesystems(StorageStats& stats) {
  Status result;
  std::vector<StorageStats::Filesystem> filesystems;
  for (const Root& root : roots_) {
    struct statvfs fs {};
    if (statvfs(root.path.c_str(), &fs) != 0) {
      const int error = errno;
      if (result) {
        result = internal_error(std::string("statvfs ")
                                    .append(root.path.string())
                                    .append(": ")
                                    .append(std::strerror(error)));
      }
      continue;
    }
    filesystems.push_back({std::string(to_string(root.storage_class)),
                           static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize,
                           static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize});
  }
  stats.filesystems = std::move(filesystems);
  return result;
}

}  // namespace castor
