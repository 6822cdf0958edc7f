#pragma once

#include <mutex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace castor::e2e {

// Collects failures from worker threads (Catch2 assertions are not thread-safe), to be checked
// on the test's own thread once the workers are joined. Thread-safe.
class FailureLog {
 public:
  void add(std::string failure) {
    std::lock_guard lock(mutex_);
    failures_.push_back(std::move(failure));
  }

  // All failures, one per line (empty if none).
  std::string report() const {
    std::lock_guard lock(mutex_);
    std::ostringstream out;
    for (const std::string& failure : failures_) {
      out << failure << "\n";
    }
    return out.str();
  }

  bool empty() const {
    std::lock_guard lock(mutex_);
    return failures_.empty();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> failures_;  // guarded by mutex_
};

}  // namespace castor::e2e
