#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "application/periodic_task.h"
#include "application/ports/readiness_probe.h"

namespace castor {

// Runs the readiness probes on a thread of its own, every `period`, and keeps the latest verdict,
// so that GET /ready answers at once and never waits on a hung database. A verdict older than
// `max_age` (a probe is stuck) counts as not ready. Thread-safe.
class ReadinessMonitor {
 public:
  ReadinessMonitor(std::vector<std::unique_ptr<ReadinessProbe>> probes,
                   std::chrono::milliseconds period, std::chrono::milliseconds max_age);
  ~ReadinessMonitor();

  // Runs the probes once on the calling thread (to have a verdict before serving), then starts the
  // background thread.
  void start();
  // Stops the thread. Called by the destructor.
  void stop();
  // From now on ready() is Unavailable ("shutting down"): for the drain on SIGTERM.
  void set_draining();

  // Ok, or Unavailable naming the failed check ("database: ...").
  Status ready() const;

 private:
  void check_once();

  std::vector<std::unique_ptr<ReadinessProbe>> probes_;
  const std::chrono::milliseconds period_;
  const std::chrono::milliseconds max_age_;

  mutable std::mutex mu_;
  Status verdict_;                                    // guarded by mu_
  std::chrono::steady_clock::time_point checked_at_;  // guarded by mu_
  const char* running_ = nullptr;                     // probe in progress; guarded by mu_
  bool draining_ = false;                             // guarded by mu_
  PeriodicTask task_;                                 // last: its thread uses the members above
};

}  // namespace castor
