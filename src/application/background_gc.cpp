#include "application/background_gc.h"

namespace castor {

void BackgroundGc::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval_, [&] { return stopping_; })) {
      lock.unlock();
      const auto start = std::chrono::steady_clock::now();
      auto report = gc_.run_once();  // on error the next cycle retries
      if (observer_) {
        observer_(report,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
      lock.lock();
    }
  });
}

void BackgroundGc::stop() {
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
