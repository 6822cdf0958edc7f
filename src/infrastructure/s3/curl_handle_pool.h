#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

// libcurl's easy handle (curl/curl.h), forward-declared so that this header stays curl-free.
typedef void CURL;  // NOLINT: the same declaration curl.h makes

namespace castor {

// A bounded pool of libcurl easy handles for one S3 endpoint: at most `capacity` exist, created
// on first need and kept (with their connection caches, so connections are reused: keep-alive)
// until the pool is destroyed. A caller that finds none free waits for one. Thread-safe.
class CurlHandlePool {
 public:
  // A handle lent to one caller; returned to the pool on destruction. The handle's options are
  // the caller's to set (curl_easy_reset keeps its connections).
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), handle_(other.handle_) {
      other.pool_ = nullptr;
      other.handle_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    CURL* get() const { return handle_; }

   private:
    friend class CurlHandlePool;
    Lease(CurlHandlePool* pool, CURL* handle) : pool_(pool), handle_(handle) {}
    CurlHandlePool* pool_;
    CURL* handle_;
  };

  // `capacity` >= 1. Initialises libcurl once per process (curl_global_init is not thread-safe in
  // curl 7.88, so the first pool does it under std::call_once).
  explicit CurlHandlePool(std::size_t capacity);
  ~CurlHandlePool();
  CurlHandlePool(const CurlHandlePool&) = delete;
  CurlHandlePool& operator=(const CurlHandlePool&) = delete;

  // A free handle, waiting while all `capacity` are lent. Aborts if curl cannot allocate one
  // (out of memory).
  Lease acquire();

  std::size_t capacity() const { return capacity_; }

 private:
  void release(CURL* handle);

  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<CURL*> idle_;  // guarded by mutex_
  std::size_t created_ = 0;  // guarded by mutex_; handles in idle_ or lent
};

}  // namespace castor
