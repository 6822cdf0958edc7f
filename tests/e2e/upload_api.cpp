#include "e2e/upload_api.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "support/sha256.h"

namespace castor::e2e {

namespace json = boost::json;
using testing::HttpClient;
using testing::HttpResponse;

namespace {

testing::Headers tenant_headers(std::string_view tenant) {
  return {{"X-Tenant", std::string(tenant)}};
}

std::string upload_target(std::string_view id) { return "/v1/uploads/" + std::string(id); }

}  // namespace

SharedServer& upload_server() {
  static SharedServer server = [] {
    testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_uploads");
    testing::ServerOptions options{.binary = castor_binary(),
                                   .database_url = database.url(),
                                   .max_object_size = kSharedMaxObjectSize};
    testing::ServerProcess process = testing::ServerProcess::start(std::move(options));
    return SharedServer{std::move(database), std::move(process)};
  }();
  return server;
}

HttpResponse post_upload(HttpClient& client, std::string_view tenant, std::string_view body) {
  testing::Headers headers = tenant_headers(tenant);
  headers["Content-Type"] = "application/json";
  return client.request("POST", "/v1/uploads", headers, body);
}

json::object create_upload(HttpClient& client, std::string_view tenant, std::string_view body) {
  const HttpResponse response = post_upload(client, tenant, body);
  INFO("POST /v1/uploads " << body << " -> " << response.status << " " << response.body);
  REQUIRE(response.status == 201);
  json::object session = parse_object(response.body);
  CHECK(response.header("Location") == upload_target(string_field(session, "upload_id")));
  return session;
}

HttpResponse upload_request(HttpClient& client, std::string_view method, std::string_view tenant,
                            std::string_view id) {
  return client.request(method, upload_target(id), tenant_headers(tenant));
}

json::object get_upload(HttpClient& client, std::string_view tenant, std::string_view id) {
  const HttpResponse response = upload_request(client, "GET", tenant, id);
  INFO("GET /v1/uploads/" << id << " -> " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return parse_object(response.body);
}

HttpResponse put_part(HttpClient& client, std::string_view tenant, std::string_view id,
                      std::string_view n, std::string_view content, const testing::Headers& extra) {
  testing::Headers headers = extra;
  headers["X-Tenant"] = std::string(tenant);
  return client.request("PUT", upload_target(id) + "/parts/" + std::string(n), headers, content);
}

void store_part(HttpClient& client, std::string_view tenant, std::string_view id, int n,
                std::string_view content) {
  const HttpResponse response = put_part(client, tenant, id, std::to_string(n), content);
  INFO("PUT part " << n << " of " << id << " -> " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  const std::string hash = testing::sha256_hex(content);
  CHECK(response.header("ETag") == "\"" + hash + "\"");
  const json::object answer = parse_object(response.body);
  CHECK(int_field(answer, "part_number") == n);
  CHECK(int_field(answer, "size_bytes") == static_cast<std::int64_t>(content.size()));
  CHECK(string_field(answer, "sha256") == hash);
}

HttpResponse complete_upload(HttpClient& client, std::string_view tenant, std::string_view id,
                             std::string_view body) {
  testing::Headers headers = tenant_headers(tenant);
  if (!body.empty()) {
    headers["Content-Type"] = "application/json";
  }
  return client.request("POST", upload_target(id) + "/complete", headers, body);
}

std::vector<PartInfo> parts_of(const json::object& session) {
  std::vector<PartInfo> parts;
  for (const json::value& v : session.at("parts").as_array()) {
    const json::object& part = v.as_object();
    parts.push_back({int_field(part, "part_number"), int_field(part, "size_bytes"),
                     string_field(part, "sha256")});
  }
  return parts;
}

PartInfo part_info(int n, std::string_view content) {
  return {n, static_cast<std::int64_t>(content.size()), testing::sha256_hex(content)};
}

std::vector<std::string> split_at(std::string_view content, const std::vector<std::size_t>& at) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  for (std::size_t end : at) {
    pieces.emplace_back(content.substr(start, end - start));
    start = end;
  }
  pieces.emplace_back(content.substr(start));
  return pieces;
}

json::object upload_in_parts(HttpClient& client, std::string_view tenant, std::string_view body,
                             const std::vector<std::string>& pieces) {
  const json::object session = create_upload(client, tenant, body);
  const std::string id = string_field(session, "upload_id");
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    store_part(client, tenant, id, static_cast<int>(i + 1), pieces[i]);
  }
  const HttpResponse done = complete_upload(client, tenant, id);
  INFO("complete " << id << " -> " << done.status << " " << done.body);
  REQUIRE(done.status == 201);
  return parse_object(done.body);
}

json::object fsck(HttpClient& client) {
  const HttpResponse response = client.request("POST", "/v1/admin/fsck");
  INFO("POST /v1/admin/fsck -> " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return parse_object(response.body);
}

void require_fsck_clean(HttpClient& client) {
  const json::object report = fsck(client);
  INFO("fsck: " << json::serialize(report));
  CHECK(int_field(report, "refcount_mismatch") == 0);
  CHECK(int_field(report, "missing") == 0);
  CHECK(int_field(report, "size_mismatch") == 0);
  CHECK(report.at("clean").as_bool());
}

}  // namespace castor::e2e
