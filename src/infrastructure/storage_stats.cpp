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

namespace castor {
namespace {

constexpr ObjectStatus kStatuses[] = {ObjectStatus::kWriting, ObjectStatus::kCommitted,
                                      ObjectStatus::kDeleting, ObjectStatus::kDeleted};

// `url` with libpq's connect_timeout set (unless it already is), for URIs and key=value strings.
std::string with_connect_timeout(const std::string& url, int seconds) {
  if (url.find("connect_timeout") != std::string::npos) {
    return url;
  }
  const std::string setting = "connect_timeout=" + std::to_string(seconds);
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + setting;
  }
  return url.empty() ? setting : url + " " + setting;
}

std::uint64_t non_negative(std::int64_t value) {
  return value < 0 ? 0 : static_cast<std::uint64_t>(value);
}

}  // namespace

struct StorageStatsRefresher::Connection {
  std::unique_ptr<pqxx::connection> conn;
};

StorageStatsRefresher::StorageStatsRefresher(Metrics& metrics, std::string database_url,
                                             std::vector<Root> roots, std::chrono::seconds interval)
    : metrics_(metrics),
      database_url_(with_connect_timeout(database_url, 5)),
      roots_(std::move(roots)),
      interval_(interval),
      connection_(std::make_unique<Connection>()) {}

StorageStatsRefresher::~StorageStatsRefresher() { stop(); }

void StorageStatsRefresher::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      (void)refresh_once();  // logged inside; the next period retries
      lock.lock();
      wake_.wait_for(lock, interval_, [&] { return stopping_; });
    }
  });
}

void StorageStatsRefresher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

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
  try {
    if (!connection_->conn || !connection_->conn->is_open()) {
      connection_->conn.reset();
      auto conn = std::make_unique<pqxx::connection>(database_url_);
      pqxx::nontransaction setup(*conn);
      setup.exec("SET application_name = 'castor-storage-stats'");
      setup.exec("SET statement_timeout = '30s'");
      setup.commit();
      connection_->conn = std::move(conn);
    }
    std::vector<StorageStats::Objects> objects;
    std::vector<StorageStats::Blobs> blobs;
    for (StorageClass storage_class : kAllStorageClasses) {
      for (ObjectStatus status : kStatuses) {
        objects.push_back({std::string(to_string(storage_class)), std::string(to_string(status))});
      }
      blobs.push_back({std::string(to_string(storage_class))});
    }
    pqxx::read_transaction tx(*connection_->conn);
    for (const auto& row :
         tx.exec("SELECT storage_class, status, count(*), COALESCE(sum(size_bytes), 0)::bigint "
                 "FROM objects GROUP BY 1, 2")) {
      const auto storage_class = row[0].as<std::string>();
      const auto status = row[1].as<std::string>();
      auto it = std::find_if(objects.begin(), objects.end(), [&](const auto& o) {
        return o.storage_class == storage_class && o.status == status;
      });
      if (it == objects.end()) {
        it = objects.insert(objects.end(), {storage_class, status});
      }
      it->count = non_negative(row[2].as<std::int64_t>());
      it->bytes = non_negative(row[3].as<std::int64_t>());
    }
    for (const auto& row :
         tx.exec("SELECT storage_class, count(*), COALESCE(sum(size_bytes), 0)::bigint "
                 "FROM blobs GROUP BY 1")) {
      const auto storage_class = row[0].as<std::string>();
      auto it = std::find_if(blobs.begin(), blobs.end(),
                             [&](const auto& b) { return b.storage_class == storage_class; });
      if (it == blobs.end()) {
        it = blobs.insert(blobs.end(), {storage_class});
      }
      it->count = non_negative(row[1].as<std::int64_t>());
      it->bytes = non_negative(row[2].as<std::int64_t>());
    }
    tx.commit();
    stats.objects = std::move(objects);
    stats.blobs = std::move(blobs);
    return {};
  } catch (const std::exception& e) {
    connection_->conn.reset();  // reconnect next time; a broken or timed-out session is dropped
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
