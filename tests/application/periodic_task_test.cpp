#include "application/periodic_task.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

namespace castor {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kLong = std::chrono::hours(1);

// Counts runs; lets a test wait (bounded) for a number of them.
struct Runs {
  std::mutex mu;
  std::condition_variable changed;
  int count = 0;

  void add() {
    {
      std::lock_guard lock(mu);
      ++count;
    }
    changed.notify_all();
  }
  bool wait_for(int n) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return count >= n; });
  }
  int get() {
    std::lock_guard lock(mu);
    return count;
  }
};

}  // namespace

TEST_CASE("a periodic task runs at once if asked, and stop returns mid-interval", "[unit]") {
  Runs runs;
  PeriodicTask task(
      kLong, [&] { runs.add(); }, PeriodicTask::FirstRun::kAtOnce);
  task.start();
  REQUIRE(runs.wait_for(1));
  // The thread now waits out an hour: stop must wake it, not wait.
  const auto start = Clock::now();
  task.stop();
  CHECK(Clock::now() - start < std::chrono::seconds(1));
  CHECK(runs.get() == 1);
  task.stop();  // idempotent
}

TEST_CASE("a periodic task repeats every interval until stopped", "[unit]") {
  Runs runs;
  PeriodicTask task(std::chrono::milliseconds(1), [&] { runs.add(); });
  task.start();
  REQUIRE(runs.wait_for(3));
  task.stop();
  const int after_stop = runs.get();
  CHECK(after_stop >= 3);
  // Stopped means stopped: the count never moves again (the thread is joined).
  CHECK(runs.get() == after_stop);
}

TEST_CASE("a periodic task that waits first does not run before stop", "[unit]") {
  std::atomic<int> runs{0};
  {
    PeriodicTask task(kLong, [&] { ++runs; });
    task.start();
    const auto start = Clock::now();
    task.stop();
    CHECK(Clock::now() - start < std::chrono::seconds(1));
  }
  CHECK(runs == 0);
}

TEST_CASE("stop waits for the run in progress", "[unit]") {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false, finished = false;
  int runs = 0;
  PeriodicTask task(
      std::chrono::milliseconds(0),
      [&] {
        std::unique_lock lock(mu);
        ++runs;
        entered = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
        finished = true;
      },
      PeriodicTask::FirstRun::kAtOnce);
  task.start();
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return entered; }));
  }
  std::thread stopper([&] { task.stop(); });
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  stopper.join();
  // stop() returned only after the run it found in progress had ended.
  std::lock_guard lock(mu);
  CHECK(finished);
  CHECK(runs >= 1);
}

}  // namespace castor
