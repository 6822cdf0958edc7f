#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace castor {

// Token buckets keyed by a string: the credential ("key:<id>", "jwt:<sub>") or "ip:<address>"
// for unauthenticated requests. Each key's bucket holds up to `burst` tokens, refills at
// `rate_per_second` and pays one token per request.
//
// Memory is bounded by about max_buckets entries: when a shard outgrows its share, buckets that
// have refilled to full are dropped first (losing nothing: a missing bucket starts full), and if
// every bucket is still draining, the least recently used ones go (which hands those keys a full
// bucket early; that is the price of the bound).
//
// Thread-safe with low contention: keys are spread over kShards shards, each with its own mutex.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Decision {
    bool allowed;
    // When denied: seconds until one token is available, rounded up, at least 1 (for
    // Retry-After). 0 when allowed.
    std::chrono::seconds retry_after;
  };

  static constexpr std::size_t kShards = 16;

  // `rate_per_second` tokens are added per second (0, negative or not finite: no limiting at all;
  // every take() is allowed); `burst` is the bucket size (values below 1 count as 1);
  // `max_buckets` bounds the number of buckets kept (at least one per shard).
  RateLimiter(double rate_per_second, double burst, std::size_t max_buckets);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from `key`'s bucket as of `now` (a new key starts with a full bucket).
  // Callers pass Clock::now(); tests pass made-up times. A `now` earlier than the bucket's last
  // use refills nothing.
  Decision take(std::string_view key, Clock::time_point now);

  // Whether take(key, now) would be allowed, without taking a token: to refuse a request before
  // it costs anything when its key has no token left (denied: with Retry-After as take()).
  Decision peek(std::string_view key, Clock::time_point now) const;

  // The number of buckets held now (for tests and metrics).
  std::size_t size() const;

 private:
  struct Bucket {
    double tokens;              // as of `updated`
    Clock::time_point updated;  // last refill, which is also the last use
  };
  // Hashes std::string and std::string_view alike, so lookups need no allocation.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket, KeyHash, std::equal_to<>> buckets;  // guarded by mu
  };

  // The decision for a bucket holding `tokens`.
  Decision decide(double tokens) const;
  // Tokens in `bucket` as of `now`, capped at burst_.
  double refilled(const Bucket& bucket, Clock::time_point now) const;
  // Makes room in `shard` (whose mutex the caller holds) for one more bucket.
  void evict(Shard& shard, Clock::time_point now);

  const double rate_;
  const double burst_;
  const std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace castor
