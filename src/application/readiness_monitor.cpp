#include "application/readiness_monitor.h"

namespace castor {

ReadinessMonitor::ReadinessMonitor(std::vector<std::unique_ptr<ReadinessProbe>> probes,
                                   std::chrono::milliseconds period,
                                   std::chrono::milliseconds max_age)
    : probes_(std::move(probes)),
      period_(period),
      max_age_(max_age),
      task_(period, [this] { check_once(); }) {}

ReadinessMonitor::~ReadinessMonitor() { stop(); }

void ReadinessMonitor::start() {
  check_once();
  task_.start();
}

void ReadinessMonitor::stop() { task_.stop(); }

void ReadinessMonitor::set_draining() {
  std::lock_guard lock(mu_);
  draining_ = true;
}

Status ReadinessMonitor::ready() const {
  std::lock_guard lock(mu_);
  if (draining_) {
    return Error{ErrorCode::kUnavailable, "shutting down"};
  }
  if (std::chrono::steady_clock::now() - checked_at_ > max_age_) {
    return Error{ErrorCode::kUnavailable,
                 std::string(running_ != nullptr ? running_ : "readiness") + ": no answer within " +
                     std::to_string(max_age_.count()) + " ms"};
  }
  return verdict_;
}

void ReadinessMonitor::check_once() {
  Status verdict;
  for (const auto& probe : probes_) {
    {
      std::lock_guard lock(mu_);
      running_ = probe->name();
    }
    if (auto s = probe->check(); !s) {
      verdict =
          Error{ErrorCode::kUnavailable, std::string(probe->name()) + ": " + s.error().message};
      break;
    }
  }
  std::lock_guard lock(mu_);
  running_ = nullptr;
  verdict_ = std::move(verdict);
  checked_at_ = std::chrono::steady_clock::now();
}

}  // namespace castor
