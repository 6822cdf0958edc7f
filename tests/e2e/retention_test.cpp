// Retention (WORM) end to end (docs/RETENTION.md): namespace defaults, deletes refused with the
// date, legal holds, compliance never shortened (not even by an admin), governance bypassed only
// by an admin (audited), the GC leaving locked objects alone, and the S3 Object Lock headers,
// deletes and overwrites, through real servers.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/s3_support.h"
#include "support/random_data.h"

namespace castor::e2e {
namespace {

using testing::HttpResponse;
using testing::unique_name;
using Micros = std::chrono::sys_time<std::chrono::microseconds>;

// RFC 3339 (whole seconds, UTC) of now + `from_now`.
std::string rfc3339_in(std::chrono::seconds from_now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + from_now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Parses castor's "YYYY-MM-DDTHH:MM:SS.ffffffZ".
Micros parse_time(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, us = 0;
  REQUIRE(std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &s, &us) == 7);
  const auto day = std::chrono::sys_days(std::chrono::year(y) / mo / d);
  return Micros(day) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s) +
         std::chrono::microseconds(us);
}

testing::Headers as(std::string_view key, std::string_view tenant) {
  testing::Headers h = bearer(key);
  h["X-Tenant"] = std::string(tenant);
  h["Content-Type"] = "application/json";
  return h;
}

std::string message_of(const HttpResponse& r) {
  try {
    return std::string(
        boost::json::parse(r.body).as_object().at("error").as_object().at("message").as_string());
  } catch (const std::exception&) {
    return "";
  }
}

// The object as GET /v1/objects lists it (the effective retention, applied at commit).
boost::json::object listed(testing::HttpClient& client, std::string_view key, std::string_view ns,
                           std::string_view tenant, const std::string& id) {
  const HttpResponse r =
      client.request("GET", "/v1/objects?namespace=" + std::string(ns), as(key, tenant));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const boost::json::value page = boost::json::parse(r.body);
  for (const auto& o : page.as_object().at("objects").as_array()) {
    if (o.as_object().at("id").as_string() == id) {
      return o.as_object();
    }
  }
  FAIL("object " << id << " is not listed");
  return {};
}

// A tenant with a key for objects:read/write/delete, and the shared admin key.
struct AuthFixture {
  AuthEnvironment& env = auth_environment();
  testing::HttpClient client = env.server.client();
  std::string tenant = unique_name("worm");
  IssuedKey user = create_key(client, env.admin.key, tenant,
                              {"objects:read", "objects:write", "objects:delete"});

  std::string upload(const std::string& ns, const std::string& key, const std::string& body,
                     testing::Headers extra = {}) {
    testing::Headers h = bearer(user.key);
    for (auto& [name, value] : extra) {
      h[name] = value;
    }
    const HttpResponse r = post_object(client, {.ns = ns, .tenant = tenant, .key = key}, body, h);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return string_field(parse_object(r.body), "id");
  }
  HttpResponse remove(const std::string& id) {
    return client.request("DELETE", "/v1/objects/" + id, as(user.key, tenant));
  }
  HttpResponse put_retention(std::string_view key, const std::string& id, const std::string& body) {
    return client.request("PUT", "/v1/objects/" + id + "/retention", as(key, tenant), body);
  }
  std::string ns_target(const std::string& ns) {
    return "/v1/admin/namespaces/" + tenant + "/" + ns + "/retention";
  }
};

}  // namespace

TEST_CASE("a namespace's default retention is applied and a delete is refused with the date",
          "[auth][retention]") {
  AuthFixture f;
  const std::string config = R"({"mode":"governance","default_retention_days":1})";
  CHECK(f.client.request("PUT", f.ns_target("vault"), as(f.user.key, f.tenant), config).status ==
        403);
  const HttpResponse put =
      f.client.request("PUT", f.ns_target("vault"), as(f.env.admin.key, f.tenant), config);
  INFO(put.body);
  REQUIRE(put.status == 200);
  const HttpResponse got = f.client.request("GET", f.ns_target("vault"), bearer(f.env.admin.key));
  REQUIRE(got.status == 200);
  const auto cfg = parse_object(got.body);
  CHECK(string_field(cfg, "mode") == "governance");
  CHECK(int_field(cfg, "default_retention_days") == 1);
  CHECK(cfg.at("allow_overwrite").as_bool() == false);
  CHECK(f.client.request("GET", f.ns_target("other"), bearer(f.env.admin.key)).status == 404);

  const std::string id = f.upload("vault", "report.pdf", "archived bytes");
  const auto o = listed(f.client, f.user.key, "vault", f.tenant, id);
  REQUIRE(o.at("retention").is_object());
  const auto& r = o.at("retention").as_object();
  CHECK(r.at("mode").as_string() == "governance");
  const std::string until = std::string(r.at("retain_until").as_string());
  CHECK(parse_time(until) == parse_time(string_field(o, "updated_at")) + std::chrono::days(1));
  CHECK(o.at("legal_hold").as_bool() == false);
  // Other namespaces of the tenant are not WORM.
  const std::string free_id = f.upload("scratch", "tmp", "x");
  CHECK(listed(f.client, f.user.key, "scratch", f.tenant, free_id).at("retention").is_null());
  CHECK(f.remove(free_id).status == 204);

  const HttpResponse refused = f.remove(id);
  require_error(refused, 409, "object_locked");
  CHECK(message_of(refused).find(until.substr(0, 19) + "Z") != std::string::npos);
  require_error(f.client.request("DELETE", by_key_target("vault", f.tenant, "report.pdf"),
                                 as(f.user.key, f.tenant)),
                409, "object_locked");
  const HttpResponse head = by_id(f.client, "HEAD", id, f.tenant, bearer(f.user.key));
  CHECK(head.status == 200);
  CHECK(head.header("X-Retention-Mode") == "governance");
  CHECK(head.header("X-Retain-Until") == until);

  SECTION("governance: shortened only by an admin's bypass, audited") {
    const std::string shorter =
        R"({"mode":"governance","retain_until":")" + rfc3339_in(std::chrono::hours(1)) + R"("})";
    require_error(f.put_retention(f.user.key, id, shorter), 409, "retention_locked");
    require_error(f.put_retention(f.user.key, id, R"({"retain_until":null})"), 409,
                  "retention_locked");
    require_error(
        f.put_retention(f.user.key, id, R"({"retain_until":null,"bypass_governance":true})"), 403,
        "");
    require_error(f.put_retention(f.env.admin.key, id, R"({"retain_until":null})"), 409,
                  "retention_locked");
    const HttpResponse bypassed =
        f.put_retention(f.env.admin.key, id, R"({"retain_until":null,"bypass_governance":true})");
    INFO(bypassed.body);
    REQUIRE(bypassed.status == 200);
    CHECK(parse_object(bypassed.body).at("retention").is_null());
    const std::string log = f.env.server.log();
    CHECK(log.find("audit: governance retention of object " + id) != std::string::npos);
    CHECK(log.find("bypassed by key:" + f.env.admin.id + ": governance until " + until +
                   " -> none") != std::string::npos);
    CHECK(f.remove(id).status == 204);
  }
  SECTION("governance: extended by the tenant") {
    const std::string later = rfc3339_in(std::chrono::hours(24 * 30));
    const HttpResponse extended = f.put_retention(
        f.user.key, id, R"({"mode":"governance","retain_until":")" + later + R"("})");
    INFO(extended.body);
    REQUIRE(extended.status == 200);
    CHECK(parse_object(extended.body).at("retention").as_object().at("retain_until").as_string() ==
          later.substr(0, 19) + ".000000Z");
    require_error(f.remove(id), 409, "object_locked");
  }
  SECTION("the governance configuration can be removed") {
    CHECK(f.client.request("DELETE", f.ns_target("vault"), bearer(f.env.admin.key)).status == 204);
    CHECK(f.client.request("GET", f.ns_target("vault"), bearer(f.env.admin.key)).status == 404);
    // Objects keep what they got.
    require_error(f.remove(id), 409, "object_locked");
  }
}

TEST_CASE("a legal hold blocks deletes until it is lifted", "[auth][retention]") {
  AuthFixture f;
  const std::string id = f.upload("holds", "evidence", "exhibit A", {{"X-Legal-Hold", "on"}});
  CHECK(listed(f.client, f.user.key, "holds", f.tenant, id).at("legal_hold").as_bool());
  const HttpResponse refused = f.remove(id);
  require_error(refused, 409, "object_locked");
  CHECK(message_of(refused).find("legal hold") != std::string::npos);
  CHECK(by_id(f.client, "HEAD", id, f.tenant, bearer(f.user.key)).header("X-Legal-Hold") == "on");

  // Another tenant's key cannot touch it.
  const std::string other = unique_name("worm");
  const IssuedKey stranger = create_key(f.client, f.env.admin.key, other, {"objects:write"});
  CHECK(f.client
            .request("PUT", "/v1/objects/" + id + "/legal-hold", as(stranger.key, f.tenant),
                     R"({"legal_hold":false})")
            .status == 403);
  CHECK(f.client
            .request("PUT", "/v1/objects/" + id + "/legal-hold", as(stranger.key, other),
                     R"({"legal_hold":false})")
            .status == 404);
  require_error(f.client.request("PUT", "/v1/objects/" + id + "/legal-hold",
                                 as(f.user.key, f.tenant), R"({"legal_hold":"no"})"),
                400, "");

  const HttpResponse lifted = f.client.request("PUT", "/v1/objects/" + id + "/legal-hold",
                                               as(f.user.key, f.tenant), R"({"legal_hold":false})");
  INFO(lifted.body);
  REQUIRE(lifted.status == 200);
  CHECK(parse_object(lifted.body).at("legal_hold").as_bool() == false);
  CHECK(f.env.server.log().find("audit: legal hold of object " + id) != std::string::npos);
  CHECK(f.remove(id).status == 204);
  CHECK(f.remove(id).status == 404);
}

TEST_CASE("compliance retention is only ever extended, by nobody shortened, not even an admin",
          "[auth][retention]") {
  AuthFixture f;
  const std::string until = rfc3339_in(std::chrono::hours(24));
  const std::string id = f.upload("ledger", "2026.csv", "a,b\n",
                                  {{"X-Retain-Until", until}, {"X-Retention-Mode", "compliance"}});
  const auto o = listed(f.client, f.user.key, "ledger", f.tenant, id);
  CHECK(o.at("retention").as_object().at("mode").as_string() == "compliance");

  const std::string shorter =
      R"({"mode":"compliance","retain_until":")" + rfc3339_in(std::chrono::hours(1)) + R"("})";
  for (const std::string& body : {shorter, std::string(R"({"retain_until":null})"),
                                  R"({"mode":"governance","retain_until":")" + until + R"("})"}) {
    CAPTURE(body);
    require_error(f.put_retention(f.user.key, id, body), 409, "retention_locked");
    const std::string bypass = body.substr(0, body.size() - 1) + R"(,"bypass_governance":true})";
    require_error(f.put_retention(f.env.admin.key, id, bypass), 409, "retention_locked");
  }
  require_error(f.remove(id), 409, "object_locked");

  const std::string later = rfc3339_in(std::chrono::hours(48));
  const HttpResponse extended =
      f.put_retention(f.user.key, id, R"({"mode":"compliance","retain_until":")" + later + R"("})");
  INFO(extended.body);
  REQUIRE(extended.status == 200);
  require_error(
      f.put_retention(f.user.key, id, R"({"mode":"compliance","retain_until":")" + until + R"("})"),
      409, "retention_locked");
  // Bad requests.
  require_error(f.put_retention(f.user.key, id, R"({"mode":"compliance"})"), 409,
                "retention_locked");  // no retain_until: a removal
  require_error(
      f.put_retention(f.user.key, id, R"({"mode":"forever","retain_until":")" + later + R"("})"),
      400, "");
  require_error(f.put_retention(f.user.key, id, R"({"retain_until":")" + later + R"("})"), 400, "");
  HttpResponse bad =
      post_object(f.client, {.ns = "ledger", .tenant = f.tenant, .key = "x"}, "x",
                  {{"Authorization", "Bearer " + f.user.key}, {"X-Retain-Until", "tomorrow"}});
  require_error(bad, 400, "");
  bad = post_object(f.client, {.ns = "ledger", .tenant = f.tenant, .key = "x"}, "x",
                    {{"Authorization", "Bearer " + f.user.key},
                     {"X-Retain-Until", rfc3339_in(-std::chrono::hours(1))}});
  require_error(bad, 400, "");

  SECTION("a compliance namespace configuration is never weakened nor removed") {
    const std::string target = f.ns_target("ledger");
    const testing::Headers admin = as(f.env.admin.key, f.tenant);
    REQUIRE(
        f.client
            .request("PUT", target, admin, R"({"mode":"compliance","default_retention_days":30})")
            .status == 200);
    for (const char* weaker : {R"({"mode":"compliance","default_retention_days":29})",
                               R"({"mode":"governance","default_retention_days":30})",
                               R"({"mode":"compliance","default_retention_days":30,)"
                               R"("allow_overwrite":true})"}) {
      CAPTURE(weaker);
      require_error(f.client.request("PUT", target, admin, weaker), 409, "retention_locked");
    }
    require_error(f.client.request("DELETE", target, admin), 409, "retention_locked");
    CHECK(f.client
              .request("PUT", target, admin, R"({"mode":"compliance","default_retention_days":31})")
              .status == 200);
    require_error(f.client.request("PUT", target, admin,
                                   R"({"mode":"compliance","default_retention_days":36501})"),
                  400, "");
  }
}

TEST_CASE("the GC leaves locked objects alone", "[auth][retention]") {
  AuthFixture f;
  const std::string body = "keep me forever";
  const std::string id = f.upload("gc", "kept", body, {{"X-Legal-Hold", "on"}});
  require_error(f.remove(id), 409, "object_locked");
  const HttpResponse gc = f.client.request("POST", "/v1/admin/gc", bearer(f.env.admin.key));
  REQUIRE(gc.status == 200);
  const HttpResponse got = by_id(f.client, "GET", id, f.tenant, bearer(f.user.key));
  REQUIRE(got.status == 200);
  CHECK(got.body == body);
}

TEST_CASE("S3: Object Lock headers round trip; locked objects are neither deleted nor overwritten",
          "[s3][retention]") {
  S3Environment& env = s3_environment();
  const std::string tenant = unique_name("t");
  S3TestClient s3(env.server.port(), create_s3_credential(env.server.port(), tenant));
  const std::string bucket = unique_name("b");
  REQUIRE(s3.create_bucket(bucket).status == 200);
  auto code = [](const HttpResponse& r) { return xml_value(r.body, "Code").value_or("<none>"); };

  const std::string until = rfc3339_in(std::chrono::hours(24));
  REQUIRE(s3.put(bucket, "retained", "v1",
                 {{"x-amz-object-lock-mode", "GOVERNANCE"},
                  {"x-amz-object-lock-retain-until-date", until}})
              .status == 200);
  REQUIRE(s3.put(bucket, "held", "h1", {{"x-amz-object-lock-legal-hold", "ON"}}).status == 200);
  REQUIRE(s3.put(bucket, "free", "f1").status == 200);

  const HttpResponse head = s3.head(bucket, "retained");
  REQUIRE(head.status == 200);
  CHECK(head.header("x-amz-object-lock-mode") == "GOVERNANCE");
  CHECK(head.header("x-amz-object-lock-retain-until-date").substr(0, 19) == until.substr(0, 19));
  CHECK(head.header("x-amz-object-lock-legal-hold") == "OFF");
  CHECK(s3.head(bucket, "held").header("x-amz-object-lock-legal-hold") == "ON");
  CHECK(s3.head(bucket, "free").header("x-amz-object-lock-mode").empty());

  const HttpResponse del = s3.remove(bucket, "retained");
  CHECK(del.status == 403);
  CHECK(code(del) == "AccessDenied");
  CHECK(xml_value(del.body, "Message").value_or("").find("retention until " + until) !=
        std::string::npos);
  CHECK(code(s3.remove(bucket, "held")) == "AccessDenied");

  const HttpResponse batch = s3.send(
      {.method = "POST",
       .bucket = bucket,
       .query = {{"delete", ""}},
       .body = "<Delete><Object><Key>retained</Key></Object><Object><Key>held</Key></Object>"
               "<Object><Key>free</Key></Object></Delete>"});
  REQUIRE(batch.status == 200);
  CHECK(xml_count(batch.body, "Error") == 2);
  CHECK(xml_count(batch.body, "Deleted") == 1);
  CHECK(xml_value(batch.body, "Code") == "AccessDenied");

  const HttpResponse over = s3.put(bucket, "retained", "v2");
  CHECK(over.status == 403);
  CHECK(code(over) == "AccessDenied");
  CHECK(s3.get(bucket, "retained").body == "v1");
  CHECK(code(s3.put(bucket, "held", "h2")) == "AccessDenied");
  CHECK(s3.get(bucket, "held").body == "h1");

  // Half a retention, or a bad mode: InvalidArgument.
  CHECK(code(s3.put(bucket, "bad", "x", {{"x-amz-object-lock-mode", "GOVERNANCE"}})) ==
        "InvalidArgument");
  CHECK(code(s3.put(bucket, "bad", "x",
                    {{"x-amz-object-lock-mode", "FOREVER"},
                     {"x-amz-object-lock-retain-until-date", until}})) == "InvalidArgument");

  SECTION("a WORM bucket refuses overwrites of any key") {
    testing::HttpClient admin = env.server.client();  // AUTH_MODE=disabled: an anonymous admin
    const HttpResponse cfg = admin.request(
        "PUT", "/v1/admin/namespaces/" + tenant + "/" + bucket + "/retention",
        {{"Content-Type", "application/json"}},
        R"({"mode":"governance","default_retention_days":0,"allow_overwrite":false})");
    INFO(cfg.body);
    REQUIRE(cfg.status == 200);
    REQUIRE(s3.put(bucket, "once", "first").status == 200);
    const HttpResponse again = s3.put(bucket, "once", "second");
    CHECK(again.status == 403);
    CHECK(code(again) == "AccessDenied");
    CHECK(xml_value(again.body, "Message").value_or("").find("cannot be written over") !=
          std::string::npos);
    CHECK(s3.get(bucket, "once").body == "first");
    // Deleting an unlocked object is still allowed; then the key is new again.
    CHECK(s3.remove(bucket, "once").status == 204);
    CHECK(s3.put(bucket, "once", "third").status == 200);
  }
}

}  // namespace castor::e2e
