#include "chaos/http_util.h"

#include <thread>

#include <boost/json/parse.hpp>

#include "chaos/load.h"

namespace castor::chaos {
namespace {
constexpr auto kUnavailablePause = std::chrono::milliseconds(20);
}  // namespace

std::size_t between(std::mt19937_64& rng, std::size_t low, std::size_t high) {
  return std::uniform_int_distribution<std::size_t>(low, high)(rng);
}

boost::json::object* parse(std::string_view body, boost::json::value& storage) {
  boost::system::error_code ec;
  storage = boost::json::parse(body, ec);
  return ec ? nullptr : storage.if_object();
}

std::string json_string(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::int64_t json_count(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value != nullptr && value->is_int64() && value->as_int64() >= 0) {
    return value->as_int64();
  }
  if (value != nullptr && value->is_uint64() && value->as_uint64() <= INT64_MAX) {
    return static_cast<std::int64_t>(value->as_uint64());
  }
  return -1;
}

std::string status_text(const testing::HttpResponse& response) {
  return std::to_string(response.status) + " " + response.body.substr(0, 200);
}

void observe(Observations& observations, const std::string& operation,
             const testing::HttpResponse& response) {
  observations.count(operation + " " + std::to_string(response.status));
  if (response.status == 500) {
    observations.note(operation + " 500: " + response.body.substr(0, 300));
  } else if (response.status == 503) {
    std::this_thread::sleep_for(kUnavailablePause);
  }
}

}  // namespace castor::chaos
