// The OpenAPI document (GET /openapi.json) against the route table, in both directions: every
// (method, pattern) the router serves is a documented operation, and every documented operation
// is a route. A path item documents a router pattern under its own path unless it names the
// pattern in "x-castor-pattern": "/v1/objects/by-key/{namespace}/{tenant}/{key}" documents the
// router's "/v1/objects/by-key/{rest...}" (OpenAPI path parameters are single segments).
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "api/openapi_document.h"
#include "api/routes.h"

namespace castor::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kMethods[] = {"get",  "put",   "post",   "delete",
                                         "head", "patch", "options"};

json::object parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  REQUIRE(!ec);
  REQUIRE(v.is_object());
  return v.as_object();
}

json::object served_document() { return parse_object(openapi_document().json); }

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return out;
}

// The router pattern a path item documents.
std::string pattern_of(std::string_view path, const json::object& item) {
  if (const json::value* p = item.if_contains("x-castor-pattern")) {
    return std::string(p->as_string());
  }
  return std::string(path);
}

// "METHOD pattern" of every operation of `doc`.
std::map<std::string, const json::object*> operations(const json::object& doc) {
  std::map<std::string, const json::object*> ops;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    const std::string pattern =
        pattern_of(std::string_view(path.data(), path.size()), item.as_object());
    for (std::string_view m : kMethods) {
      if (const json::value* op = item.as_object().if_contains(m)) {
        ops[upper(m) + " " + pattern] = &op->as_object();
      }
    }
  }
  return ops;
}

std::string route_name(const Route& r) {
  return std::string(r.method) + " " + std::string(r.pattern);
}

// The planned fragments (src/api/openapi/planned/*.json) by file name.
std::map<std::string, std::string> planned_fragments() {
  std::map<std::string, std::string> out;
  const std::filesystem::path dir =
      std::filesystem::path(CASTOR_SOURCE_DIR) / "src/api/openapi/planned";
  if (!std::filesystem::is_directory(dir)) {
    return out;  // every planned fragment has landed (git keeps no empty directory)
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") {
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      out[entry.path().filename().string()] = text.str();
    }
  }
  return out;
}

// Which planned fragment documents `op` ("METHOD pattern"), for a helpful failure message.
std::string planned_home(const std::string& op) {
  for (const auto& [name, text] : planned_fragments()) {
    const json::object fragment = parse_object(text);
    if (fragment.contains("paths") && operations(fragment).count(op) != 0) {
      return "; src/api/openapi/planned/" + name +
             " documents it: git mv it to src/api/openapi/paths/";
    }
  }
  return "";
}

}  // namespace

TEST_CASE("openapi: every route of the router is documented", "[unit][openapi]") {
  const json::object doc = served_document();
  const auto ops = operations(doc);
  for (const Route& r : RouteTable::get().routes()) {
    const std::string name = route_name(r);
    INFO(name << " is missing from the OpenAPI document" << planned_home(name));
    CHECK(ops.count(name) == 1);
  }
}

TEST_CASE("openapi: every documented operation is a route", "[unit][openapi]") {
  const json::object doc = served_document();
  std::set<std::string> routes;
  for (const Route& r : RouteTable::get().routes()) {
    routes.insert(route_name(r));
  }
  for (const auto& [name, op] : operations(doc)) {
    INFO(name << " is documented but the router has no such route");
    CHECK(routes.count(name) == 1);
  }
}

TEST_CASE("openapi: security matches each route's access and scope", "[unit][openapi]") {
  const json::object doc = served_document();
  const auto ops = operations(doc);
  const json::object& schemes = doc.at("components").at("securitySchemes").as_object();
  for (const Route& r : RouteTable::get().routes()) {
    const std::string name = route_name(r);
    INFO(name);
    auto found = ops.find(name);
    if (found == ops.end()) {
      continue;  // reported by the first test case
    }
    const json::object& op = *found->second;
    REQUIRE(op.contains("security"));
    const json::array& security = op.at("security").as_array();
    bool anonymous = false;
    bool scope_listed = false;
    for (const json::value& requirement : security) {
      const json::object& req = requirement.as_object();
      anonymous = anonymous || req.empty();
      for (const auto& [scheme, roles] : req) {
        CHECK(schemes.contains(scheme));
        for (const json::value& role : roles.as_array()) {
          scope_listed = scope_listed || (r.scope && role.as_string() == to_string(*r.scope));
        }
      }
    }
    if (r.access == Access::kOpen) {
      // Open: no requirement at all, or an anonymous alternative ({}), as /metrics has for
      // METRICS_AUTH.
      CHECK((security.empty() || anonymous));
      if (!security.empty() && r.scope) {
        CHECK(scope_listed);
      }
    } else if (r.access == Access::kAuthenticated) {
      CHECK(!anonymous);  // a credential, with no scope required
      CHECK(!security.empty());
    } else {
      CHECK(!anonymous);
      CHECK(scope_listed);  // the route's scope is the role of a requirement
    }
  }
}

TEST_CASE("openapi: path templates, parameters and operation ids", "[unit][openapi]") {
  const json::object doc = served_document();
  CHECK(doc.at("openapi").as_string().starts_with("3.1."));
  const json::object& components = doc.at("components").as_object();
  std::set<std::string> ids;
  for (const auto& [path_key, item_value] : doc.at("paths").as_object()) {
    const std::string_view path(path_key.data(), path_key.size());
    const json::object& item = item_value.as_object();
    const std::string pattern = pattern_of(path, item);
    INFO(std::string(path));
    // A rest pattern is documented by a path with the same literal prefix.
    if (const auto rest = pattern.find("{rest...}"); rest != std::string::npos) {
      CHECK(path.substr(0, rest) == std::string_view(pattern).substr(0, rest));
    } else {
      CHECK(pattern == path);
    }
    // The template's parameters.
    std::set<std::string> names;
    for (std::size_t open = path.find('{'); open != std::string::npos;
         open = path.find('{', open + 1)) {
      names.insert(std::string(path.substr(open + 1, path.find('}', open) - open - 1)));
    }
    for (std::string_view m : kMethods) {
      const json::value* op = item.if_contains(m);
      if (op == nullptr) {
        continue;
      }
      const json::string& id = op->at("operationId").as_string();
      CHECK(ids.insert(std::string(id)).second);  // unique
      std::set<std::string> declared;
      if (const json::value* params = op->as_object().if_contains("parameters")) {
        for (const json::value& p : params->as_array()) {
          const json::object* param = &p.as_object();
          if (const json::value* ref = param->if_contains("$ref")) {
            const std::string_view target = ref->as_string();
            constexpr std::string_view kPrefix = "#/components/parameters/";
            REQUIRE(target.starts_with(kPrefix));
            const json::value* resolved =
                components.at("parameters").as_object().if_contains(target.substr(kPrefix.size()));
            INFO(std::string(target));
            REQUIRE(resolved != nullptr);
            param = &resolved->as_object();
          }
          if (param->at("in").as_string() == "path") {
            declared.insert(std::string(param->at("name").as_string()));
            CHECK(param->at("required").as_bool());
          }
        }
      }
      INFO(std::string(m));
      CHECK(declared == names);
      // Every operation answers something, and its errors use the error body.
      CHECK(!op->at("responses").as_object().empty());
    }
  }
}

TEST_CASE("openapi: the document is served with a stable ETag", "[unit][openapi]") {
  const OpenApiDocument& doc = openapi_document();
  REQUIRE(doc.etag.size() == 66);
  CHECK(doc.etag.front() == '"');
  CHECK(doc.etag.back() == '"');
  CHECK(&openapi_document() == &doc);
  // The embedded sources merge to exactly the served bytes.
  auto again = merge_openapi(embedded_openapi_sources());
  REQUIRE(again);
  CHECK(*again == doc.json);
}

TEST_CASE("openapi: fragments merge member by member", "[unit][openapi]") {
  const std::string_view base =
      R"({"paths":{"/a":{"get":{"parameters":[{"name":"x"}],"summary":"old"}}},"tags":["t"]})";
  const std::string_view fragment =
      R"({"paths":{"/a":{"get":{"parameters":[{"name":"x"},{"name":"y"}],"summary":"new"}},)"
      R"("/b":{"post":{}}},"tags":["t","u"]})";
  const std::string_view sources[] = {base, fragment};
  auto merged = merge_openapi(sources);
  REQUIRE(merged);
  CHECK(parse_object(*merged) ==
        parse_object(R"({"paths":{"/a":{"get":{"parameters":[{"name":"x"},{"name":"y"}],)"
                     R"("summary":"new"}},"/b":{"post":{}}},"tags":["t","u"]})"));

  const std::string_view bad[] = {base, "[1]"};
  auto refused = merge_openapi(bad);
  REQUIRE(!refused);
  CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  CHECK(refused.error().message.find("source 1") != std::string::npos);
  const std::string_view empty[] = {"{"};
  CHECK(!merge_openapi(empty));
}

TEST_CASE("openapi: the planned fragments merge and document routes still to come",
          "[unit][openapi]") {
  // Each planned fragment documents routes that other branches add. Until they land, none of its
  // new operations may be a route yet (else it belongs in src/api/openapi/paths/), and it must
  // merge into the served document.
  const auto planned = planned_fragments();
  std::set<std::string> routes;
  for (const Route& r : RouteTable::get().routes()) {
    routes.insert(route_name(r));
  }
  const auto served = operations(served_document());
  std::vector<std::string_view> sources(embedded_openapi_sources().begin(),
                                        embedded_openapi_sources().end());
  for (const auto& [name, text] : planned) {
    INFO(name);
    const std::string_view one[] = {openapi_document().json, text};
    auto merged = merge_openapi(one);
    REQUIRE(merged);
    for (const auto& [op, ignored] : operations(parse_object(*merged))) {
      if (served.count(op) == 0) {
        INFO(op << " is a route now: move " << name << " to src/api/openapi/paths/");
        CHECK(routes.count(op) == 0);
      }
    }
    sources.push_back(text);
  }
  CHECK(merge_openapi(sources));
}

}  // namespace castor::api
