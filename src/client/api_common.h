#pragma once

#include <string_view>

#include <boost/json/object.hpp>

#include "client/config.h"
#include "client/http_client.h"
#include "domain/error.h"

namespace castor::client {

// X-Tenant: <tenant> when the configuration names one (a tenant-bound credential may omit it).
Headers tenant_headers(const Config& config);

// The response body as a JSON object, or Internal naming `what` when it is not one.
Result<boost::json::object> json_body(const HttpResponse& response, std::string_view what);

// The string member `name` of `object`, or "" when it is missing or not a string.
std::string string_member(const boost::json::object& object, std::string_view name);

// The integer member `name` of `object`, or 0 when it is missing or not an integer.
std::int64_t int_member(const boost::json::object& object, std::string_view name);

}  // namespace castor::client
