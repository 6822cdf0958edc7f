#include "application/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace castor {
namespace {

// Retry-After never claims more than a day, however slow the rate.
constexpr double kMaxRetryAfterSeconds = 86400;

}  // namespace

RateLimiter::RateLimiter(double rate_per_second, double burst, std::size_t max_buckets)
    : rate_(std::isfinite(rate_per_second) && rate_per_second > 0 ? rate_per_second : 0),
      burst_(burst >= 1 ? burst : 1),  // also maps NaN to 1
      max_per_shard_(std::max<std::size_t>(1, max_buckets / kShards)) {}

RateLimiter::Decision RateLimiter::take(std::string_view key, Clock::time_point now) {
  if (rate_ == 0) {
    return {true, std::chrono::seconds(0)};
  }
  Shard& shard = shards_[KeyHash{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) {
      evict(shard, now);
    }
    it = shard.buckets.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = refilled(bucket, now);
  bucket.updated = std::max(bucket.updated, now);
  const Decision decision = decide(bucket.tokens);
  if (decision.allowed) {
    bucket.tokens -= 1;
  }
  return decision;
}

RateLimiter::Decision RateLimiter::peek(std::string_view key, Clock::time_point now) const {
  if (rate_ == 0) {
    return {true, std::chrono::seconds(0)};
  }
  const Shard& shard = shards_[KeyHash{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.buckets.find(key);
  return decide(it == shard.buckets.end() ? burst_ : refilled(it->second, now));
}

RateLimiter::Decision RateLimiter::decide(double tokens) const {
  if (tokens >= 1) {
    return {true, std::chrono::seconds(0)};
  }
  const double wait = std::ceil((1 - tokens) / rate_);
  const double clamped = std::clamp(wait, 1.0, kMaxRetryAfterSeconds);
  return {false, std::chrono::seconds(static_cast<std::int64_t>(clamped))};
}

std::size_t RateLimiter::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.buckets.size();
  }
  return total;
}

double RateLimiter::refilled(const Bucket& bucket, Clock::time_point now) const {
  if (now <= bucket.updated) {
    return bucket.tokens;
  }
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  return std::min(burst_, bucket.tokens + elapsed * rate_);
}

void RateLimiter::evict(Shard& shard, Clock::time_point now) {
  // Each pass leaves the shard at most 7/8 full, so the O(n) pass runs at most once every
  // max_per_shard_ / 8 insertions: amortised O(1) per new key.
  const std::size_t target = max_per_shard_ - std::max<std::size_t>(1, max_per_shard_ / 8);
  std::erase_if(shard.buckets,
                [&](const auto& entry) { return refilled(entry.second, now) >= burst_; });
  if (shard.buckets.size() <= target) {
    return;
  }
  using Entry = std::pair<Clock::time_point, decltype(shard.buckets)::iterator>;
  std::vector<Entry> by_age;
  by_age.reserve(shard.buckets.size());
  for (auto it = shard.buckets.begin(); it != shard.buckets.end(); ++it) {
    by_age.emplace_back(it->second.updated, it);
  }
  const std::size_t excess = shard.buckets.size() - target;
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(excess),
                   by_age.end(), [](const Entry& a, const Entry& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < excess; ++i) {
    shard.buckets.erase(by_age[i].second);
  }
}

}  // namespace castor
