#include "infrastructure/s3/transfer_pool.h"

#include <algorithm>

namespace castor {

TransferPool::TransferPool(std::size_t threads, std::size_t queue_limit)
    : queue_limit_(std::max<std::size_t>(queue_limit, 1)) {
  threads = std::max<std::size_t>(threads, 1);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

TransferPool::~TransferPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  has_task_.notify_all();
  has_room_.notify_all();
  for (std::thread& t : threads_) {
    t.join();
  }
}

void TransferPool::submit(std::function<void()> task) {
  {
    std::unique_lock lock(mu_);
    has_room_.wait(lock, [&] { return queue_.size() < queue_limit_ || stopping_; });
    queue_.push_back(std::move(task));
  }
  has_task_.notify_one();
}

bool TransferPool::try_submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= queue_limit_ || stopping_) {
      return false;
    }
    queue_.push_back(std::move(task));
  }
  has_task_.notify_one();
  return true;
}

void TransferPool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      has_task_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) {
        return;  // stopping, and nothing left to run
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    has_room_.notify_one();
    task();
  }
}

}  // namespace castor
