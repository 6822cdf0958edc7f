#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace castor::client {

// When and how long castorctl waits before repeating a request: on 429 and 503 responses and on
// connection errors, never on other statuses. Bounded: at most `max_retries` retries, each delay
// at most `max_delay`.
struct RetryPolicy {
  int max_retries = 5;
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{20'000};

  // Whether a response with HTTP `status` may be retried (429, 503).
  static bool retryable_status(long status);

  // The delay before retry number `attempt` (0 for the first retry), given `jitter` (a uniform
  // random number in [0, 1)). With a Retry-After the server's value is honoured and stretched into
  // [100 %, 150 %) by the jitter, so that clients told to come back at the same moment do not all
  // return together; otherwise exponential backoff, base_delay * 2^attempt scaled into
  // [50 %, 100 %). Either way at most max_delay.
  std::chrono::milliseconds delay(int attempt, std::optional<std::chrono::milliseconds> retry_after,
                                  double jitter) const;
};

// A Retry-After header's value in delay-seconds form ("120"), or nullopt for anything else
// (HTTP dates fall back to the computed backoff).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace castor::client
