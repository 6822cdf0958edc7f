#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace castor {

// Runs `task` on a thread of its own every `interval` (measured from the end of one run to the
// start of the next) until stopped: the one loop behind the background GC, the readiness monitor,
// the storage statistics and the database watchdog. Thread-safe.
class PeriodicTask {
 public:
  enum class FirstRun {
    kAtOnce,         // run as soon as the thread starts, then every interval
    kAfterInterval,  // wait one interval first
  };

  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task,
               FirstRun first = FirstRun::kAfterInterval);
  // Calls stop().
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Starts the thread. Call at most once.
  void start();
  // Wakes the thread at once, even in the middle of an interval, and waits for the run in
  // progress, if any, to end. No run starts after stop() has begun. Idempotent.
  void stop();

 private:
  void loop();

  const std::chrono::milliseconds interval_;
  const std::function<void()> task_;
  const FirstRun first_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace castor
