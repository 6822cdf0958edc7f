#pragma once

#include <cstddef>
#include <functional>

#include "domain/error.h"

namespace castor::client {

// Runs `task(index, worker)` for every index in [0, count) on `jobs` threads (worker in
// [0, jobs)), each index once. After the first failure no new index is started; returns that
// first error (by time), else success. `task` must be thread-safe across different indexes.
Status run_parallel(std::size_t count, int jobs,
                    const std::function<Status(std::size_t index, int worker)>& task);

}  // namespace castor::client
