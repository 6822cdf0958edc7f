#include "infrastructure/s3/curl_handle_pool.h"

#include <cstdlib>
#include <mutex>

#include <curl/curl.h>

namespace castor {

namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      std::abort();
    }
  });
}

}  // namespace

CurlHandlePool::Lease::~Lease() {
  if (pool_ != nullptr) {
    pool_->release(handle_);
  }
}

CurlHandlePool::CurlHandlePool(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {
  init_curl_once();
}

CurlHandlePool::~CurlHandlePool() {
  // Every lease must have been returned (leases never outlive the client that owns the pool).
  for (CURL* handle : idle_) {
    curl_easy_cleanup(handle);
  }
}

CurlHandlePool::Lease CurlHandlePool::acquire() {
  std::unique_lock lock(mutex_);
  freed_.wait(lock, [&] { return !idle_.empty() || created_ < capacity_; });
  if (!idle_.empty()) {
    CURL* handle = idle_.back();
    idle_.pop_back();
    return Lease(this, handle);
  }
  CURL* handle = curl_easy_init();
  if (handle == nullptr) {
    std::abort();
  }
  ++created_;
  return Lease(this, handle);
}

void CurlHandlePool::release(CURL* handle) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(handle);
  }
  freed_.notify_one();
}

}  // namespace castor
