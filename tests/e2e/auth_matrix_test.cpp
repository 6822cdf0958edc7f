// Tenant isolation over HTTP against a real server with AUTH_MODE=required: every operation
// under every kind of credential (none, bad, revoked, expired, another tenant's, short of a scope,
// forged JWTs, and the right one) gets exactly its status, and a refused delete deletes nothing.
// Also: the probes stay open, and AUTH_MODE=disabled serves without credentials.

#include <algorithm>
#include <array>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"

namespace castor::e2e {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

// The operations of the matrix, in column order.
enum Op : std::size_t {
  kUpload,
  kGetById,
  kHeadById,
  kGetByKey,
  kList,
  kDeleteById,
  kDeleteByKey,
  kGc,
  kListKeys,
  kOpCount
};

constexpr std::array<std::string_view, kOpCount> kOpNames = {
    "POST /v1/objects",
    "GET /v1/objects/{id}",
    "HEAD /v1/objects/{id}",
    "GET /v1/objects/by-key/{ns}/{tenant}/{key}",
    "GET /v1/objects (list)",
    "DELETE /v1/objects/{id}",
    "DELETE /v1/objects/by-key/{ns}/{tenant}/{key}",
    "POST /v1/admin/gc",
    "GET /v1/admin/api-keys",
};

using Statuses = std::array<int, kOpCount>;

// Columns:                         upload get  head by-key list del  del-key gc  keys
constexpr Statuses kUnauthenticated{401, 401, 401, 401, 401, 401, 401, 401, 401};
constexpr Statuses kOtherTenant{403, 403, 403, 403, 403, 403, 403, 403, 403};
constexpr Statuses kOtherTenantImplicit{201, 404, 404, 403, 200, 404, 403, 403, 403};
constexpr Statuses kReadOnly{403, 200, 200, 200, 200, 403, 403, 403, 403};
constexpr Statuses kWriteOnly{201, 403, 403, 403, 403, 403, 403, 403, 403};
constexpr Statuses kDeleteOnly{403, 403, 403, 403, 403, 204, 204, 403, 403};
constexpr Statuses kTenantObjects{201, 200, 200, 200, 200, 204, 204, 403, 403};
constexpr Statuses kAdmin{201, 200, 200, 200, 200, 204, 204, 200, 200};

// One row of the matrix: a credential, how requests name the tenant, and the status of each
// operation.
struct Row {
  std::string name;
  Headers credential;
  Statuses expected;
  // Whether requests name tenant A (X-Tenant, tenant_id) or leave it to the credential. By-key
  // paths always name tenant A.
  bool tenant_given = true;
  // The tenant an upload or a listing acts on when the tenant is omitted.
  std::string own_tenant = {};
};

constexpr std::string_view kNamespace = "auth";
constexpr std::string_view kTargetKey = "target/readme.txt";
constexpr std::string_view kTargetContent = "the object every cell of the matrix reads";

std::string error_code_of(const HttpResponse& response) {
  try {
    const boost::json::object body = parse_object(response.body);
    return string_field(body.at("error").as_object(), "code");
  } catch (const std::exception&) {
    return "(no JSON error body)";
  }
}

// The secret part of an API key "cst_<id>_<secret>".
std::string secret_of(std::string_view key) {
  return std::string(key.substr(std::string_view("cst_").size() + key_id(key).size() + 1));
}

std::string describe(const HttpResponse& response) {
  return std::to_string(response.status) + " " + response.body.substr(0, 300);
}

// Runs the matrix: one tenant A holding the objects, one tenant B whose credentials must not
// reach them. Failures are collected, one line per cell, and reported together.
class Matrix {
 public:
  Matrix()
      : env_(auth_environment()),
        client_(env_.server.client()),
        tenant_a_(testing::unique_name("auth-a")),
        tenant_b_(testing::unique_name("auth-b")) {
    target_id_ = store(std::string(kTargetKey));
    secrets_.push_back(secret_of(env_.admin.key));
  }

  const std::string& tenant_a() const { return tenant_a_; }
  const std::string& tenant_b() const { return tenant_b_; }
  HttpClient& client() { return client_; }
  const std::string& admin_key() const { return env_.admin.key; }

  // A key issued through the admin endpoint; its secret is checked never to come back.
  IssuedKey issue(std::string_view tenant, const std::vector<std::string>& scopes) {
    IssuedKey key = create_key(client_, admin_key(), tenant, scopes);
    secrets_.push_back(secret_of(key.key));
    return key;
  }

  void run(const Row& row) {
    for (std::size_t op = 0; op < kOpCount; ++op) {
      run_cell(row, static_cast<Op>(op));
    }
  }

  int cells() const { return cells_; }

  std::string report() const {
    std::ostringstream out;
    out << failures_.size() << " failure(s) in " << cells_ << " cells:\n";
    for (const std::string& failure : failures_) {
      out << "  " << failure << "\n";
    }
    return out.str();
  }
  bool passed() const { return failures_.empty(); }

 private:
  // Uploads `key` into tenant A with the admin key; returns the object's id.
  std::string store(const std::string& key) {
    const boost::json::object created =
        upload(client_, {.ns = std::string(kNamespace), .tenant = tenant_a_, .key = key},
               kTargetContent, bearer(admin_key()));
    return string_field(created, "id");
  }

  HttpResponse fetch_as_admin(const std::string& target) {
    Headers headers = bearer(admin_key());
    headers["X-Tenant"] = tenant_a_;
    return client_.request("GET", target, headers);
  }

  void fail(const std::string& cell, const std::string& what) {
    failures_.push_back("[" + cell + "] " + what);
  }

  void run_cell(const Row& row, Op op) {
    const std::string cell = row.name + " × " + std::string(kOpNames[op]);
    const int expected = row.expected[op];
    Headers headers = row.credential;
    if (row.tenant_given) {
      headers["X-Tenant"] = tenant_a_;
    }
    const std::string list_target = "/v1/objects?namespace=" + std::string(kNamespace) +
                                    (row.tenant_given ? "&tenant_id=" + tenant_a_ : "");
    const std::string cell_key = "cell/" + std::to_string(++cells_);
    std::string victim_id;  // the object a delete cell tries to delete
    std::string victim_key;

    HttpResponse response;
    switch (op) {
      case kUpload:
        headers["X-Namespace"] = std::string(kNamespace);
        headers["X-Key"] = cell_key;
        response = client_.request("POST", "/v1/objects", headers, "uploaded by " + cell);
        break;
      case kGetById:
      case kHeadById:
        response =
            client_.request(op == kGetById ? "GET" : "HEAD", "/v1/objects/" + target_id_, headers);
        break;
      case kGetByKey:
        response = client_.request("GET", by_key_target(kNamespace, tenant_a_, kTargetKey),
                                   row.credential);
        break;
      case kList:
        response = client_.request("GET", list_target, row.credential);
        break;
      case kDeleteById:
        victim_key = cell_key;
        victim_id = store(victim_key);
        response = client_.request("DELETE", "/v1/objects/" + victim_id, headers);
        break;
      case kDeleteByKey:
        victim_key = cell_key;
        victim_id = store(victim_key);
        response = client_.request("DELETE", by_key_target(kNamespace, tenant_a_, victim_key),
                                   row.credential);
        break;
      case kGc:
        response = client_.request("POST", "/v1/admin/gc", row.credential);
        break;
      case kListKeys:
        response = client_.request("GET", "/v1/admin/api-keys", row.credential);
        break;
      case kOpCount:
        return;
    }

    if (response.status != expected) {
      fail(cell, "expected " + std::to_string(expected) + ", got " + describe(response));
    }
    if (response.header("X-Request-Id").empty()) {
      fail(cell, "no X-Request-Id");
    }
    check_error_shape(cell, op, response);
    check_effect(cell, row, op, response, victim_id, victim_key, cell_key);
  }

  // 4xx answers: the right JSON code, WWW-Authenticate on 401, and no credential echoed.
  void check_error_shape(const std::string& cell, Op op, const HttpResponse& response) {
    if (response.status < 400) {
      return;
    }
    if (response.status == 401 && !response.header("WWW-Authenticate").starts_with("Bearer")) {
      fail(cell, "401 without WWW-Authenticate: Bearer");
    }
    if (op == kHeadById) {
      return;  // no body
    }
    const std::string code = error_code_of(response);
    const std::string want = response.status == 401   ? "unauthenticated"
                             : response.status == 403 ? "permission_denied"
                             : response.status == 404 ? "not_found"
                                                      : code;
    if (code != want) {
      fail(cell, "error code " + code + ", expected " + want);
    }
    for (const std::string& secret : secrets_) {
      if (response.body.find(secret) != std::string::npos) {
        fail(cell, "an API key secret appears in the error body");
      }
    }
  }

  // What the operation did (or, refused, did not do) to the stored objects.
  void check_effect(const std::string& cell, const Row& row, Op op, const HttpResponse& response,
                    const std::string& victim_id, const std::string& victim_key,
                    const std::string& cell_key) {
    const std::string acting_tenant = row.tenant_given ? tenant_a_ : row.own_tenant;
    switch (op) {
      case kUpload:
        if (response.status == 201) {
          const boost::json::object created = parse_object(response.body);
          if (string_field(created, "tenant_id") != acting_tenant) {
            fail(cell, "uploaded into tenant " + string_field(created, "tenant_id") +
                           ", expected " + acting_tenant);
          }
        } else if (const HttpResponse stored =
                       fetch_as_admin(by_key_target(kNamespace, tenant_a_, cell_key));
                   stored.status != 404) {
          fail(cell, "a refused upload stored something: " + describe(stored));
        }
        break;
      case kGetById:
      case kGetByKey:
        if (response.status == 200 && response.body != kTargetContent) {
          fail(cell, "200 with the wrong content: " + describe(response));
        }
        break;
      case kHeadById:
        if (response.status == 200 &&
            response.header("Content-Length") != std::to_string(kTargetContent.size())) {
          fail(cell, "HEAD Content-Length " + response.header("Content-Length"));
        }
        break;
      case kList:
        if (response.status == 200) {
          check_listing(cell, acting_tenant, response);
        }
        break;
      case kDeleteById:
      case kDeleteByKey: {
        // With the right credential, the object must be gone, by id and by key, or intact.
        const HttpResponse by_id_after = fetch_as_admin("/v1/objects/" + victim_id);
        const HttpResponse by_key_after =
            fetch_as_admin(by_key_target(kNamespace, tenant_a_, victim_key));
        if (response.status == 204) {
          if (by_id_after.status != 404 || by_key_after.status != 404) {
            fail(cell, "deleted, yet it still downloads: " + describe(by_id_after));
          }
        } else if (by_id_after.status != 200 || by_id_after.body != kTargetContent ||
                   by_key_after.status != 200) {
          fail(cell, "a refused delete deleted the object: GET by id " + describe(by_id_after) +
                         ", GET by key " + describe(by_key_after));
        }
        break;
      }
      case kGc:
        if (response.status == 200 && !parse_object(response.body).contains("deleted_blobs")) {
          fail(cell, "GC report without counts: " + describe(response));
        }
        break;
      case kListKeys:
        if (response.status == 200) {
          check_key_listing(cell, response);
        }
        break;
      case kOpCount:
        break;
    }
  }

  void check_listing(const std::string& cell, const std::string& tenant,
                     const HttpResponse& response) {
    bool target_listed = false;
    const boost::json::object listing = parse_object(response.body);
    for (const auto& item : listing.at("objects").as_array()) {
      const boost::json::object& object = item.as_object();
      if (string_field(object, "tenant_id") != tenant) {
        fail(cell,
             "listing for " + tenant + " shows an object of " + string_field(object, "tenant_id"));
      }
      target_listed = target_listed || string_field(object, "id") == target_id_;
    }
    if (target_listed != (tenant == tenant_a_)) {
      fail(cell, std::string("the object of tenant A is ") + (target_listed ? "" : "not ") +
                     "listed for tenant " + tenant);
    }
  }

  void check_key_listing(const std::string& cell, const HttpResponse& response) {
    const boost::json::object listing = parse_object(response.body);
    const boost::json::array& keys = listing.at("api_keys").as_array();
    bool admin_listed = false;
    for (const auto& item : keys) {
      const boost::json::object& key = item.as_object();
      if (key.contains("key") || key.contains("secret") || key.contains("secret_hash")) {
        fail(cell, "the key listing shows key material for " + string_field(key, "id"));
      }
      admin_listed = admin_listed || string_field(key, "id") == env_.admin.id;
    }
    if (!admin_listed) {
      fail(cell, "the key listing lacks the admin key " + env_.admin.id);
    }
    for (const std::string& secret : secrets_) {
      if (response.body.find(secret) != std::string::npos) {
        fail(cell, "an API key secret appears in the key listing");
      }
    }
  }

  AuthEnvironment& env_;
  HttpClient client_;
  std::string tenant_a_;
  std::string tenant_b_;
  std::string target_id_;
  std::vector<std::string> secrets_;
  std::vector<std::string> failures_;
  int cells_ = 0;
};

// Whether some line of `text` contains every one of `parts`.
bool has_line(const std::string& text, std::initializer_list<std::string_view> parts) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (std::all_of(parts.begin(), parts.end(),
                    [&](std::string_view part) { return line.find(part) != std::string::npos; })) {
      return true;
    }
  }
  return false;
}

Headers x_api_key(std::string_view key) { return {{"X-API-Key", std::string(key)}}; }

// `token` with the first character of its signature changed.
std::string with_flipped_signature(const std::string& token) {
  const JwtParts parts = split_jwt(token);
  std::string signature = parts.signature;
  signature[0] = signature[0] == 'A' ? 'B' : 'A';
  return parts.header + "." + parts.claims + "." + signature;
}

}  // namespace

TEST_CASE(
    "every operation answers every kind of credential with exactly its status, and a refused "
    "delete deletes nothing",
    "[e2e][auth]") {
  Matrix matrix;
  const std::string& a = matrix.tenant_a();
  const std::string& b = matrix.tenant_b();
  const std::vector<std::string> object_scopes = {"objects:read", "objects:write",
                                                  "objects:delete"};

  const IssuedKey key_a = matrix.issue(a, object_scopes);
  const IssuedKey key_b = matrix.issue(b, object_scopes);
  const IssuedKey read_only = matrix.issue(a, {"objects:read"});
  const IssuedKey write_only = matrix.issue(a, {"objects:write"});
  const IssuedKey delete_only = matrix.issue(a, {"objects:delete"});
  const IssuedKey admin_key = matrix.issue("*", {"admin"});
  // Revoked and expired before any server has seen (and cached) them.
  const IssuedKey revoked = matrix.issue(a, object_scopes);
  revoke_key(matrix.client(), matrix.admin_key(), revoked.id);
  const IssuedKey expired = matrix.issue(a, object_scopes);
  expire_key_in_database(auth_environment().database.url(), expired.id);
  // Well-formed keys that match no row: an unknown id, and a known id with a wrong secret.
  std::string unknown_id = key_a.key;
  unknown_id.replace(4, key_a.id.size(), "zzzzzzzzzzzz");
  std::string wrong_secret = key_a.key;
  wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';

  const std::string object_scope_claim = "objects:read objects:write objects:delete";
  const std::string jwt_a = hs256_jwt(jwt_claims(a, object_scope_claim));
  const std::string jwt_b = hs256_jwt(jwt_claims(b, object_scope_claim));
  const std::string jwt_read_only = hs256_jwt(jwt_claims(a, "objects:read"));
  const std::string jwt_admin = hs256_jwt(jwt_claims("*", "admin"));
  // Admin scope on a tenant-bound token: its own tenant's objects, but no administration.
  const std::string jwt_tenant_admin = hs256_jwt(jwt_claims(a, "admin"));
  const std::string jwt_expired =
      hs256_jwt(jwt_claims(a, object_scope_claim, -std::chrono::hours(1)));
  // Expired 5 s ago: still inside the default 30 s leeway.
  const std::string jwt_within_leeway =
      hs256_jwt(jwt_claims(a, object_scope_claim, -std::chrono::seconds(5)));
  const std::string jwt_other_secret =
      hs256_jwt(jwt_claims("*", "admin"), "another-secret-of-at-least-32-bytes-0123456789abcdef");
  // jwt_a's signature on claims that say tenant "*" and admin.
  const std::string jwt_forged_claims = split_jwt(jwt_admin).header + "." +
                                        split_jwt(jwt_admin).claims + "." +
                                        split_jwt(jwt_a).signature;
  boost::json::object none_header;
  none_header["alg"] = "none";
  none_header["typ"] = "JWT";
  const std::string alg_none_signed = sign_hs256(none_header, jwt_claims("*", "admin"));
  const JwtParts none_parts = split_jwt(alg_none_signed);
  const std::string alg_none_unsigned = none_parts.header + "." + none_parts.claims + ".";

  const std::vector<Row> rows = {
      {"no credential", {}, kUnauthenticated},
      {"a bearer that is neither key nor JWT", bearer("not-a-credential"), kUnauthenticated},
      {"Authorization: Basic", {{"Authorization", "Basic YWRtaW46YWRtaW4="}}, kUnauthenticated},
      {"API key with an unknown id", bearer(unknown_id), kUnauthenticated},
      {"API key with a wrong secret", bearer(wrong_secret), kUnauthenticated},
      {"revoked API key", bearer(revoked.key), kUnauthenticated},
      {"revoked API key as X-API-Key", x_api_key(revoked.key), kUnauthenticated},
      {"expired API key", bearer(expired.key), kUnauthenticated},
      {"API key of tenant B, X-Tenant A", bearer(key_b.key), kOtherTenant},
      {"API key of tenant B, tenant omitted", bearer(key_b.key), kOtherTenantImplicit, false, b},
      {"read-only API key", bearer(read_only.key), kReadOnly},
      {"write-only API key", bearer(write_only.key), kWriteOnly},
      {"delete-only API key", bearer(delete_only.key), kDeleteOnly},
      {"JWT with a tampered signature", bearer(with_flipped_signature(jwt_a)), kUnauthenticated},
      {"JWT with claims swapped under a valid signature", bearer(jwt_forged_claims),
       kUnauthenticated},
      {"JWT signed with another secret", bearer(jwt_other_secret), kUnauthenticated},
      {"alg:none JWT without signature", bearer(alg_none_unsigned), kUnauthenticated},
      {"alg:none JWT with an HS256 signature", bearer(alg_none_signed), kUnauthenticated},
      {"expired JWT", bearer(jwt_expired), kUnauthenticated},
      {"JWT of tenant B, X-Tenant A", bearer(jwt_b), kOtherTenant},
      {"JWT of tenant B, tenant omitted", bearer(jwt_b), kOtherTenantImplicit, false, b},
      {"read-only JWT", bearer(jwt_read_only), kReadOnly},
      {"API key of tenant A", bearer(key_a.key), kTenantObjects},
      {"API key of tenant A as X-API-Key", x_api_key(key_a.key), kTenantObjects},
      {"API key of tenant A, tenant omitted", bearer(key_a.key), kTenantObjects, false, a},
      {"JWT of tenant A", bearer(jwt_a), kTenantObjects},
      {"JWT of tenant A, tenant omitted", bearer(jwt_a), kTenantObjects, false, a},
      {"JWT expired 5 s ago (within the leeway)", bearer(jwt_within_leeway), kTenantObjects},
      {"admin API key (every tenant)", bearer(admin_key.key), kAdmin},
      {"admin JWT (every tenant)", bearer(jwt_admin), kAdmin},
      {"admin JWT bound to tenant A", bearer(jwt_tenant_admin), kTenantObjects},
  };
  for (const Row& row : rows) {
    matrix.run(row);
  }
  INFO(matrix.report());
  CHECK(matrix.passed());
  CHECK(matrix.cells() == static_cast<int>(rows.size() * kOpCount));

  // No credential reaches the server's log (API keys: not even their secret part), while every
  // key creation and revocation leaves an audit line naming the key and who did it.
  const std::string log = auth_environment().server.log();
  for (const Row& row : rows) {
    for (const auto& [name, value] : row.credential) {
      std::string token = value.starts_with("Bearer ") ? value.substr(7) : value;
      if (token.starts_with("cst_")) {
        token = secret_of(token);
      } else if (std::count(token.begin(), token.end(), '.') == 2 && !token.ends_with(".")) {
        token = split_jwt(token).signature;
      }
      INFO(row.name << ": " << name);
      CHECK(log.find(token) == std::string::npos);
    }
  }
  const std::string admin = "key:" + auth_environment().admin.id;
  CHECK(has_line(log, {"audit", key_a.id, "created", admin}));
  CHECK(has_line(log, {"audit", revoked.id, "revoked", admin}));
}

TEST_CASE("with AUTH_MODE=required the probes answer without a credential", "[e2e][auth]") {
  HttpClient client = auth_environment().server.client();
  for (const char* path : {"/health", "/ready", "/health/ready"}) {
    for (const char* method : {"GET", "HEAD"}) {
      INFO(method << " " << path);
      CHECK(client.request(method, path).status == 200);
      // A bad credential does not matter to a probe either.
      CHECK(client.request(method, path, bearer("not-a-credential")).status == 200);
    }
  }
}

TEST_CASE("with AUTH_MODE=disabled objects are served without a credential", "[e2e][auth]") {
  // The harness's default: AUTH_MODE=disabled.
  testing::ServerProcess server =
      testing::ServerProcess::start({.binary = castor_binary(),
                                     .database_url = auth_environment().database.url(),
                                     .extra_env = {{"SHUTDOWN_DELAY_SECONDS", "0"}}});
  HttpClient client = server.client();
  const std::string tenant = testing::unique_name("auth-off");
  const std::string id = string_field(upload(client, {.tenant = tenant}, "open"), "id");
  const HttpResponse download = by_id(client, "GET", id, tenant);
  CHECK(download.status == 200);
  CHECK(download.body == "open");
}

}  // namespace castor::e2e
