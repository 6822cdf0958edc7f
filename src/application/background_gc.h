#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "application/collect_garbage.h"

namespace castor {

// Runs a garbage-collection cycle every `interval` on a thread of its own until stopped. Cycles of
// several processes may overlap; CollectGarbage is safe for that.
class BackgroundGc {
 public:
  // Called after every cycle with its outcome and how long it took, in seconds (for logs and
  // metrics); may be empty.
  using Observer = std::function<void(const Result<CollectGarbage::Report>&, double seconds)>;

  BackgroundGc(CollectGarbage& gc, std::chrono::seconds interval, Observer observer)
      : gc_(gc), interval_(interval), observer_(std::move(observer)) {}
  ~BackgroundGc() { stop(); }

  void start();
  // Wakes the thread and waits for the cycle in progress, if any, to end.
  void stop();

 private:
  CollectGarbage& gc_;
  const std::chrono::seconds interval_;
  const Observer observer_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace castor
