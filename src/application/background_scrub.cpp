#include "application/background_scrub.h"

#include <algorithm>

namespace castor {

void BackgroundScrub::start() {
  thread_ = std::thread([this] {
    const auto idle = std::min<std::chrono::seconds>(interval_, std::chrono::seconds(60));
    const ScrubContent::Hooks hooks{[this](std::uint64_t bytes) { return pace(bytes); },
                                    observer_.on_verified, observer_.on_damage};
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      const auto start = std::chrono::steady_clock::now();
      auto report = scrub_.run_pass(clock_.now() - interval_, hooks);
      if (observer_.on_pass) {
        observer_.on_pass(
            report,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
      lock.lock();
      wake_.wait_for(lock, idle, [&] { return stopping_; });
    }
  });
}

bool BackgroundScrub::pace(std::uint64_t bytes) {
  const auto now = std::chrono::steady_clock::now();
  next_read_ =
      std::max(next_read_, now) +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(
          static_cast<double>(bytes) / static_cast<double>(bytes_per_second_)));
  std::unique_lock lock(mu_);
  return !wake_.wait_until(lock, next_read_, [&] { return stopping_; });
}

void BackgroundScrub::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

}  // namespace castor
