#include "client/worker_pool.h"

#include <utility>

namespace castor::client {

WorkerPool::WorkerPool(int workers) {
  for (int worker = 0; worker < (workers < 1 ? 1 : workers); ++worker) {
    threads_.emplace_back([this, worker] { run(worker); });
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  work_.notify_all();
  for (std::thread& thread : threads_) {
    thread.join();
  }
}

void WorkerPool::submit(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (failure_) {
      return;
    }
    queue_.push_back(std::move(task));
  }
  work_.notify_one();
}

Status WorkerPool::wait_queued_at_most(std::size_t queued) {
  std::unique_lock lock(mutex_);
  progress_.wait(lock, [&] { return failure_ || queue_.size() <= queued; });
  return first_error();
}

Status WorkerPool::drain() {
  std::unique_lock lock(mutex_);
  progress_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
  return first_error();
}

Status WorkerPool::first_error() const {
  if (failure_) {
    return *failure_;
  }
  return {};
}

void WorkerPool::run(int worker) {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) {
      return;
    }
    Task task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    progress_.notify_all();
    lock.unlock();
    Status status = task(worker);
    lock.lock();
    --running_;
    if (!status && !failure_) {
      failure_ = status.error();
      queue_.clear();
    }
    progress_.notify_all();
  }
}

}  // namespace castor::client
