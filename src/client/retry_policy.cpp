#include "client/retry_policy.h"

#include <algorithm>
#include <cstdint>

namespace castor::client {

bool RetryPolicy::retryable_status(long status) { return status == 429 || status == 503; }

std::chrono::milliseconds RetryPolicy::delay(int attempt,
                                             std::optional<std::chrono::milliseconds> retry_after,
                                             double jitter) const {
  if (retry_after) {
    const double stretch = 1.0 + 0.5 * std::clamp(jitter, 0.0, 1.0);
    const auto stretched = std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(retry_after->count()) * stretch));
    return std::clamp(stretched, std::chrono::milliseconds(0), max_delay);
  }
  std::chrono::milliseconds ceiling = base_delay;
  for (int i = 0; i < attempt && ceiling < max_delay; ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, max_delay);
  const double scale = 0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(ceiling.count()) * scale));
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  if (value.empty() || value.size() > 9) {
    return std::nullopt;
  }
  std::int64_t seconds = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::milliseconds(seconds * 1000);
}

}  // namespace castor::client
