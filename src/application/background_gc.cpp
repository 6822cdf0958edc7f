#include "application/background_gc.h"

namespace castor {

void BackgroundGc::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval_, [&] { return stopping_; })) {
      lock.unlock();
      auto report = gc_.run_once();  // on error the next cycle retries
      if (observer_) {
        observer_(report);
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
