#include "application/periodic_task.h"

namespace castor {

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task,
                           FirstRun first)
    : interval_(interval), task_(std::move(task)), first_(first) {}

PeriodicTask::~PeriodicTask() { stop(); }

void PeriodicTask::start() {
  thread_ = std::thread([this] { loop(); });
}

void PeriodicTask::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
  }
}

void PeriodicTask::loop() {
  std::unique_lock lock(mu_);
  bool wait = first_ == FirstRun::kAfterInterval;
  for (;;) {
    if (wait && wake_.wait_for(lock, interval_, [&] { return stopping_; })) {
      return;
    }
    if (stopping_) {
      return;
    }
    wait = true;
    lock.unlock();
    task_();
    lock.lock();
  }
}

}  // namespace castor
