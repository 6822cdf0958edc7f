#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "support/http_client.h"

// Small helpers the chaos load and checks share: random choices, JSON bodies, and how an answer
// is counted.
namespace castor::chaos {

class Observations;

inline constexpr auto kRequestTimeout = std::chrono::seconds(20);
// Pacing when no server is up (not synchronisation: nothing waits on it).
inline constexpr auto kNoServerPause = std::chrono::milliseconds(5);

// A uniform choice in [low, high].
std::size_t between(std::mt19937_64& rng, std::size_t low, std::size_t high);

// The JSON object in `body`, or null.
boost::json::object* parse(std::string_view body, boost::json::value& storage);

// The string member `name` of `object`, or "" if it is absent or not a string.
std::string json_string(const boost::json::object& object, std::string_view name);
// The non-negative integer member `name`, or -1.
std::int64_t json_count(const boost::json::object& object, std::string_view name);

// "STATUS body..." (the start of the body), for failure messages.
std::string status_text(const testing::HttpResponse& response);

// Counts the answer to `operation`, notes the body of a 500, and after a 503 pauses a little so
// that a worker does not spin while a dependency is down (pacing, not synchronisation).
void observe(Observations& observations, const std::string& operation,
             const testing::HttpResponse& response);

// Whether `status` is a server-side failure the load tolerates while faults are injected.
inline bool tolerated_5xx(int status) { return status == 500 || status == 503; }

}  // namespace castor::chaos
