#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace castor::client {

// A blocking FIFO of at most `capacity` items between threads (a pipeline's stages). Thread-safe.
template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Waits for room, then appends `item`. False (the item dropped) once cancelled or closed.
  bool push(T item) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return cancelled_ || closed_ || items_.size() < capacity_; });
    if (cancelled_ || closed_) {
      return false;
    }
    items_.push_back(std::move(item));
    ready_.notify_one();
    return true;
  }

  // Waits for the next item. nullopt once closed and drained, or cancelled.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return cancelled_ || closed_ || !items_.empty(); });
    if (cancelled_ || items_.empty()) {
      return std::nullopt;
    }
    T item = std::move(items_.front());
    items_.pop_front();
    room_.notify_one();
    return item;
  }

  // No more pushes: pop() hands out what is queued, then nullopt.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
    room_.notify_all();
  }

  // Gives up: every waiter wakes, push() returns false, pop() nullopt; queued items are dropped.
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    items_.clear();
    ready_.notify_all();
    room_.notify_all();
  }

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_;  // an item or the end
  std::condition_variable room_;   // room for an item or the end
  std::deque<T> items_;            // guarded by mutex_
  bool closed_ = false;            // guarded by mutex_
  bool cancelled_ = false;         // guarded by mutex_
};

}  // namespace castor::client
