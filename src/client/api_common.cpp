#include "client/api_common.h"

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace castor::client {

Headers tenant_headers(const Config& config) {
  if (!config.tenant) {
    return {};
  }
  return {{"X-Tenant", *config.tenant}};
}

Result<boost::json::object> json_body(const HttpResponse& response, std::string_view what) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(response.body, ec);
  if (ec || !value.is_object()) {
    return internal_error(std::string(what) + ": the server's answer is not a JSON object");
  }
  return std::move(value.as_object());
}

std::string string_member(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::int64_t int_member(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr) {
    return 0;
  }
  if (value->is_int64()) {
    return value->as_int64();
  }
  if (value->is_uint64()) {
    return static_cast<std::int64_t>(value->as_uint64());
  }
  return 0;
}

}  // namespace castor::client
