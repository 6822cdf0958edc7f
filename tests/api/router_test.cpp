#include "api/router.h"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "api/routes.h"

namespace castor::api {
namespace {

const std::vector<RouteKey> kKeys = {
    {"GET", "/v1/objects"},
    {"POST", "/v1/objects"},
    {"GET", "/v1/objects/{id}"},
    {"DELETE", "/v1/objects/{id}"},
    {"GET", "/v1/objects/by-key/{rest...}"},
    {"GET", "/v1/things/{a}/parts/{b}"},
    {"GET", "/"},
};

Router router() {
  auto r = Router::create(kKeys);
  REQUIRE(r);
  return std::move(*r);
}

// What a request matched: "pattern route" ("405" for the route when the method is not allowed),
// "unmatched" when nothing did.
std::string matched(const Router& r, std::string_view method, std::string_view path,
                    PathParams& params) {
  auto m = r.match(method, path, params);
  if (!m) {
    return "unmatched";
  }
  return std::string(r.pattern(m->pattern)) + " " +
         (m->route == Router::kNoRoute ? std::string("405") : std::to_string(m->route));
}

TEST_CASE("the router matches literals, parameters and a trailing rest parameter", "[unit]") {
  const Router r = router();
  PathParams p;
  CHECK(matched(r, "GET", "/v1/objects", p) == "/v1/objects 0");
  CHECK(p.size() == 0);
  CHECK(matched(r, "POST", "/v1/objects", p) == "/v1/objects 1");
  CHECK(matched(r, "DELETE", "/v1/objects/0193", p) == "/v1/objects/{id} 3");
  CHECK(p.get("id") == "0193");
  CHECK(!p.get("rest"));
  // A parameter may be empty; values stay percent-encoded.
  CHECK(matched(r, "GET", "/v1/objects/", p) == "/v1/objects/{id} 2");
  CHECK(p.get("id") == "");
  CHECK(matched(r, "GET", "/v1/objects/a%2Fb", p) == "/v1/objects/{id} 2");
  CHECK(p.get("id") == "a%2Fb");
  CHECK(matched(r, "GET", "/v1/things/x/parts/y", p) == "/v1/things/{a}/parts/{b} 5");
  CHECK(p.size() == 2);
  CHECK(p.get("a") == "x");
  CHECK(p.get("b") == "y");
  CHECK(matched(r, "GET", "/", p) == "/ 6");
}

TEST_CASE("the rest parameter takes slashes and escapes, and may be empty", "[unit]") {
  const Router r = router();
  PathParams p;
  CHECK(matched(r, "GET", "/v1/objects/by-key/docs/acme/reports%2F2026/a%20b/c.pdf", p) ==
        "/v1/objects/by-key/{rest...} 4");
  CHECK(p.get("rest") == "docs/acme/reports%2F2026/a%20b/c.pdf");
  CHECK(matched(r, "GET", "/v1/objects/by-key/docs/acme//", p) == "/v1/objects/by-key/{rest...} 4");
  CHECK(p.get("rest") == "docs/acme//");
  CHECK(matched(r, "GET", "/v1/objects/by-key/", p) == "/v1/objects/by-key/{rest...} 4");
  CHECK(p.get("rest") == "");
  // The literal "by-key" wins over {id}, without falling back to it.
  CHECK(matched(r, "GET", "/v1/objects/by-key", p) == "unmatched");
}

TEST_CASE("the router reports unknown paths and methods a pattern does not allow", "[unit]") {
  const Router r = router();
  PathParams p;
  for (const char* path :
       {"", "v1/objects", "/v1", "/v1/objects/a/b", "/v1/objects//", "//v1/objects", "/V1/objects",
        "/v1/objects?x", "/v1/things/x/parts", "/v1/things/x/parts/y/z", "/health"}) {
    INFO(path);
    CHECK(matched(r, "GET", path, p) == "unmatched");
  }
  CHECK(matched(r, "PUT", "/v1/objects", p) == "/v1/objects 405");
  CHECK(matched(r, "get", "/v1/objects", p) == "/v1/objects 405");  // methods are case-sensitive
  CHECK(matched(r, "HEAD", "/v1/objects/x", p) == "/v1/objects/{id} 405");
  CHECK(r.allow(0) == "GET, POST");
  CHECK(r.allow(1) == "GET, DELETE");
  CHECK(r.allow(2) == "GET");
  CHECK(r.pattern_count() == 5);
  CHECK(r.first_route(1) == 2);
}

TEST_CASE("the router refuses malformed and ambiguous tables", "[unit]") {
  auto refused = [](std::vector<RouteKey> keys) {
    auto r = Router::create(keys);
    if (r) {
      return false;
    }
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    return true;
  };
  CHECK(refused({{"GET", "v1/objects"}}));
  CHECK(refused({{"GET", "/v1/{}"}}));
  CHECK(refused({{"GET", "/v1/{Id}"}}));
  CHECK(refused({{"GET", "/v1/x{id}"}}));
  CHECK(refused({{"GET", "/v1/{rest...}/more"}}));
  CHECK(refused({{"GET", "/{a}/{b}/{c}/{d}/{e}"}}));
  CHECK(refused({{"GET", "/v1/objects"}, {"GET", "/v1/objects"}}));
  CHECK(refused({{"GET", "/v1/{id}"}, {"POST", "/v1/{name}"}}));
  CHECK(refused({{"GET", "/v1/{id}"}, {"GET", "/v1/{rest...}"}}));
  CHECK(refused({{"GET", "/v1/{rest...}"}, {"GET", "/v1/{id}/x"}}));
  CHECK(!refused({{"GET", "/v1/{id}"}, {"GET", "/v1/{id}/x"}, {"GET", "/v1/list"}}));
}

// ---- castor's route table ---------------------------------------------------------------------

struct Expected {
  const char* path;
  const char* label;  // "unmatched" when no route
  const char* allow;  // the Allow set of the pattern
  bool open;          // no credential needed
  const char* param;  // the one parameter's name, or nullptr
  const char* value;  // its value
};

TEST_CASE("castor's routes: patterns, labels, Allow, parameters", "[unit]") {
  const RouteTable& table = RouteTable::get();
  const std::vector<Expected> cases = {
      {"/health", "/health", "GET, HEAD", true, nullptr, nullptr},
      {"/ready", "/ready", "GET, HEAD", true, nullptr, nullptr},
      {"/health/ready", "/ready", "GET, HEAD", true, nullptr, nullptr},
      {"/", "/", "GET, HEAD", true, nullptr, nullptr},
      {"/openapi.json", "/openapi.json", "GET, HEAD", true, nullptr, nullptr},
      {"/console", "/console", "GET, HEAD", true, nullptr, nullptr},
      {"/console/", "/console/", "GET, HEAD", true, "rest", ""},
      {"/console/assets/app-1.js", "/console/", "GET, HEAD", true, "rest", "assets/app-1.js"},
      {"/metrics", "/metrics", "GET, HEAD", true, nullptr, nullptr},
      {"/v1/objects", "/v1/objects", "GET, POST", false, nullptr, nullptr},
      {"/v1/objects/0193a1b2", "/v1/objects/{id}", "GET, HEAD, DELETE", false, "id", "0193a1b2"},
      {"/v1/objects/", "/v1/objects/{id}", "GET, HEAD, DELETE", false, "id", ""},
      {"/v1/objects/by-key/docs/acme/a/b%2Fc", "/v1/objects/by-key/{namespace}/{tenant}/{key}",
       "GET, HEAD, DELETE", false, "rest", "docs/acme/a/b%2Fc"},
      {"/v1/objects/by-key/", "/v1/objects/by-key/{namespace}/{tenant}/{key}", "GET, HEAD, DELETE",
       false, "rest", ""},
      {"/v1/admin/gc", "/v1/admin/gc", "POST, GET", false, nullptr, nullptr},
      {"/v1/admin/fsck", "/v1/admin/fsck", "POST", false, nullptr, nullptr},
      {"/v1/admin/api-keys", "/v1/admin/api-keys", "GET, POST", false, nullptr, nullptr},
      {"/v1/admin/api-keys/k_123", "/v1/admin/api-keys/{id}", "GET, PATCH, DELETE", false, "id",
       "k_123"},
      {"/v1/admin/s3-credentials", "/v1/admin/s3-credentials", "GET, POST", false, nullptr,
       nullptr},
      {"/v1/admin/s3-credentials/CKAB", "/v1/admin/s3-credentials/{id}", "DELETE", false, "id",
       "CKAB"},
      {"/v1/admin/namespaces/acme/vault/retention",
       "/v1/admin/namespaces/{tenant}/{namespace}/retention", "GET, PUT, DELETE", false,
       "namespace", "vault"},
      {"/v1/objects/0193a1b2/retention", "/v1/objects/{id}/retention", "PUT", false, "id",
       "0193a1b2"},
      {"/v1/objects/0193a1b2/legal-hold", "/v1/objects/{id}/legal-hold", "PUT", false, "id",
       "0193a1b2"},
      {"/v1/objects/by-key", "unmatched", "", false, nullptr, nullptr},
      {"/v1/objects/a/b", "unmatched", "", false, nullptr, nullptr},
      {"/v1/admin/api-keys/a/b", "unmatched", "", false, nullptr, nullptr},
      {"/health/", "unmatched", "", false, nullptr, nullptr},
      {"/v2/objects", "unmatched", "", false, nullptr, nullptr},
      {"//", "unmatched", "", false, nullptr, nullptr},
      {"/openapi.json/", "unmatched", "", false, nullptr, nullptr},
  };
  for (const Expected& e : cases) {
    INFO(e.path);
    PathParams p;
    auto m = table.router().match("PROPFIND", e.path, p);
    if (std::string_view(e.label) == "unmatched") {
      CHECK(!m);
      CHECK(table.labels()[table.label_index(nullptr)] == "unmatched");
      continue;
    }
    REQUIRE(m);
    CHECK(m->route == Router::kNoRoute);  // nothing takes PROPFIND
    const Route& route = table.pattern_route(m->pattern);
    CHECK(route.label == e.label);
    CHECK(table.labels()[table.label_index(&route)] == e.label);
    CHECK(table.router().allow(m->pattern) == e.allow);
    CHECK((route.access == Access::kOpen) == e.open);
    if (e.param == nullptr) {
      CHECK(p.size() == 0);
    } else {
      // One parameter, but for the namespace retention route's {tenant} and {namespace}.
      CHECK(p.size() == (std::string_view(e.param) == "namespace" ? 2u : 1u));
      CHECK(p.get(e.param) == std::optional<std::string_view>(e.value));
    }
    // Every method of the Allow set reaches a route of this pattern with that method.
    std::string_view allow = e.allow;
    while (!allow.empty()) {
      const std::string_view method = allow.substr(0, allow.find(", "));
      auto routed = table.router().match(method, e.path, p);
      REQUIRE(routed);
      REQUIRE(routed->route != Router::kNoRoute);
      CHECK(table.routes()[routed->route].method == method);
      CHECK(table.routes()[routed->route].pattern == table.router().pattern(m->pattern));
      allow.remove_prefix(std::min(allow.size(), method.size() + 2));
    }
  }
}

TEST_CASE("castor's routes: who may call them and where they are served", "[unit]") {
  const RouteTable& table = RouteTable::get();
  std::set<std::string_view> open;
  for (const Route& r : table.routes()) {
    INFO(r.method << " " << r.pattern);
    CHECK(r.handler != nullptr);
    switch (r.access) {
      case Access::kOpen:
        open.insert(r.pattern);
        // The probes answer on the METRICS_ADDR listener too; the OpenAPI document describes
        // the API listener's routes and is served there only.
        CHECK((r.served == Served::kApi) ==
              (r.pattern == "/openapi.json" || r.pattern.starts_with("/console")));
        break;
      case Access::kFixedScope:
        CHECK(r.pattern.starts_with("/v1/admin/"));
        // The API-key routes let keys:manage in (ManageApiKeys checks the rest).
        CHECK(r.scope ==
              (r.pattern.starts_with("/v1/admin/api-keys") ? Scope::kKeysManage : Scope::kAdmin));
        CHECK(r.served == Served::kApi);
        break;
      case Access::kTenantScope:
        CHECK((r.pattern.starts_with("/v1/objects") || r.pattern.starts_with("/v1/blobs") ||
               r.pattern.starts_with("/v1/bundles") || r.pattern.starts_with("/v1/uploads") ||
               r.pattern.starts_with("/v1/namespaces") || r.pattern.starts_with("/v1/tenants") ||
               r.pattern == "/v1/presign"));
        CHECK(r.scope != Scope::kAdmin);
        CHECK(r.served == Served::kApi);
        break;
      case Access::kAuthenticated:
        // Only who-am-I: every credential may ask about itself, whatever its scopes.
        CHECK(r.pattern == "/v1/whoami");
        CHECK(!r.scope);
        CHECK(r.served == Served::kApi);
        break;
    }
    // HEAD is allowed wherever GET reads content, not on listings, bundles and upload sessions
    // (JSON documents and archives built on the fly, whose length is not known before they are
    // sent).
    if (r.method == "GET" && r.pattern != "/v1/objects" &&
        !r.pattern.starts_with("/v1/admin/api-keys") && r.pattern != "/v1/admin/s3-credentials" &&
        !r.pattern.starts_with("/v1/bundles") && !r.pattern.starts_with("/v1/uploads") &&
        !r.pattern.starts_with("/v1/admin/namespaces") &&
        !r.pattern.starts_with("/v1/namespaces") && !r.pattern.starts_with("/v1/tenants") &&
        !r.pattern.starts_with("/v1/admin/quotas/") && r.pattern != "/v1/whoami" &&
        r.pattern != "/v1/admin/gc") {
      PathParams p;
      auto head = table.router().match("HEAD", r.pattern, p);
      REQUIRE(head);
      CHECK(head->route != Router::kNoRoute);
    }
  }
  CHECK(open == std::set<std::string_view>{"/health", "/ready", "/health/ready", "/",
                                           "/openapi.json", "/console", "/console/{rest...}",
                                           "/metrics"});
  // The metric labels: distinct, in table order, "unmatched" last.
  const auto labels = table.labels();
  CHECK(std::vector<std::string_view>(labels.begin(), labels.end()) ==
        std::vector<std::string_view>{"/health",
                                      "/ready",
                                      "/",
                                      "/openapi.json",
                                      "/console",
                                      "/console/",
                                      "/metrics",
                                      "/v1/objects",
                                      "/v1/objects/search",
                                      "/v1/objects/{id}",
                                      "/v1/objects/{id}/metadata",
                                      "/v1/objects/{id}/storage-class",
                                      "/v1/objects/by-key/{namespace}/{tenant}/{key}",
                                      "/v1/admin/gc",
                                      "/v1/admin/api-keys",
                                      "/v1/admin/api-keys/{id}",
                                      "/v1/admin/s3-credentials",
                                      "/v1/admin/s3-credentials/{id}",
                                      "/v1/admin/fsck",
                                      "/v1/blobs/{sha256}",
                                      "/v1/blobs/preflight",
                                      "/v1/bundles",
                                      "/v1/bundles/{id}",
                                      "/v1/bundles/{id}/download",
                                      "/v1/uploads",
                                      "/v1/uploads/{id}",
                                      "/v1/uploads/{id}/parts/{n}",
                                      "/v1/uploads/{id}/complete",
                                      "/v1/admin/namespaces/{tenant}/{namespace}/retention",
                                      "/v1/objects/{id}/retention",
                                      "/v1/objects/{id}/legal-hold",
                                      "/v1/namespaces/{namespace}/stats",
                                      "/v1/tenants/{tenant}/usage",
                                      "/v1/admin/quotas/{tenant}",
                                      "/v1/admin/quotas/{tenant}/{namespace}",
                                      "/v1/whoami",
                                      "/v1/tenants",
                                      "/v1/namespaces",
                                      "/v1/presign",
                                      "unmatched"});
}

TEST_CASE("a route table refuses patterns whose routes disagree", "[unit]") {
  auto refused = [](std::vector<Route> routes) {
    auto t = RouteTable::create(std::move(routes));
    return !t && t.error().code == ErrorCode::kInvalidArgument;
  };
  CHECK(refused({{"GET", "/x", "/x", Access::kOpen, std::nullopt, handle_health},
                 {"HEAD", "/x", "/y", Access::kOpen, std::nullopt, handle_health}}));
  CHECK(refused({{"GET", "/x", "/x", Access::kOpen, std::nullopt, handle_health},
                 {"POST", "/x", "/x", Access::kFixedScope, Scope::kAdmin, handle_gc}}));
  CHECK(refused({{"GET", "/x", "/x", Access::kFixedScope, std::nullopt, handle_gc}}));
  auto ok =
      RouteTable::create({{"GET", "/x", "/x", Access::kFixedScope, Scope::kAdmin, handle_gc},
                          {"GET", "/y", "/x", Access::kFixedScope, Scope::kAdmin, handle_gc}});
  REQUIRE(ok);
  CHECK(ok->labels().size() == 2);  // "/x" once, then "unmatched"
}

TEST_CASE("castor's routes: PATCH /v1/objects/{id}/metadata", "[unit][metadata]") {
  const RouteTable& table = RouteTable::get();
  PathParams p;
  auto m = table.router().match("PATCH", "/v1/objects/0193a1b2/metadata", p);
  REQUIRE(m);
  REQUIRE(m->route != Router::kNoRoute);
  const Route& route = table.routes()[m->route];
  CHECK(route.label == "/v1/objects/{id}/metadata");
  CHECK(route.access == Access::kTenantScope);
  CHECK(route.scope == Scope::kObjectsWrite);
  CHECK(table.router().allow(m->pattern) == "PATCH");
  CHECK(p.get("id") == std::optional<std::string_view>("0193a1b2"));
  // The by-key subtree is untouched: a literal segment wins.
  auto by_key = table.router().match("GET", "/v1/objects/by-key/metadata", p);
  REQUIRE(by_key);
  CHECK(table.routes()[by_key->route].label == "/v1/objects/by-key/{namespace}/{tenant}/{key}");
}

}  // namespace
}  // namespace castor::api
