#include "e2e/s3_credentials.h"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

namespace castor::e2e {
namespace {

testing::Headers admin_headers(std::string_view admin_key) {
  testing::Headers headers;
  if (!admin_key.empty()) {
    headers["Authorization"] = "Bearer " + std::string(admin_key);
  }
  return headers;
}

}  // namespace

std::vector<std::string> all_object_scopes() {
  return {"objects:read", "objects:write", "objects:delete"};
}

S3KeyPair create_s3_credential(testing::HttpClient& client, std::string_view admin_key,
                               std::string_view tenant, const std::vector<std::string>& scopes,
                               const std::vector<std::string>& namespaces) {
  boost::json::object request;
  request["tenant_id"] = tenant;
  boost::json::array names;
  for (const std::string& scope : scopes) {
    names.emplace_back(scope);
  }
  request["scopes"] = std::move(names);
  request["description"] = "e2e";
  if (!namespaces.empty()) {
    boost::json::array listed;
    for (const std::string& ns : namespaces) {
      listed.emplace_back(ns);
    }
    request["namespaces"] = std::move(listed);
  }
  testing::Headers headers = admin_headers(admin_key);
  headers["Content-Type"] = "application/json";
  const testing::HttpResponse response =
      client.request("POST", "/v1/admin/s3-credentials", headers, boost::json::serialize(request));
  INFO("POST /v1/admin/s3-credentials -> " << response.status << " " << response.body);
  REQUIRE(response.status == 201);
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(response.body, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(body.is_object());
  const auto* id = body.as_object().if_contains("access_key_id");
  const auto* secret = body.as_object().if_contains("secret_access_key");
  REQUIRE(id != nullptr);
  REQUIRE(secret != nullptr);
  REQUIRE(id->is_string());
  REQUIRE(secret->is_string());
  S3KeyPair pair{std::string(id->as_string()), std::string(secret->as_string())};
  REQUIRE(pair.access_key_id.size() == 20);
  REQUIRE(pair.access_key_id.starts_with("CK"));
  REQUIRE(pair.secret_access_key.size() == 40);
  return pair;
}

void revoke_s3_credential(testing::HttpClient& client, std::string_view admin_key,
                          std::string_view access_key_id) {
  const testing::HttpResponse response = client.request(
      "DELETE", "/v1/admin/s3-credentials/" + std::string(access_key_id), admin_headers(admin_key));
  INFO("DELETE /v1/admin/s3-credentials/" << access_key_id << " -> " << response.status << " "
                                          << response.body);
  REQUIRE(response.status == 204);
}

}  // namespace castor::e2e
