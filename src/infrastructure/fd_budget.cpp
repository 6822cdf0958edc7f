#include "infrastructure/fd_budget.h"

#include <sys/resource.h>

#include <algorithm>
#include <limits>

namespace castor {

std::size_t FdBudget::max_connections(std::uint64_t fd_limit, std::size_t db_pool_size) const {
  const std::uint64_t held = reserve(db_pool_size);
  if (fd_limit <= held + 2) {
    return 1;
  }
  const std::uint64_t n = (fd_limit - held) / 2;
  return static_cast<std::size_t>(
      std::min<std::uint64_t>(n, std::numeric_limits<std::size_t>::max()));
}

std::uint64_t raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return 1024;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit = raised;
    }
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<std::uint32_t>::max()
                                         : static_cast<std::uint64_t>(limit.rlim_cur);
}

}  // namespace castor
