#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "domain/error.h"

namespace castor::client {

// `workers` threads that run submitted tasks in submission order, each task on one worker (its
// index in [0, workers): the ClientPool connection it may use), for a stream of work that arrives
// while earlier work runs (run_parallel needs all of it up front). After the first failure no
// further task starts and queued ones are dropped. Thread-safe.
class WorkerPool {
 public:
  using Task = std::function<Status(int worker)>;

  explicit WorkerPool(int workers);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();  // drops queued tasks, waits for running ones

  int workers() const { return static_cast<int>(threads_.size()); }

  // Queues `task` (dropped after a failure).
  void submit(Task task);
  // Waits until at most `queued` submitted tasks have not started yet (back-pressure), or a task
  // failed. The first failure, else success.
  Status wait_queued_at_most(std::size_t queued);
  // Waits until every submitted task has finished, or a running task failed and the others
  // stopped: the workers are then idle and their connections free. The first failure, else
  // success.
  Status drain();

 private:
  void run(int worker);
  Status first_error() const;  // with mutex_ held

  mutable std::mutex mutex_;
  std::condition_variable work_;      // a task queued, or stopping
  std::condition_variable progress_;  // a task started or finished
  std::deque<Task> queue_;            // guarded by mutex_
  std::size_t running_ = 0;           // guarded by mutex_
  std::optional<Error> failure_;      // guarded by mutex_
  bool stopping_ = false;             // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace castor::client
