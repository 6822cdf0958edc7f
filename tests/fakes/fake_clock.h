#pragma once

#include <chrono>
#include <mutex>

#include "application/ports/clock.h"

namespace castor::testing {

// A Clock that only moves when a test moves it. Thread-safe.
class FakeClock final : public Clock {
 public:
  // 2024-01-01T00:00:00Z: a fixed, readable starting point.
  static constexpr Timestamp kStart{std::chrono::seconds(1704067200)};

  explicit FakeClock(Timestamp start = kStart) : now_(start) {}

  Timestamp now() override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void set(Timestamp t) {
    std::lock_guard lock(mu_);
    now_ = t;
  }
  void advance(std::chrono::microseconds d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

 private:
  std::mutex mu_;
  Timestamp now_;  // guarded by mu_
};

}  // namespace castor::testing
