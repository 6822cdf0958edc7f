#include "client/retry_policy.h"

#include <catch2/catch.hpp>

namespace castor::client {

using std::chrono::milliseconds;

TEST_CASE("retry: only 429 and 503 are retried", "[unit][client]") {
  CHECK(RetryPolicy::retryable_status(429));
  CHECK(RetryPolicy::retryable_status(503));
  for (long status : {200L, 201L, 204L, 400L, 401L, 403L, 404L, 409L, 413L, 500L, 502L, 507L}) {
    INFO(status);
    CHECK_FALSE(RetryPolicy::retryable_status(status));
  }
}

TEST_CASE("retry: exponential backoff with jitter, capped", "[unit][client]") {
  const RetryPolicy policy{
      .max_retries = 5, .base_delay = milliseconds(100), .max_delay = milliseconds(1000)};
  // jitter 1 (just under): the full ceiling; jitter 0: half of it.
  CHECK(policy.delay(0, std::nullopt, 0.999999).count() == 99);
  CHECK(policy.delay(0, std::nullopt, 0.0) == milliseconds(50));
  CHECK(policy.delay(1, std::nullopt, 0.0) == milliseconds(100));
  CHECK(policy.delay(2, std::nullopt, 0.0) == milliseconds(200));
  CHECK(policy.delay(3, std::nullopt, 0.0) == milliseconds(400));
  CHECK(policy.delay(4, std::nullopt, 0.0) == milliseconds(500));   // ceiling 1000 (capped)
  CHECK(policy.delay(40, std::nullopt, 0.0) == milliseconds(500));  // no overflow
  CHECK(policy.delay(40, std::nullopt, 1.0) == milliseconds(1000));
  for (int attempt = 0; attempt < 10; ++attempt) {
    for (double jitter : {0.0, 0.3, 0.7, 0.99}) {
      const milliseconds d = policy.delay(attempt, std::nullopt, jitter);
      CHECK(d >= milliseconds(50));
      CHECK(d <= policy.max_delay);
    }
  }
}

TEST_CASE("retry: Retry-After is honoured, within max_delay", "[unit][client]") {
  const RetryPolicy policy{
      .max_retries = 5, .base_delay = milliseconds(100), .max_delay = milliseconds(10'000)};
  CHECK(policy.delay(0, milliseconds(3000), 0.0) == milliseconds(3000));
  CHECK(policy.delay(0, milliseconds(3000), 0.5) == milliseconds(3750));
  CHECK(policy.delay(0, milliseconds(3000), 0.999) < milliseconds(4500));
  CHECK(policy.delay(3, milliseconds(0), 0.5) == milliseconds(0));
  CHECK(policy.delay(0, milliseconds(3'600'000), 0.5) == milliseconds(10'000));
}

TEST_CASE("retry: Retry-After in seconds; dates and junk are ignored", "[unit][client]") {
  CHECK(parse_retry_after("2") == milliseconds(2000));
  CHECK(parse_retry_after(" 0 ") == milliseconds(0));
  CHECK(parse_retry_after("120") == milliseconds(120'000));
  CHECK_FALSE(parse_retry_after(""));
  CHECK_FALSE(parse_retry_after("-1"));
  CHECK_FALSE(parse_retry_after("1.5"));
  CHECK_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
  CHECK_FALSE(parse_retry_after("99999999999999"));
}

}  // namespace castor::client
