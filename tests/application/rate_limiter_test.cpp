#include "application/rate_limiter.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace castor {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const RateLimiter::Clock::time_point kT0 = RateLimiter::Clock::time_point() + std::chrono::hours(1);

}  // namespace

TEST_CASE("a bucket allows its burst, then denies with Retry-After", "[unit]") {
  RateLimiter limiter(1.0, 3, 1000);
  for (int i = 0; i < 3; ++i) {
    const auto d = limiter.take("key:a", kT0);
    CHECK(d.allowed);
    CHECK(d.retry_after == seconds(0));
  }
  const auto denied = limiter.take("key:a", kT0);
  CHECK_FALSE(denied.allowed);
  CHECK(denied.retry_after == seconds(1));
  // Denied takes cost nothing: half a second later half a token is there, still 1 s to wait.
  const auto later = limiter.take("key:a", kT0 + milliseconds(500));
  CHECK_FALSE(later.allowed);
  CHECK(later.retry_after == seconds(1));
}

TEST_CASE("peek tells whether a take would pass, without taking", "[unit]") {
  RateLimiter limiter(1.0, 2, 1000);
  CHECK(limiter.peek("ip:a", kT0).allowed);  // a new key: a full bucket
  CHECK(limiter.size() == 0);                // and peeking creates none
  for (int i = 0; i < 5; ++i) {
    CHECK(limiter.peek("ip:a", kT0).allowed);  // peeks cost nothing
  }
  CHECK(limiter.take("ip:a", kT0).allowed);
  CHECK(limiter.take("ip:a", kT0).allowed);
  const auto empty = limiter.peek("ip:a", kT0);
  CHECK_FALSE(empty.allowed);
  CHECK(empty.retry_after == seconds(1));
  CHECK(limiter.peek("ip:a", kT0 + seconds(1)).allowed);   // refilled
  CHECK(RateLimiter(0, 1, 10).peek("ip:a", kT0).allowed);  // rate 0: never limited
}

TEST_CASE("Retry-After rounds the wait for one token up to whole seconds", "[unit]") {
  RateLimiter slow(0.1, 1, 1000);  // one token every 10 s
  CHECK(slow.take("ip:10.0.0.1", kT0).allowed);
  auto d = slow.take("ip:10.0.0.1", kT0);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after == seconds(10));
  d = slow.take("ip:10.0.0.1", kT0 + milliseconds(2500));  // 7.5 s to go
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after == seconds(8));

  RateLimiter fast(100, 1, 1000);  // a token every 10 ms: still at least 1 s
  CHECK(fast.take("k", kT0).allowed);
  d = fast.take("k", kT0);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after == seconds(1));

  RateLimiter glacial(1e-9, 1, 1000);  // capped at a day
  CHECK(glacial.take("k", kT0).allowed);
  CHECK(glacial.take("k", kT0).retry_after == seconds(86400));
}

TEST_CASE("buckets refill with time, up to the burst", "[unit]") {
  RateLimiter limiter(2.0, 4, 1000);
  for (int i = 0; i < 4; ++i) {
    REQUIRE(limiter.take("k", kT0).allowed);
  }
  REQUIRE_FALSE(limiter.take("k", kT0).allowed);
  // 2 tokens per second: after 1 s exactly two more.
  CHECK(limiter.take("k", kT0 + seconds(1)).allowed);
  CHECK(limiter.take("k", kT0 + seconds(1)).allowed);
  CHECK_FALSE(limiter.take("k", kT0 + seconds(1)).allowed);
  // A long pause refills to the burst, not beyond.
  const auto t = kT0 + std::chrono::hours(1);
  for (int i = 0; i < 4; ++i) {
    CHECK(limiter.take("k", t).allowed);
  }
  CHECK_FALSE(limiter.take("k", t).allowed);
  // Time going backwards refills nothing.
  CHECK_FALSE(limiter.take("k", kT0).allowed);
}

TEST_CASE("keys have independent buckets", "[unit]") {
  RateLimiter limiter(1.0, 1, 1000);
  CHECK(limiter.take("key:a", kT0).allowed);
  CHECK_FALSE(limiter.take("key:a", kT0).allowed);
  CHECK(limiter.take("key:b", kT0).allowed);
  CHECK(limiter.take("ip:127.0.0.1", kT0).allowed);
  CHECK_FALSE(limiter.take("key:b", kT0).allowed);
  CHECK(limiter.size() == 3);
}

TEST_CASE("rate 0 turns limiting off and keeps no buckets", "[unit]") {
  RateLimiter limiter(0, 1, 1000);
  for (int i = 0; i < 1000; ++i) {
    const auto d = limiter.take("key:a", kT0);
    REQUIRE(d.allowed);
    REQUIRE(d.retry_after == seconds(0));
  }
  CHECK(limiter.size() == 0);
}

TEST_CASE("a burst below 1 counts as 1", "[unit]") {
  RateLimiter limiter(1.0, 0, 1000);
  CHECK(limiter.take("k", kT0).allowed);
  CHECK_FALSE(limiter.take("k", kT0).allowed);
}

TEST_CASE("idle buckets are evicted and memory stays bounded under 100k keys", "[unit]") {
  constexpr std::size_t kMax = 1024;
  RateLimiter limiter(1.0, 5, kMax);
  auto t = kT0;
  for (int i = 0; i < 100000; ++i) {
    // Each key stays active (4 of 5 tokens) for 1 s; the clock moves 1 ms per request.
    REQUIRE(limiter.take(std::string("ip:").append(std::to_string(i)), t).allowed);
    REQUIRE(limiter.size() <= kMax);
    t += milliseconds(1);
  }
  CHECK(limiter.size() > kMax / 2);
}

TEST_CASE("when every bucket is active, the least recently used go first", "[unit]") {
  constexpr std::size_t kMax = 1024;
  RateLimiter limiter(1.0, 2, kMax);
  // An exhausted key that keeps calling stays exhausted while 100k others pass through at the
  // same instant (none of them ever refills, so only LRU eviction can make room).
  REQUIRE(limiter.take("key:hot", kT0).allowed);
  REQUIRE(limiter.take("key:hot", kT0).allowed);
  auto t = kT0;
  for (int i = 0; i < 100000; ++i) {
    REQUIRE(limiter.take(std::string("ip:").append(std::to_string(i)), t).allowed);
    if (i % 64 == 0) {
      t += std::chrono::microseconds(1);
      REQUIRE_FALSE(limiter.take("key:hot", t).allowed);
    }
  }
  CHECK(limiter.size() <= kMax);
  CHECK_FALSE(limiter.take("key:hot", t).allowed);
}

TEST_CASE("concurrent takes on one key never exceed the burst", "[unit]") {
  RateLimiter limiter(1.0, 100, 1000);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < 200; ++i) {
        if (limiter.take("key:shared", kT0).allowed) {
          ++allowed;
        }
        (void)limiter.take(std::string("key:own").append(std::to_string(n)), kT0);
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(allowed == 100);
}

}  // namespace castor
