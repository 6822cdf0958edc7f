#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "support/http_client.h"

// Small helpers for talking to castor's HTTP API in tests. Helpers whose name says what they
// require (upload, run_gc, require_error) check it with Catch2 assertions; the others only build
// or parse.
namespace castor::e2e {

// The parameters of an object as castor takes them (headers X-Namespace, X-Tenant, X-Key,
// X-Storage-Class).
struct ObjectParams {
  std::string ns = "e2e";
  std::string tenant{};
  std::optional<std::string> key{};
  std::optional<std::string> storage_class{};
};

testing::Headers object_headers(const ObjectParams& params);

// POST /v1/objects with `params` as headers plus `extra`.
testing::HttpResponse post_object(testing::HttpClient& client, const ObjectParams& params,
                                  std::string_view body, const testing::Headers& extra = {});

// post_object(), requiring 201; returns the response's JSON object.
boost::json::object upload(testing::HttpClient& client, const ObjectParams& params,
                           std::string_view body, const testing::Headers& extra = {});

// GET (or HEAD, DELETE) /v1/objects/{id} with X-Tenant: tenant.
testing::HttpResponse by_id(testing::HttpClient& client, std::string_view method,
                            std::string_view id, std::string_view tenant,
                            const testing::Headers& extra = {});

// "/v1/objects/by-key/{ns}/{tenant}/{key}" with the key percent-encoded, slashes kept.
std::string by_key_target(std::string_view ns, std::string_view tenant, std::string_view key);

// Every object of GET /v1/objects for (ns, tenant, prefix), following next_cursor page by page,
// and how many pages that took. Requires 200 and at most `limit` objects on every page.
struct Listing {
  std::vector<boost::json::object> objects;
  int pages = 0;
};
Listing list_objects(testing::HttpClient& client, std::string_view ns, std::string_view tenant,
                     std::string_view prefix = {}, int limit = 1000);

// POST /v1/admin/gc, requiring 200 and every count in the answer; returns the JSON.
boost::json::object run_gc(testing::HttpClient& client);

// Parses `body` as a JSON object; throws std::runtime_error quoting the body otherwise.
boost::json::object parse_object(std::string_view body);

// The string member `name` of `object`; throws std::runtime_error if missing or not a string.
std::string string_field(const boost::json::object& object, std::string_view name);

// The integer member `name` of `object`; throws std::runtime_error if missing or not an integer.
std::int64_t int_field(const boost::json::object& object, std::string_view name);

// Requires `response` to be an error as castor sends them: `status`, an X-Request-Id, and a JSON
// body {"error": {"code": code, "message": non-empty}} (code not checked if empty).
void require_error(const testing::HttpResponse& response, int status, std::string_view code);

}  // namespace castor::e2e
