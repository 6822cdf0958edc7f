#include "application/gc_history.h"

#include <utility>

namespace castor {

void GcHistory::record(Cycle cycle) {
  std::lock_guard lock(mu_);
  cycles_.push_back(std::move(cycle));
  while (cycles_.size() > kMaxCycles) {
    cycles_.pop_front();
  }
}

std::vector<GcHistory::Cycle> GcHistory::newest_first() const {
  std::lock_guard lock(mu_);
  return {cycles_.rbegin(), cycles_.rend()};
}

}  // namespace castor
