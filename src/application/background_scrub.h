#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "application/scrub_content.h"

namespace castor {

// Runs the scrubber on a thread of its own until stopped: re-hashes every referenced blob not
// verified within the last `interval`, reading at most `bytes_per_second` (averaged; one read of
// up to 1 MiB at a time), then checks again for due blobs every min(interval, 60 s).
class BackgroundScrub {
 public:
  struct Observer {
    // After each pass (complete or stopped), or its failure, with how long it took in seconds.
    std::function<void(const Result<ScrubContent::Report>&, double seconds)> on_pass;
    // As ScrubContent::Hooks.
    std::function<void(std::uint64_t bytes)> on_verified;
    std::function<void(const ScrubContent::Damage&)> on_damage;
  };

  BackgroundScrub(ScrubContent& scrub, Clock& clock, std::uint64_t bytes_per_second,
                  std::chrono::seconds interval, Observer observer)
      : scrub_(scrub),
        clock_(clock),
        bytes_per_second_(bytes_per_second),
        interval_(interval),
        observer_(std::move(observer)) {}
  ~BackgroundScrub() { stop(); }

  void start();
  // Wakes the thread (also from a throttling wait) and waits for it to end.
  void stop();

 private:
  // Throttles: waits until `bytes` more fit the rate. False once stopping.
  bool pace(std::uint64_t bytes);

  ScrubContent& scrub_;
  Clock& clock_;
  const std::uint64_t bytes_per_second_;
  const std::chrono::seconds interval_;
  const Observer observer_;
  std::chrono::steady_clock::time_point next_read_{};  // only touched by the thread
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace castor
