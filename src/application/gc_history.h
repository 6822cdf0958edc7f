#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "application/collect_garbage.h"
#include "domain/object.h"

namespace castor {

// The garbage-collection cycles THIS process ran (GET /v1/admin/gc): the background collector's
// and those asked for with POST /v1/admin/gc, newest first, at most kMaxCycles. Kept in memory
// only: another replica's cycles, and cycles before a restart, are not here. Thread-safe.
class GcHistory {
 public:
  static constexpr std::size_t kMaxCycles = 50;

  // One cycle: when it started (wall clock), how long it took, and its report, or the error
  // that ended it (the report's counts are then what it did before).
  struct Cycle {
    Timestamp started_at;
    std::chrono::milliseconds duration{0};
    bool background = false;  // the background collector's; false: POST /v1/admin/gc
    CollectGarbage::Report report;
    std::optional<std::string> error;  // the failure's message, when the cycle failed
  };

  // `interval`: the background collector's period; nullopt when there is none (GC_INTERVAL=0).
  explicit GcHistory(std::optional<std::chrono::seconds> interval) : interval_(interval) {}

  // Remembers a cycle; past kMaxCycles, the oldest is forgotten.
  void record(Cycle cycle);
  // The remembered cycles, newest first.
  std::vector<Cycle> newest_first() const;
  std::optional<std::chrono::seconds> interval() const { return interval_; }

 private:
  const std::optional<std::chrono::seconds> interval_;
  mutable std::mutex mu_;
  std::deque<Cycle> cycles_;  // oldest first; guarded by mu_
};

}  // namespace castor
