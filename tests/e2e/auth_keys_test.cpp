// The isolation matrix, continued for API-key self-service (docs/API_KEYS.md): every escalation
// a keys:manage credential may try gets exactly its status (403 past its rights, 404 for keys
// beyond its reach) and changes nothing; and a namespace-restricted key reaches nothing outside
// its namespaces, natively (by key, by id, listings, uploads, upload sessions, blobs, bundles)
// and over S3 (buckets, ListBuckets, CopyObject's source).

#include <algorithm>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/s3_support.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

// The secret part of an API key "cst_<id>_<secret>" (ids are 12 characters).
std::string secret_of_key(std::string_view key) { return std::string(key.substr(4 + 12 + 1)); }

std::string describe(const HttpResponse& r) {
  return std::to_string(r.status) + " " + r.body.substr(0, 300);
}

HttpResponse call(HttpClient& client, std::string_view method, const std::string& target,
                  std::string_view key, const std::string& body = {}, Headers extra = {}) {
  Headers headers = bearer(key);
  if (!body.empty()) {
    headers["Content-Type"] = "application/json";
  }
  for (auto& [name, value] : extra) {
    headers[name] = value;
  }
  return client.request(method, target, headers, body);
}

// POST /v1/admin/api-keys with `body` as `key`, requiring `status`; the answer's JSON.
boost::json::object make_key(HttpClient& client, std::string_view key, const std::string& body,
                             int status = 201) {
  const HttpResponse r = call(client, "POST", "/v1/admin/api-keys", key, body);
  INFO("POST /v1/admin/api-keys " << body << " -> " << describe(r));
  REQUIRE(r.status == status);
  return parse_object(r.body);
}

std::string scopes_of(const boost::json::object& key) {
  std::string out;
  for (const auto& s : key.at("scopes").as_array()) {
    out += (out.empty() ? "" : " ") + std::string(s.as_string());
  }
  return out;
}

// One attempt of the matrix: who, what, and the status it must get.
struct Attempt {
  std::string what;
  std::string method;
  std::string target;
  std::string body;
  std::string key;
  int status;
};

}  // namespace

TEST_CASE("keys:manage works inside its own tenant and rights; every escalation is refused",
          "[e2e][auth]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const std::string admin = env.admin.key;
  const std::string a = testing::unique_name("keys-a");
  const std::string b = testing::unique_name("keys-b");

  const auto manager = make_key(client, admin,
                                R"({"tenant":")" + a +
                                    R"(","name":"m","scopes":["objects:read","objects:write",)"
                                    R"("keys:manage"]})");
  const std::string m_id = string_field(manager, "id");
  const std::string m = string_field(manager, "key");
  const auto restricted = make_key(client, admin,
                                   R"({"tenant":")" + a +
                                       R"(","namespaces":["ns1"],"scopes":["objects:read",)"
                                       R"("objects:write","keys:manage"]})");
  const std::string mr_id = string_field(restricted, "id");
  const std::string mr = string_field(restricted, "key");
  const auto other =
      make_key(client, admin, R"({"tenant":")" + b + R"(","scopes":["objects:read"]})");
  const std::string other_id = string_field(other, "id");
  const auto wider = make_key(
      client, admin,
      R"({"tenant":")" + a + R"(","scopes":["objects:read","objects:write","objects:delete"]})");
  const std::string wider_id = string_field(wider, "id");
  const auto reader =
      make_key(client, admin, R"({"tenant":")" + a + R"(","scopes":["objects:read"]})");
  const std::string read_only = string_field(reader, "key");

  const std::string keys = "/v1/admin/api-keys";
  const std::vector<Attempt> attempts = {
      {"create a * key", "POST", keys, R"({"tenant":"*","scopes":["objects:read"]})", m, 403},
      {"create an admin key", "POST", keys, R"({"tenant":")" + a + R"(","scopes":["admin"]})", m,
       403},
      {"create a key with a scope it lacks", "POST", keys,
       R"({"tenant":")" + a + R"(","scopes":["objects:read","objects:delete"]})", m, 403},
      {"create a key for another tenant", "POST", keys,
       R"({"tenant":")" + b + R"(","scopes":["objects:read"]})", m, 403},
      {"read another tenant's key", "GET", keys + "/" + other_id, "", m, 404},
      {"update another tenant's key", "PATCH", keys + "/" + other_id, R"({"name":"mine"})", m, 404},
      {"revoke another tenant's key", "DELETE", keys + "/" + other_id, "", m, 404},
      {"read the admin key", "GET", keys + "/" + env.admin.id, "", m, 404},
      {"revoke the admin key", "DELETE", keys + "/" + env.admin.id, "", m, 404},
      {"widen its own scopes", "PATCH", keys + "/" + m_id,
       R"({"scopes":["objects:read","objects:write","objects:delete","keys:manage"]})", m, 403},
      {"make itself admin", "PATCH", keys + "/" + m_id, R"({"scopes":["admin"]})", m, 403},
      {"revoke a key with wider scopes", "DELETE", keys + "/" + wider_id, "", m, 403},
      {"update a key with wider scopes", "PATCH", keys + "/" + wider_id,
       R"({"scopes":["objects:read"]})", m, 403},
      {"restricted: create an unrestricted key", "POST", keys, R"({"scopes":["objects:read"]})", mr,
       403},
      {"restricted: create a key for another namespace", "POST", keys,
       R"({"namespaces":["ns2"],"scopes":["objects:read"]})", mr, 403},
      {"restricted: remove its own namespace restriction", "PATCH", keys + "/" + mr_id,
       R"({"namespaces":null})", mr, 403},
      {"restricted: widen its own namespaces", "PATCH", keys + "/" + mr_id,
       R"({"namespaces":["ns1","ns2"]})", mr, 403},
      {"restricted: read an unrestricted key of its tenant", "GET", keys + "/" + m_id, "", mr, 404},
      {"without keys:manage: create", "POST", keys,
       R"({"tenant":")" + a + R"(","scopes":["objects:read"]})", read_only, 403},
      {"without keys:manage: list", "GET", keys, "", read_only, 403},
      {"without keys:manage: revoke itself", "DELETE", keys + "/" + string_field(reader, "id"), "",
       read_only, 403},
  };
  std::vector<std::string> failures;
  for (const Attempt& t : attempts) {
    const HttpResponse r = call(client, t.method, t.target, t.key, t.body);
    if (r.status != t.status) {
      failures.push_back(t.what + ": expected " + std::to_string(t.status) + ", got " +
                         describe(r));
    } else if (r.body.find(t.status == 403 ? "permission_denied" : "not_found") ==
               std::string::npos) {
      failures.push_back(t.what + ": error code missing: " + describe(r));
    }
  }
  INFO([&] {
    std::string all;
    for (const std::string& f : failures) {
      all += f + "\n";
    }
    return all;
  }());
  CHECK(failures.empty());

  // Nothing changed: the other tenant's and the wider key still work, the managers' scopes and
  // namespaces are as issued.
  CHECK(call(client, "GET", "/v1/objects?namespace=x&tenant_id=" + b, string_field(other, "key"))
            .status == 200);
  CHECK(call(client, "GET", "/v1/objects?namespace=x", string_field(wider, "key")).status == 200);
  const auto m_now = parse_object(call(client, "GET", keys + "/" + m_id, admin).body);
  CHECK(scopes_of(m_now) == "objects:read objects:write keys:manage");
  const auto mr_now = parse_object(call(client, "GET", keys + "/" + mr_id, admin).body);
  CHECK(boost::json::serialize(mr_now.at("namespaces")) == R"(["ns1"])");

  // What it may do: a key of its own tenant (the tenant defaults to its own), no wider.
  const auto made = make_key(client, m, R"({"name":"ci","scopes":["objects:read"]})");
  CHECK(string_field(made, "tenant") == a);
  CHECK(string_field(made, "name") == "ci");
  CHECK(string_field(made, "created_by") == "key:" + m_id);
  CHECK(made.at("namespaces").is_null());
  const std::string made_id = string_field(made, "id");
  CHECK(call(client, "GET", "/v1/objects?namespace=x", string_field(made, "key")).status == 200);
  // Read one: no secret.
  const HttpResponse got = call(client, "GET", keys + "/" + made_id, m);
  REQUIRE(got.status == 200);
  CHECK_FALSE(parse_object(got.body).contains("key"));
  CHECK(got.body.find(secret_of_key(string_field(made, "key"))) == std::string::npos);
  // List: its tenant's keys only.
  const HttpResponse listed = call(client, "GET", keys, m);
  REQUIRE(listed.status == 200);
  const boost::json::object listing = parse_object(listed.body);
  std::vector<std::string> listed_ids;
  for (const auto& k : listing.at("api_keys").as_array()) {
    CHECK(string_field(k.as_object(), "tenant") == a);
    listed_ids.push_back(string_field(k.as_object(), "id"));
  }
  // (The admin's id shows in created_by: it made most of them.)
  CHECK(std::count(listed_ids.begin(), listed_ids.end(), other_id) == 0);
  CHECK(std::count(listed_ids.begin(), listed_ids.end(), env.admin.id) == 0);
  CHECK(std::count(listed_ids.begin(), listed_ids.end(), made_id) == 1);
  CHECK(std::count(listed_ids.begin(), listed_ids.end(), wider_id) == 1);
  // Update it: rename, restrict.
  const HttpResponse patched =
      call(client, "PATCH", keys + "/" + made_id, m, R"({"name":"ci-2","namespaces":["ns9"]})");
  REQUIRE(patched.status == 200);
  CHECK(string_field(parse_object(patched.body), "name") == "ci-2");
  CHECK(call(client, "GET", "/v1/objects?namespace=x", string_field(made, "key")).status == 403);
  // A misspelt field is no silent "no change".
  CHECK(call(client, "PATCH", keys + "/" + made_id, m, R"({"scope":["objects:read"]})").status ==
        400);
  // The restricted manager makes keys in its namespace.
  const auto ns_key = make_key(client, mr, R"({"namespaces":["ns1"],"scopes":["objects:read"]})");
  CHECK(boost::json::serialize(ns_key.at("namespaces")) == R"(["ns1"])");
  // Revoke: at once on this server.
  CHECK(call(client, "DELETE", keys + "/" + made_id, m).status == 204);
  CHECK(call(client, "GET", "/v1/objects?namespace=ns9", string_field(made, "key")).status == 401);
}

TEST_CASE("a namespace-restricted key reaches nothing outside its namespaces", "[e2e][auth]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const std::string admin = env.admin.key;
  const std::string a = testing::unique_name("keys-ns");
  const auto in_ns1 = upload(client, {.ns = "ns1", .tenant = a, .key = "k"}, "one", bearer(admin));
  const auto in_ns2 = upload(client, {.ns = "ns2", .tenant = a, .key = "k"}, "two", bearer(admin));
  const std::string id1 = string_field(in_ns1, "id");
  const std::string id2 = string_field(in_ns2, "id");
  const auto issued = make_key(client, admin,
                               R"({"tenant":")" + a +
                                   R"(","namespaces":["ns1"],"scopes":["objects:read",)"
                                   R"("objects:write","objects:delete"]})");
  const std::string r = string_field(issued, "key");
  const std::string sha = testing::sha256_hex("blob");

  // An upload session in ns2, made by the admin.
  Headers admin_tenant = bearer(admin);
  admin_tenant["X-Tenant"] = a;
  admin_tenant["Content-Type"] = "application/json";
  const HttpResponse session2 = client.request("POST", "/v1/uploads", admin_tenant,
                                               R"({"namespace":"ns2","key":"s","size_bytes":3})");
  REQUIRE(session2.status == 201);
  const std::string s2 = string_field(parse_object(session2.body), "upload_id");

  const Headers upload_ns1 = {{"X-Namespace", "ns1"}, {"X-Key", "new"}};
  const Headers upload_ns2 = {{"X-Namespace", "ns2"}, {"X-Key", "new"}};
  const std::vector<Attempt> attempts = {
      {"GET by key, own namespace", "GET", by_key_target("ns1", a, "k"), "", r, 200},
      {"GET by key, other namespace", "GET", by_key_target("ns2", a, "k"), "", r, 403},
      {"GET by id, own namespace", "GET", "/v1/objects/" + id1, "", r, 200},
      {"GET by id, other namespace", "GET", "/v1/objects/" + id2, "", r, 404},
      {"HEAD by id, other namespace", "HEAD", "/v1/objects/" + id2, "", r, 404},
      {"DELETE by id, other namespace", "DELETE", "/v1/objects/" + id2, "", r, 404},
      {"DELETE by key, other namespace", "DELETE", by_key_target("ns2", a, "k"), "", r, 403},
      {"list own namespace", "GET", "/v1/objects?namespace=ns1", "", r, 200},
      {"list other namespace", "GET", "/v1/objects?namespace=ns2", "", r, 403},
      {"upload session in other namespace", "POST", "/v1/uploads",
       R"({"namespace":"ns2","key":"x","size_bytes":1})", r, 403},
      {"upload session for a blob", "POST", "/v1/uploads", R"({"size_bytes":1})", r, 403},
      {"upload session in own namespace", "POST", "/v1/uploads",
       R"({"namespace":"ns1","key":"x","size_bytes":1})", r, 201},
      {"GET session of other namespace", "GET", "/v1/uploads/" + s2, "", r, 404},
      {"abort session of other namespace", "DELETE", "/v1/uploads/" + s2, "", r, 404},
      {"complete session of other namespace", "POST", "/v1/uploads/" + s2 + "/complete",
       R"({"parts":[1]})", r, 404},
      {"list sessions of every namespace", "GET", "/v1/uploads", "", r, 403},
      {"list sessions of own namespace", "GET", "/v1/uploads?namespace=ns1", "", r, 200},
      {"GET a blob (no namespace)", "GET", "/v1/blobs/" + sha, "", r, 403},
      {"list bundles (no namespace)", "GET", "/v1/bundles", "", r, 403},
  };
  std::vector<std::string> failures;
  for (const Attempt& t : attempts) {
    const HttpResponse got = call(client, t.method, t.target, t.key, t.body);
    if (got.status != t.status) {
      failures.push_back(t.what + ": expected " + std::to_string(t.status) + ", got " +
                         describe(got));
    }
  }
  // Uploads by key and namespace header.
  Headers h1 = bearer(r);
  h1.insert(upload_ns1.begin(), upload_ns1.end());
  Headers h2 = bearer(r);
  h2.insert(upload_ns2.begin(), upload_ns2.end());
  if (const auto got = client.request("POST", "/v1/objects", h1, "x"); got.status != 201) {
    failures.push_back("upload into own namespace: " + describe(got));
  }
  if (const auto got = client.request("POST", "/v1/objects", h2, "x"); got.status != 403) {
    failures.push_back("upload into other namespace: " + describe(got));
  }
  INFO([&] {
    std::string all;
    for (const std::string& f : failures) {
      all += f + "\n";
    }
    return all;
  }());
  CHECK(failures.empty());
  // The refused delete deleted nothing; the session in ns2 is still open.
  CHECK(call(client, "GET", "/v1/objects/" + id2, admin, {}, {{"X-Tenant", a}}).body == "two");
  CHECK(client.request("GET", "/v1/uploads/" + s2, admin_tenant).status == 200);
  CHECK(client.request("GET", by_key_target("ns2", a, "new"), bearer(admin)).status == 404);
}

TEST_CASE("a namespace-restricted S3 credential reaches only its buckets", "[e2e][s3][auth]") {
  S3Environment& env = s3_environment();
  HttpClient native = env.server.client();
  const std::string tenant = testing::unique_name("s3ns");
  const S3KeyPair full = create_s3_credential(native, "", tenant, all_object_scopes(), {});
  const S3KeyPair limited =
      create_s3_credential(native, "", tenant, all_object_scopes(), {"bkt-one"});
  S3TestClient owner(env.server.port(), full);
  S3TestClient s3(env.server.port(), limited);
  REQUIRE(owner.create_bucket("bkt-one").status == 200);
  REQUIRE(owner.create_bucket("bkt-two").status == 200);
  REQUIRE(owner.put("bkt-two", "secret", "two").status == 200);

  CHECK(s3.put("bkt-one", "k", "one").status == 200);
  CHECK(s3.get("bkt-one", "k").body == "one");
  CHECK(s3.put("bkt-two", "k", "x").status == 403);
  CHECK(s3.get("bkt-two", "secret").status == 403);
  CHECK(s3.remove("bkt-two", "secret").status == 403);
  CHECK(s3.send({.method = "GET", .bucket = "bkt-two"}).status == 403);  // ListObjects
  // ListBuckets shows only bkt-one.
  const HttpResponse buckets = s3.send({.method = "GET"});
  REQUIRE(buckets.status == 200);
  CHECK(xml_count(buckets.body, "Bucket") == 1);
  CHECK(xml_value(buckets.body, "Name") == "bkt-one");
  CHECK(xml_count(owner.send({.method = "GET"}).body, "Bucket") == 2);
  // CopyObject from bkt-two into bkt-one: the source is out of reach.
  const HttpResponse copy = s3.send({.method = "PUT",
                                     .bucket = "bkt-one",
                                     .key = "copied",
                                     .headers = {{"x-amz-copy-source", "/bkt-two/secret"}}});
  CHECK(copy.status == 403);
  CHECK(s3.get("bkt-one", "copied").status == 404);
  CHECK(owner.get("bkt-two", "secret").body == "two");
}

}  // namespace castor::e2e
