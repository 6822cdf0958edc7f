#include "e2e/castor_api.h"

#include <stdexcept>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

namespace castor::e2e {

testing::Headers object_headers(const ObjectParams& params) {
  testing::Headers headers = {{"X-Namespace", params.ns}, {"X-Tenant", params.tenant}};
  if (params.key) {
    headers["X-Key"] = *params.key;
  }
  if (params.storage_class) {
    headers["X-Storage-Class"] = *params.storage_class;
  }
  return headers;
}

testing::HttpResponse post_object(testing::HttpClient& client, const ObjectParams& params,
                                  std::string_view body, const testing::Headers& extra) {
  testing::Headers headers = object_headers(params);
  for (const auto& [name, value] : extra) {
    headers[name] = value;
  }
  return client.request("POST", "/v1/objects", headers, body);
}

boost::json::object upload(testing::HttpClient& client, const ObjectParams& params,
                           std::string_view body, const testing::Headers& extra) {
  const testing::HttpResponse response = post_object(client, params, body, extra);
  INFO("upload response: " << response.status << " " << response.body);
  REQUIRE(response.status == 201);
  return parse_object(response.body);
}

testing::HttpResponse by_id(testing::HttpClient& client, std::string_view method,
                            std::string_view id, std::string_view tenant,
                            const testing::Headers& extra) {
  testing::Headers headers = extra;
  headers["X-Tenant"] = std::string(tenant);
  return client.request(method, "/v1/objects/" + std::string(id), headers);
}

std::string by_key_target(std::string_view ns, std::string_view tenant, std::string_view key) {
  return "/v1/objects/by-key/" + std::string(ns) + "/" + std::string(tenant) + "/" +
         testing::percent_encode(key, /*keep_slashes=*/true);
}

Listing list_objects(testing::HttpClient& client, std::string_view ns, std::string_view tenant,
                     std::string_view prefix, int limit) {
  Listing listing;
  std::string cursor;
  for (;;) {
    std::string target = "/v1/objects?namespace=" + std::string(ns) +
                         "&tenant_id=" + std::string(tenant) + "&limit=" + std::to_string(limit);
    if (!prefix.empty()) {
      target += "&prefix=" + testing::percent_encode(prefix);
    }
    if (!cursor.empty()) {
      target += "&cursor=" + testing::percent_encode(cursor);
    }
    const testing::HttpResponse response = client.request("GET", target);
    INFO("GET " << target << " -> " << response.status << " " << response.body);
    REQUIRE(response.status == 200);
    const boost::json::object page = parse_object(response.body);
    const boost::json::array& objects = page.at("objects").as_array();
    CHECK(objects.size() <= static_cast<std::size_t>(limit));
    for (const auto& object : objects) {
      listing.objects.push_back(object.as_object());
    }
    ++listing.pages;
    REQUIRE(listing.pages < 1000);
    const boost::json::value& next = page.at("next_cursor");
    if (next.is_null()) {
      return listing;
    }
    CHECK_FALSE(objects.empty());
    cursor = std::string(next.as_string());
  }
}

boost::json::object run_gc(testing::HttpClient& client) {
  const testing::HttpResponse response = client.request("POST", "/v1/admin/gc");
  INFO("POST /v1/admin/gc: " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  boost::json::object counts = parse_object(response.body);
  for (const char* name :
       {"deleted_blobs", "reclaimed_bytes", "tombstoned_objects", "expired_writing_objects",
        "removed_temp_files", "removed_orphan_files"}) {
    INFO("count " << name);
    REQUIRE(int_field(counts, name) >= 0);
  }
  return counts;
}

boost::json::object parse_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) {
    throw std::runtime_error("not a JSON object: " + std::string(body.substr(0, 500)));
  }
  return std::move(value.as_object());
}

std::string string_field(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    throw std::runtime_error("no string \"" + std::string(name) + "\" in " +
                             boost::json::serialize(object));
  }
  return std::string(value->as_string());
}

std::int64_t int_field(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value != nullptr && value->is_int64()) {
    return value->as_int64();
  }
  if (value != nullptr && value->is_uint64()) {
    return static_cast<std::int64_t>(value->as_uint64());
  }
  throw std::runtime_error("no integer \"" + std::string(name) + "\" in " +
                           boost::json::serialize(object));
}

void require_error(const testing::HttpResponse& response, int status, std::string_view code) {
  INFO("response: " << response.status << " " << response.body);
  REQUIRE(response.status == status);
  CHECK_FALSE(response.header("X-Request-Id").empty());
  const boost::json::object body = parse_object(response.body);
  const boost::json::value* error = body.if_contains("error");
  REQUIRE(error != nullptr);
  REQUIRE(error->is_object());
  const std::string actual_code = string_field(error->as_object(), "code");
  CHECK_FALSE(actual_code.empty());
  if (!code.empty()) {
    CHECK(actual_code == code);
  }
  CHECK_FALSE(string_field(error->as_object(), "message").empty());
}

}  // namespace castor::e2e
