#pragma once

#include <cstddef>
#include <cstdint>

namespace castor {

// How `castor serve` spends its file descriptors. A connection holds at most two: its socket and
// one file (an upload's temp file or a download's content file). Beside connections, a fixed
// reserve stays free for everything a connection flood must never starve:
//   kBaseReserve       stdio, log files, epoll, eventfd, signal pipe, listening sockets, the
//                      readiness probe's directory checks and its PostgreSQL connection, the
//                      storage-stats connection, directories opened to fsync a rename
//   2 x DB_POOL_SIZE   the PostgreSQL pool, and a file or directory per worker thread
//   kMetricsReserve    the METRICS_ADDR listener's connections (probes keep answering)
//   kRefusalReserve    sockets being answered 503 past MAX_CONNECTIONS
// so the default MAX_CONNECTIONS = (fd limit - reserve) / 2, at least 1.
struct FdBudget {
  static constexpr std::uint64_t kBaseReserve = 64;
  static constexpr std::uint64_t kMetricsReserve = 32;
  static constexpr std::uint64_t kRefusalReserve = 32;

  std::uint64_t reserve(std::size_t db_pool_size) const {
    return kBaseReserve + 2 * std::uint64_t{db_pool_size} + kMetricsReserve + kRefusalReserve;
  }
  // The default MAX_CONNECTIONS for `fd_limit` descriptors (RLIMIT_NOFILE).
  std::size_t max_connections(std::uint64_t fd_limit, std::size_t db_pool_size) const;
  // The descriptors `connections` connections need beside the reserve.
  std::uint64_t needed(std::size_t connections, std::size_t db_pool_size) const {
    return reserve(db_pool_size) + 2 * std::uint64_t{connections};
  }
};

// Raises this process's RLIMIT_NOFILE soft limit to its hard limit and returns the soft limit
// now in force (the old one if raising failed).
std::uint64_t raise_fd_limit();

}  // namespace castor
