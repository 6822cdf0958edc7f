// Usage statistics and quotas over HTTP (docs/USAGE_AND_QUOTAS.md): exact stats and usage after
// uploads with dedup and deletes; 403 quota_exceeded before the body (Expect: 100-continue gets
// the 403 instead of 100) and at the commit (chunked, small uploads); deletes give space back;
// namespace quotas and upload sessions; the admin endpoints; S3 PutObject refused with
// QuotaExceeded; another tenant's usage and the quota endpoints refused without the right.
#include <chrono>
#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/s3_support.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/raw_connection.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;
using testing::unique_name;

// {objects, logical_bytes, physical_bytes} of a usage answer, or of one of its storage classes.
std::string figures(const boost::json::object& j) {
  return std::to_string(int_field(j, "objects")) + " " +
         std::to_string(int_field(j, "logical_bytes")) + " " +
         std::to_string(int_field(j, "physical_bytes"));
}

std::string class_figures(const boost::json::object& j, const char* storage_class) {
  return figures(j.at("storage_classes").as_object().at(storage_class).as_object());
}

boost::json::object get_json(HttpClient& client, const std::string& target,
                             const testing::Headers& headers = {}) {
  auto r = client.request("GET", target, headers);
  INFO(target << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == 200);
  return parse_object(r.body);
}

HttpResponse put_quota(HttpClient& client, const std::string& path, const std::string& body,
                       const testing::Headers& headers = {}) {
  return client.request("PUT", "/v1/admin/quotas/" + path, headers, body);
}

}  // namespace

TEST_CASE("stats and usage are exact after uploads with dedup and deletes", "[e2e][quota]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = unique_name("usage");
  const std::string x = testing::random_bytes(1000);    // small path, stored 3 times
  const std::string y = testing::random_bytes(100000);  // file path (> INLINE_MAX_BYTES)
  const std::string z = testing::random_bytes(5000);    // cold
  auto x1 = upload(client, {.ns = "a", .tenant = tenant}, x);
  upload(client, {.ns = "a", .tenant = tenant}, x);
  auto y1 = upload(client, {.ns = "a", .tenant = tenant}, y);
  upload(client, {.ns = "b", .tenant = tenant}, x);
  upload(client, {.ns = "b", .tenant = tenant, .storage_class = "cold"}, z);

  auto a = get_json(client, "/v1/namespaces/a/stats?tenant_id=" + tenant);
  CHECK(string_field(a, "tenant_id") == tenant);
  CHECK(string_field(a, "namespace") == "a");
  CHECK(figures(a) == "3 102000 101000");
  CHECK(class_figures(a, "hot") == "3 102000 101000");
  CHECK(class_figures(a, "cold") == "0 0 0");
  auto b = get_json(client, "/v1/namespaces/b/stats", {{"X-Tenant", tenant}});
  CHECK(figures(b) == "2 6000 6000");
  CHECK(class_figures(b, "cold") == "1 5000 5000");
  auto t = get_json(client, "/v1/tenants/" + tenant + "/usage");
  CHECK(figures(t) == "5 108000 106000");  // x counts once for the tenant
  CHECK(class_figures(t, "hot") == "4 103000 101000");
  CHECK(class_figures(t, "cold") == "1 5000 5000");
  CHECK(figures(get_json(client, "/v1/namespaces/empty/stats?tenant_id=" + tenant)) == "0 0 0");

  // A delete gives the space back at once (no GC needed); the last copy takes its physical bytes.
  REQUIRE(by_id(client, "DELETE", string_field(x1, "id"), tenant).status == 204);
  CHECK(figures(get_json(client, "/v1/namespaces/a/stats?tenant_id=" + tenant)) ==
        "2 101000 101000");
  REQUIRE(by_id(client, "DELETE", string_field(y1, "id"), tenant).status == 204);
  CHECK(figures(get_json(client, "/v1/namespaces/a/stats?tenant_id=" + tenant)) == "1 1000 1000");
  CHECK(figures(get_json(client, "/v1/tenants/" + tenant + "/usage")) == "3 7000 6000");
  require_error(client.request("GET", "/v1/namespaces/BAD!/stats?tenant_id=" + tenant), 400, "");
}

TEST_CASE("quotas refuse uploads before the body or at the commit; deletes give space back",
          "[e2e][quota]") {
  auto& server = shared_server().server;
  HttpClient client = server.client();
  const std::string tenant = unique_name("quota");

  require_error(client.request("GET", "/v1/admin/quotas/" + tenant), 404, "not_found");
  auto set = put_quota(client, tenant, R"({"max_bytes": 150000, "max_objects": null})");
  REQUIRE(set.status == 200);
  auto q = parse_object(set.body);
  CHECK(int_field(q, "max_bytes") == 150000);
  CHECK(q.at("max_objects").is_null());
  CHECK(q.at("namespace").is_null());
  CHECK(figures(q.at("usage").as_object()) == "0 0 0");
  require_error(put_quota(client, tenant, R"({"max_bytes": -1})"), 400, "invalid_argument");
  require_error(put_quota(client, tenant, R"({"max_bites": 1})"), 400, "invalid_argument");
  require_error(put_quota(client, tenant, "[]"), 400, "invalid_argument");

  auto big = upload(client, {.ns = "a", .tenant = tenant}, testing::random_bytes(100000));

  SECTION("Expect: 100-continue gets the 403 instead of 100: the body is never read") {
    testing::RawConnection raw(server.port());
    REQUIRE(raw.send("POST /v1/objects HTTP/1.1\r\nHost: x\r\nX-Namespace: a\r\nX-Tenant: " +
                     tenant + "\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n"));
    const std::string answer = raw.read_response(std::chrono::seconds(10));
    INFO(answer);
    CHECK(answer.starts_with("HTTP/1.1 403"));
    CHECK(answer.find("\"code\":\"quota_exceeded\"") != std::string::npos);
    CHECK(answer.find("tenant " + tenant +
                      " may hold at most 150000 bytes (max_bytes); it holds "
                      "100000, this upload adds 100000") != std::string::npos);
  }
  SECTION("a sized upload without Expect is refused with the same 403") {
    require_error(
        post_object(client, {.ns = "b", .tenant = tenant}, testing::random_bytes(60000 + 40000)),
        403, "quota_exceeded");
  }
  SECTION("chunked and small uploads are refused at the commit") {
    require_error(
        client.request_chunked("POST", "/v1/objects", object_headers({.ns = "a", .tenant = tenant}),
                               testing::random_bytes(60000), 16384),
        403, "quota_exceeded");
    upload(client, {.ns = "a", .tenant = tenant}, testing::random_bytes(40000));  // 140000
    require_error(post_object(client, {.ns = "a", .tenant = tenant}, testing::random_bytes(20000)),
                  403, "quota_exceeded");
    CHECK(figures(get_json(client, "/v1/tenants/" + tenant + "/usage")) == "2 140000 140000");
  }
  SECTION("a delete gives the space back") {
    REQUIRE(by_id(client, "DELETE", string_field(big, "id"), tenant).status == 204);
    upload(client, {.ns = "a", .tenant = tenant}, testing::random_bytes(100000));
  }
  SECTION("a namespace quota, upload sessions, and the quota's removal") {
    auto ns_quota = put_quota(client, tenant + "/limited", R"({"max_objects": 1})");
    REQUIRE(ns_quota.status == 200);
    CHECK(string_field(parse_object(ns_quota.body), "namespace") == "limited");
    upload(client, {.ns = "limited", .tenant = tenant}, "one");
    auto second = post_object(client, {.ns = "limited", .tenant = tenant}, "two");
    require_error(second, 403, "quota_exceeded");
    CHECK(second.body.find("namespace limited of tenant " + tenant +
                           " may hold at most 1 objects") != std::string::npos);
    // An upload session into the full namespace is refused when it is opened.
    require_error(client.request("POST", "/v1/uploads", {{"X-Tenant", tenant}},
                                 R"({"namespace": "limited", "size_bytes": 10})"),
                  403, "quota_exceeded");
    // Other namespaces of the tenant are held by the tenant quota only.
    upload(client, {.ns = "other", .tenant = tenant}, "fine");
    auto view = get_json(client, "/v1/admin/quotas/" + tenant + "/limited");
    CHECK(int_field(view, "max_objects") == 1);
    CHECK(figures(view.at("usage").as_object()) == "1 3 3");
    REQUIRE(client.request("DELETE", "/v1/admin/quotas/" + tenant + "/limited").status == 204);
    require_error(client.request("DELETE", "/v1/admin/quotas/" + tenant + "/limited"), 404,
                  "not_found");
    upload(client, {.ns = "limited", .tenant = tenant}, "two");
  }
  REQUIRE(client.request("DELETE", "/v1/admin/quotas/" + tenant).status == 204);
}

TEST_CASE("S3 PutObject over a quota is 403 QuotaExceeded; an overwrite that fits passes",
          "[e2e][quota][s3]") {
  S3Environment& env = s3_environment();
  const std::string tenant = unique_name("s3q");
  S3TestClient s3{env.server.port(), create_s3_credential(env.server.port(), tenant)};
  const std::string bucket = unique_name("b");
  REQUIRE(s3.create_bucket(bucket).status == 200);
  HttpClient admin = env.server.client();  // AUTH_MODE=disabled: an anonymous admin
  REQUIRE(put_quota(admin, tenant, R"({"max_objects": 1})").status == 200);

  REQUIRE(s3.put(bucket, "k1", "first").status == 200);
  auto refused = s3.put(bucket, "k2", "second");
  INFO(refused.body);
  CHECK(refused.status == 403);
  CHECK(xml_value(refused.body, "Code") == "QuotaExceeded");
  CHECK(xml_value(refused.body, "Message").value_or("").find("max_objects") != std::string::npos);
  // Over the inline limit: refused by the pre-check, before the body.
  CHECK(s3.put(bucket, "k3", testing::random_bytes(100000)).status == 403);
  // Replacing k1 retires it in the same commit: the tenant still holds one object.
  CHECK(s3.put(bucket, "k1", "replaced").status == 200);
  CHECK(s3.get(bucket, "k1").body == "replaced");
  REQUIRE(s3.remove(bucket, "k1").status == 204);
  CHECK(s3.put(bucket, "k2", "second").status == 200);
}

TEST_CASE("usage of another tenant and the quota endpoints need the right", "[e2e][quota][auth]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const std::string mine = unique_name("qa");
  const std::string other = unique_name("qb");
  IssuedKey key = create_key(client, env.admin.key, mine, {"objects:read", "objects:write"});
  const testing::Headers auth = bearer(key.key);

  REQUIRE(client.request("GET", "/v1/tenants/" + mine + "/usage", auth).status == 200);
  auto stats = client.request("GET", "/v1/namespaces/a/stats", auth);  // the key's tenant
  REQUIRE(stats.status == 200);
  CHECK(string_field(parse_object(stats.body), "tenant_id") == mine);
  require_error(client.request("GET", "/v1/tenants/" + other + "/usage", auth), 403, "");
  require_error(client.request("GET", "/v1/namespaces/a/stats?tenant_id=" + other, auth), 403, "");
  require_error(client.request("GET", "/v1/tenants/" + mine + "/usage"), 401, "");
  require_error(put_quota(client, mine, R"({"max_objects": 1000})", auth), 403, "");
  require_error(client.request("GET", "/v1/admin/quotas/" + mine, auth), 403, "");
  require_error(client.request("DELETE", "/v1/admin/quotas/" + mine, auth), 403, "");
  REQUIRE(put_quota(client, mine, R"({"max_objects": 1000})", bearer(env.admin.key)).status == 200);
}

}  // namespace castor::e2e
