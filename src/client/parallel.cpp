#include "client/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace castor::client {

Status run_parallel(std::size_t count, int jobs,
                    const std::function<Status(std::size_t index, int worker)>& task) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<Error> first_error;  // guarded by mutex
  auto work = [&](int worker) {
    while (!failed.load(std::memory_order_relaxed)) {
      const std::size_t index = next.fetch_add(1);
      if (index >= count) {
        return;
      }
      if (Status status = task(index, worker); !status) {
        std::lock_guard lock(mutex);
        if (!first_error) {
          first_error = status.error();
        }
        failed.store(true);
      }
    }
  };
  const int threads =
      static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(jobs, 1)), count));
  std::vector<std::thread> pool;
  for (int worker = 1; worker < threads; ++worker) {
    pool.emplace_back(work, worker);
  }
  work(0);
  for (std::thread& thread : pool) {
    thread.join();
  }
  if (first_error) {
    return *first_error;
  }
  return {};
}

}  // namespace castor::client
