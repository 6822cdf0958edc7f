// The endpoints the web console needs (issue 14) against a real server: who-am-I for each kind
// of credential, the tenant and namespace catalog page by page, presigned URLs (bytes, Range,
// tampering, expiry, other routes, revocation), the GC history, and the sandbox CSP on content.
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

boost::json::object get_json(HttpClient& client, const std::string& target,
                             const testing::Headers& headers) {
  const HttpResponse r = client.request("GET", target, headers);
  INFO("GET " << target << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == 200);
  return parse_object(r.body);
}

// A key made through the API with a namespace restriction.
IssuedKey restricted_key(HttpClient& client, const std::string& admin, const std::string& tenant,
                         const std::vector<std::string>& namespaces) {
  boost::json::object request;
  request["tenant"] = tenant;
  request["scopes"] = boost::json::array{"objects:read"};
  boost::json::array names;
  for (const std::string& n : namespaces) {
    names.emplace_back(n);
  }
  request["namespaces"] = std::move(names);
  testing::Headers headers = bearer(admin);
  headers["Content-Type"] = "application/json";
  const HttpResponse r =
      client.request("POST", "/v1/admin/api-keys", headers, boost::json::serialize(request));
  INFO(r.body);
  REQUIRE(r.status == 201);
  const auto created = parse_object(r.body);
  return {string_field(created, "id"), string_field(created, "key")};
}

// POST /v1/presign as `key`; the response.
HttpResponse presign(HttpClient& client, const std::string& key, const std::string& path,
                     std::optional<int> expires_in = std::nullopt) {
  boost::json::object request;
  request["path"] = path;
  if (expires_in) {
    request["expires_in_seconds"] = *expires_in;
  }
  testing::Headers headers = bearer(key);
  headers["Content-Type"] = "application/json";
  return client.request("POST", "/v1/presign", headers, boost::json::serialize(request));
}

std::string presigned_url(HttpClient& client, const std::string& key, const std::string& path,
                          std::optional<int> expires_in = std::nullopt) {
  const HttpResponse r = presign(client, key, path, expires_in);
  INFO("presign " << path << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == 200);
  const auto body = parse_object(r.body);
  const std::string url = string_field(body, "url");
  CHECK(url.starts_with(path));
  CHECK(url.find("X-Castor-Signature=") != std::string::npos);
  CHECK(string_field(body, "expires_at").ends_with("Z"));
  return url;
}

std::vector<std::string> names_of(const boost::json::object& page, std::string_view list,
                                  std::string_view field) {
  std::vector<std::string> out;
  for (const auto& entry : page.at(list).as_array()) {
    out.push_back(string_field(entry.as_object(), field));
  }
  return out;
}

}  // namespace

TEST_CASE("whoami names the credential, its tenant, scopes and namespaces", "[e2e][console]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const std::string tenant = testing::unique_name("who");

  auto admin = get_json(client, "/v1/whoami", bearer(env.admin.key));
  CHECK(string_field(admin, "credential") == "key:" + env.admin.id);
  CHECK(admin.at("tenant_id").is_null());
  CHECK(admin.at("scopes") == boost::json::array{"admin"});
  CHECK(admin.at("namespaces").as_array().empty());
  CHECK(admin.at("expires_at").is_null());

  const IssuedKey rw =
      create_key(client, env.admin.key, tenant, {"objects:read", "objects:write"}, 3600);
  auto bound = get_json(client, "/v1/whoami", bearer(rw.key));
  CHECK(string_field(bound, "credential") == "key:" + rw.id);
  CHECK(string_field(bound, "tenant_id") == tenant);
  CHECK(bound.at("scopes") == boost::json::array{"objects:read", "objects:write"});
  CHECK(string_field(bound, "expires_at").ends_with("Z"));

  const IssuedKey narrow = restricted_key(client, env.admin.key, tenant, {"alpha", "beta"});
  auto restricted = get_json(client, "/v1/whoami", bearer(narrow.key));
  CHECK(restricted.at("namespaces") == boost::json::array{"alpha", "beta"});
  CHECK(restricted.at("scopes") == boost::json::array{"objects:read"});

  // Any valid credential, even one with no object scope at all.
  const IssuedKey keys_only = create_key(client, env.admin.key, tenant, {"keys:manage"});
  auto manager = get_json(client, "/v1/whoami", bearer(keys_only.key));
  CHECK(manager.at("scopes") == boost::json::array{"keys:manage"});

  const std::string jwt = hs256_jwt(jwt_claims(tenant, "objects:read objects:delete"));
  auto token = get_json(client, "/v1/whoami", bearer(jwt));
  CHECK(string_field(token, "credential") == "jwt:e2e-user");
  CHECK(string_field(token, "tenant_id") == tenant);

  require_error(client.request("GET", "/v1/whoami"), 401, "unauthenticated");
  require_error(client.request("GET", "/v1/whoami", bearer("cst_nope_nope")), 401, "");
}

TEST_CASE("tenants and namespaces are listed page by page", "[e2e][console]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const std::string prefix = testing::unique_name("cat");
  const std::vector<std::string> tenants = {prefix + "-a", prefix + "-b", prefix + "-c"};
  for (const std::string& t : tenants) {
    upload(client, {.ns = "docs", .tenant = t, .key = "k"}, "content of " + t,
           bearer(env.admin.key));
  }
  const std::vector<std::string> spaces = {"n1", "n10", "n2", "n3", "z-last"};
  for (const std::string& ns : spaces) {
    upload(client, {.ns = ns, .tenant = tenants[0], .key = "k"}, "12345", bearer(env.admin.key));
  }

  // Every tenant, 2 per page: ours appear in byte order, each once.
  std::vector<std::string> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    std::string target = "/v1/tenants?limit=2";
    if (cursor) {
      target += "&cursor=" + *cursor;
    }
    auto page = get_json(client, target, bearer(env.admin.key));
    const auto names = names_of(page, "tenants", "tenant_id");
    CHECK(names.size() <= 2);
    seen.insert(seen.end(), names.begin(), names.end());
    cursor = page.at("next_cursor").is_null()
                 ? std::nullopt
                 : std::optional<std::string>(string_field(page, "next_cursor"));
    ++pages;
    REQUIRE(pages < 10000);
  } while (cursor);
  CHECK(pages >= 2);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  std::vector<std::string> ours;
  for (const std::string& t : seen) {
    if (t.starts_with(prefix)) {
      ours.push_back(t);
    }
  }
  CHECK(ours == tenants);

  // A tenant-bound key: its own tenant, with its figures.
  const IssuedKey reader = create_key(client, env.admin.key, tenants[1], {"objects:read"});
  auto own = get_json(client, "/v1/tenants", bearer(reader.key));
  REQUIRE(own.at("tenants").as_array().size() == 1);
  const auto& entry = own.at("tenants").as_array()[0].as_object();
  CHECK(string_field(entry, "tenant_id") == tenants[1]);
  CHECK(int_field(entry, "objects") == 1);
  CHECK(int_field(entry, "logical_bytes") ==
        static_cast<std::int64_t>(("content of " + tenants[1]).size()));
  CHECK(own.at("next_cursor").is_null());

  // Namespaces of tenant a, 2 per page: 3 pages, in byte order, with their figures.
  std::vector<std::string> listed;
  cursor.reset();
  pages = 0;
  do {
    std::string target = "/v1/namespaces?tenant_id=" + tenants[0] + "&limit=2";
    if (cursor) {
      target += "&cursor=" + *cursor;
    }
    auto page = get_json(client, target, bearer(env.admin.key));
    for (const auto& n : page.at("namespaces").as_array()) {
      const auto& o = n.as_object();
      listed.push_back(string_field(o, "namespace"));
      const auto& hot = o.at("storage_classes").at("hot").as_object();
      CHECK(int_field(hot, "objects") == int_field(o, "objects"));
      CHECK(int_field(o.at("storage_classes").at("cold").as_object(), "objects") == 0);
    }
    cursor = page.at("next_cursor").is_null()
                 ? std::nullopt
                 : std::optional<std::string>(string_field(page, "next_cursor"));
    ++pages;
    REQUIRE(pages < 10);
  } while (cursor);
  CHECK(pages == 3);
  CHECK(listed == std::vector<std::string>{"docs", "n1", "n10", "n2", "n3", "z-last"});

  // A namespace-restricted key sees only its namespaces; another tenant is refused.
  const IssuedKey narrow = restricted_key(client, env.admin.key, tenants[0], {"n2", "nope"});
  auto restricted = get_json(client, "/v1/namespaces", bearer(narrow.key));
  CHECK(names_of(restricted, "namespaces", "namespace") == std::vector<std::string>{"n2"});
  require_error(client.request("GET", "/v1/namespaces?tenant_id=" + tenants[0], bearer(reader.key)),
                403, "");
  require_error(client.request("GET", "/v1/namespaces?limit=0", bearer(reader.key)), 400, "");
  require_error(client.request("GET", "/v1/namespaces?limit=1001", bearer(reader.key)), 400, "");
  require_error(client.request("GET", "/v1/namespaces?cursor=%2E%2E%2F", bearer(reader.key)), 400,
                "");
  require_error(client.request("GET", "/v1/tenants?limit=x", bearer(reader.key)), 400, "");
  // A "*" credential must name the tenant.
  require_error(client.request("GET", "/v1/namespaces", bearer(env.admin.key)), 400, "");
}

TEST_CASE("a presigned URL downloads without a credential until it expires", "[e2e][console]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const std::string tenant = testing::unique_name("presign");
  const IssuedKey rw = create_key(client, env.admin.key, tenant, {"objects:read", "objects:write"});
  const std::string content = testing::random_bytes(100'000);
  const std::string id =
      string_field(upload(client, {.ns = "docs", .tenant = tenant, .key = "dir/a b.txt"}, content,
                          {{"Authorization", "Bearer " + rw.key}, {"Content-Type", "text/plain"}}),
                   "id");

  const std::string url =
      presigned_url(client, rw.key, "/v1/objects/" + id + "?tenant_id=" + tenant);
  HttpResponse got = client.request("GET", url);
  REQUIRE(got.status == 200);
  CHECK(got.body == content);
  CHECK(got.header("Content-Security-Policy") == "sandbox");
  HttpResponse part = client.request("GET", url, {{"Range", "bytes=10-19"}});
  REQUIRE(part.status == 206);
  CHECK(part.body == content.substr(10, 10));
  CHECK(part.header("Content-Range") == "bytes 10-19/100000");
  HttpResponse head = client.request("HEAD", url);
  CHECK(head.status == 200);
  CHECK(head.header("Content-Length") == "100000");
  const std::string etag = got.header("ETag");
  CHECK(client.request("GET", url, {{"If-None-Match", etag}}).status == 304);

  // By key, percent-encoded as sent.
  const std::string by_key = by_key_target("docs", tenant, "dir/a b.txt");
  const std::string key_url = presigned_url(client, rw.key, by_key, 60);
  HttpResponse by_key_got = client.request("GET", key_url);
  REQUIRE(by_key_got.status == 200);
  CHECK(by_key_got.body == content);

  // Tampered: another object, another tenant, an added parameter, a changed signature.
  auto replaced = [](std::string s, const std::string& from, const std::string& to) {
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  require_error(client.request("GET", replaced(url, id, "00000000-0000-0000-0000-000000000000")),
                403, "signature_mismatch");
  require_error(client.request("GET", replaced(url, "tenant_id=" + tenant, "tenant_id=other")), 403,
                "signature_mismatch");
  require_error(client.request("GET", url + "&verify=true"), 403, "signature_mismatch");
  std::string bad_signature = url;
  bad_signature.back() = bad_signature.back() == 'a' ? 'b' : 'a';
  require_error(client.request("GET", bad_signature), 403, "signature_mismatch");
  // The same signature parameters on another route, or another method.
  const std::string params = url.substr(url.find("X-Castor-Expires"));
  require_error(
      client.request("GET", "/v1/objects?namespace=docs&tenant_id=" + tenant + "&" + params), 403,
      "signature_mismatch");
  require_error(client.request("DELETE", url), 403, "signature_mismatch");
  CHECK(by_id(client, "GET", id, tenant, bearer(rw.key)).status == 200);  // still there

  // Only content routes may be signed; the tenant must be readable by the caller.
  require_error(presign(client, rw.key, "/v1/objects?namespace=docs"), 400, "");
  require_error(presign(client, rw.key, "/v1/admin/api-keys"), 400, "");
  require_error(presign(client, rw.key, "/v1/objects/" + id + "?tenant_id=other-tenant"), 403, "");
  require_error(presign(client, rw.key, "/v1/objects/" + id, 3601), 400, "");
  require_error(presign(client, rw.key, "/v1/objects/" + id, 0), 400, "");
  const IssuedKey narrow = restricted_key(client, env.admin.key, tenant, {"other"});
  require_error(presign(client, narrow.key, by_key), 403, "");
  // A restricted key's URL for an object by id in another namespace: the route's 404.
  const std::string hidden =
      presigned_url(client, narrow.key, "/v1/objects/" + id + "?tenant_id=" + tenant);
  require_error(client.request("GET", hidden), 404, "");

  // Expiry: a 1-second URL stops working (403 url_expired) within a few seconds.
  const std::string short_url =
      presigned_url(client, rw.key, "/v1/objects/" + id + "?tenant_id=" + tenant, 1);
  HttpResponse last;
  const auto expired = poll_until(
      [&] {
        last = client.request("GET", short_url);
        return last.status != 200;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(100));
  REQUIRE(expired.has_value());
  require_error(last, 403, "url_expired");

  // Revoking the key stops its URLs within the key cache's TTL.
  const std::string revocable = presigned_url(client, rw.key, by_key, 600);
  REQUIRE(client.request("GET", revocable).status == 200);
  revoke_key(client, env.admin.key, rw.id);
  const auto refused = poll_until(
      [&] {
        last = client.request("GET", revocable);
        return last.status != 200;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(100));
  REQUIRE(refused.has_value());
  require_error(last, 401, "unauthenticated");
}

TEST_CASE("a JWT's presigned URL carries its tenant, signed", "[e2e][console]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const std::string tenant = testing::unique_name("presign-jwt");
  const std::string id = string_field(upload(client, {.ns = "docs", .tenant = tenant, .key = "a"},
                                             "jwt bytes", bearer(env.admin.key)),
                                      "id");
  const std::string jwt = hs256_jwt(jwt_claims(tenant, "objects:read"));
  const std::string url = presigned_url(client, jwt, "/v1/objects/" + id);
  HttpResponse got = client.request("GET", url);
  REQUIRE(got.status == 200);
  CHECK(got.body == "jwt bytes");
  CHECK(url.find("X-Castor-Tenant=" + tenant) != std::string::npos);
}

TEST_CASE("GET /v1/admin/gc lists this process's cycles", "[e2e][console]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const HttpResponse forced = client.request("POST", "/v1/admin/gc", bearer(env.admin.key));
  REQUIRE(forced.status == 200);
  const HttpResponse r = client.request("GET", "/v1/admin/gc", bearer(env.admin.key));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto body = parse_object(r.body);
  const auto& cycles = body.at("cycles").as_array();
  REQUIRE(!cycles.empty());
  CHECK(cycles.size() <= 50);
  const auto& newest = cycles[0].as_object();
  CHECK(string_field(newest, "trigger") == "request");
  CHECK(string_field(newest, "started_at").ends_with("Z"));
  CHECK(int_field(newest, "duration_ms") >= 0);
  CHECK(int_field(newest, "failed_items") == 0);
  CHECK(newest.at("error").is_null());
  CHECK(body.contains("interval_seconds"));

  const std::string tenant = testing::unique_name("gc-hist");
  const IssuedKey reader = create_key(client, env.admin.key, tenant, {"objects:read"});
  require_error(client.request("GET", "/v1/admin/gc", bearer(reader.key)), 403, "");
}

TEST_CASE("content is served sandboxed, except PDFs", "[e2e][console]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  const std::string tenant = testing::unique_name("csp");
  const auto admin = bearer(env.admin.key);
  auto put = [&](const std::string& key, const std::string& type, const std::string& body) {
    testing::Headers headers = admin;
    headers["Content-Type"] = type;
    return string_field(upload(client, {.ns = "docs", .tenant = tenant, .key = key}, body, headers),
                        "id");
  };
  const std::string html = put("x.html", "text/html", "<script>alert(1)</script>");
  const std::string svg = put("x.svg", "image/svg+xml", "<svg onload='alert(1)'/>");
  const std::string pdf = put("x.pdf", "application/pdf", "%PDF-1.4");
  for (const std::string& id : {html, svg}) {
    const HttpResponse r = by_id(client, "GET", id, tenant, admin);
    REQUIRE(r.status == 200);
    CHECK(r.header("Content-Security-Policy") == "sandbox");
    CHECK(r.header("X-Content-Type-Options") == "nosniff");
  }
  const HttpResponse by_key = client.request("GET", by_key_target("docs", tenant, "x.html"), admin);
  CHECK(by_key.header("Content-Security-Policy") == "sandbox");
  // A blob, read through a presigned URL: sandboxed too (blobs are served as octet streams).
  const std::string blob = "<html>blob</html>";
  const std::string hash = testing::sha256_hex(blob);
  testing::Headers blob_headers = admin;
  blob_headers["X-Tenant"] = tenant;
  const HttpResponse stored = client.request("PUT", "/v1/blobs/" + hash, blob_headers, blob);
  REQUIRE(stored.status == 201);
  const std::string blob_url =
      presigned_url(client, env.admin.key, "/v1/blobs/" + hash + "?tenant_id=" + tenant);
  const HttpResponse fetched = client.request("GET", blob_url);
  REQUIRE(fetched.status == 200);
  CHECK(fetched.body == blob);
  CHECK(fetched.header("Content-Security-Policy") == "sandbox");

  const HttpResponse p = by_id(client, "GET", pdf, tenant, admin);
  REQUIRE(p.status == 200);
  CHECK(p.header("Content-Type") == "application/pdf");
  CHECK(!p.has_header("Content-Security-Policy"));
}

}  // namespace castor::e2e
