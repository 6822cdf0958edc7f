#include "application/background_gc.h"

namespace castor {

BackgroundGc::BackgroundGc(CollectGarbage& gc, std::chrono::seconds interval, Observer observer)
    : gc_(gc), observer_(std::move(observer)), task_(interval, [this] { cycle(); }) {}

void BackgroundGc::cycle() {
  const auto start = std::chrono::steady_clock::now();
  auto report = gc_.run_once();  // on error the next cycle retries
  if (observer_) {
    observer_(report,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

}  // namespace castor
