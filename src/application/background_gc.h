#pragma once

#include <chrono>
#include <functional>

#include "application/collect_garbage.h"
#include "application/periodic_task.h"

namespace castor {

// Runs a garbage-collection cycle every `interval` on a thread of its own until stopped. Cycles of
// several processes may overlap; CollectGarbage is safe for that.
class BackgroundGc {
 public:
  // Called after every cycle with its outcome and how long it took, in seconds (for logs and
  // metrics); may be empty.
  using Observer = std::function<void(const Result<CollectGarbage::Report>&, double seconds)>;

  BackgroundGc(CollectGarbage& gc, std::chrono::seconds interval, Observer observer);

  void start() { task_.start(); }
  // Wakes the thread and waits for the cycle in progress, if any, to end.
  void stop() { task_.stop(); }

 private:
  void cycle();

  CollectGarbage& gc_;
  const Observer observer_;
  PeriodicTask task_;  // last: its thread uses the members above
};

}  // namespace castor
