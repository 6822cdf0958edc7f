#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace castor {

// A fixed set of threads that run the S3 backend's background transfers (an upload's parts, a
// reader's read-ahead) with a bounded queue of waiting tasks. Tasks must not block on the pool
// itself (submit from a task could wait for a slot that only that task frees). Thread-safe. The
// destructor runs the tasks still queued, then joins the threads.
class TransferPool {
 public:
  // `threads` >= 1 threads; at most `queue_limit` (>= 1) tasks wait for a thread.
  TransferPool(std::size_t threads, std::size_t queue_limit);
  ~TransferPool();
  TransferPool(const TransferPool&) = delete;
  TransferPool& operator=(const TransferPool&) = delete;

  // Queues `task`, waiting while the queue is full (an upload's next part: backpressure).
  void submit(std::function<void()> task);
  // Queues `task` if the queue has room; false (and `task` dropped) otherwise (a read-ahead,
  // which the reader then does itself when it needs the bytes).
  bool try_submit(std::function<void()> task);

 private:
  void run();

  std::size_t queue_limit_;
  std::mutex mu_;
  std::condition_variable has_task_;         // signalled when a task is queued or on stop
  std::condition_variable has_room_;         // signalled when a task leaves the queue
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace castor
