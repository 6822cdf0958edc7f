// What the web console asks first (issue 14): who the credential is (GET /v1/whoami, any valid
// credential), what it may browse (GET /v1/tenants, GET /v1/namespaces: objects:read), and the
// garbage collector's recent cycles in this process (GET /v1/admin/gc: admin, checked by the
// server before the handler).
#include <charconv>

#include <boost/json.hpp>

#include "api/http_date.h"
#include "api/json_views.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace http = boost::beast::http;

namespace {

boost::json::value cursor_json(const std::optional<std::string>& cursor) {
  return cursor ? boost::json::value(*cursor) : boost::json::value(nullptr);
}

// The limit parameter: ReadCatalog::kDefaultLimit when absent; 0 (refused by the use case) when
// it is not a number.
std::size_t limit_of(Exchange& ex) {
  auto text = ex.target.get("limit");
  if (!text) {
    return ReadCatalog::kDefaultLimit;
  }
  std::size_t n = 0;
  auto [end, err] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (err != std::errc() || end != text->data() + text->size()) {
    return 0;
  }
  return n;
}

// {"credential","tenant_id","scopes","namespaces","expires_at"}
std::string whoami_json(const Principal& p) {
  boost::json::object j;
  j["credential"] = p.credential;
  j["tenant_id"] = p.tenant ? boost::json::value(p.tenant->str()) : boost::json::value(nullptr);
  boost::json::array scopes;
  for (Scope s : {Scope::kObjectsRead, Scope::kObjectsWrite, Scope::kObjectsDelete, Scope::kAdmin,
                  Scope::kKeysManage}) {
    if (p.scopes.has(s)) {
      scopes.emplace_back(to_string(s));
    }
  }
  j["scopes"] = std::move(scopes);
  boost::json::array namespaces;
  for (const Namespace& ns : p.namespaces) {
    namespaces.emplace_back(ns.str());
  }
  j["namespaces"] = std::move(namespaces);
  j["expires_at"] = p.expires_at ? boost::json::value(http_params::rfc3339(*p.expires_at))
                                 : boost::json::value(nullptr);
  return boost::json::serialize(j);
}

std::string gc_history_json(const GcHistory& history) {
  boost::json::array cycles;
  for (const GcHistory::Cycle& cycle : history.newest_first()) {
    boost::json::object j;
    j["started_at"] = http_params::rfc3339(cycle.started_at);
    j["duration_ms"] = cycle.duration.count();
    j["trigger"] = cycle.background ? "background" : "request";
    // The counts POST /v1/admin/gc answers, from the same serialiser. (Named: a range-for over
    // a member of a temporary would dangle.)
    const boost::json::value counts = boost::json::parse(gc_report_json(cycle.report));
    for (const auto& [name, value] : counts.as_object()) {
      j[name] = value;
    }
    j["error"] = cycle.error ? boost::json::value(*cycle.error) : boost::json::value(nullptr);
    cycles.push_back(std::move(j));
  }
  boost::json::object out;
  out["cycles"] = std::move(cycles);
  const auto interval = history.interval();
  out["interval_seconds"] =
      interval ? boost::json::value(interval->count()) : boost::json::value(nullptr);
  return boost::json::serialize(out);
}

}  // namespace

Awaitable<void> handle_whoami(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  co_await s.send(c, ex, http::status::ok, whoami_json(*ex.principal));
}

Awaitable<void> handle_list_tenants(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  const std::size_t limit = limit_of(ex);
  const std::optional<std::string> cursor = ex.target.get("cursor");
  if (ex.principal->tenant) {
    ex.tenant = ex.principal->tenant->str();
  }
  auto list = [&] { return s.uc().catalog.tenants(*ex.principal, limit, cursor); };
  auto page = co_await s.offload(list);
  if (!page) {
    co_return co_await s.send_error(c, ex, from_error(page.error()));
  }
  boost::json::array tenants;
  for (const TenantUsage& t : page->entries) {
    boost::json::object j;
    j["tenant_id"] = t.tenant.str();
    for (auto& [name, value] : usage_figures_json(t.total)) {
      j[name] = value;
    }
    tenants.push_back(std::move(j));
  }
  boost::json::object out;
  out["tenants"] = std::move(tenants);
  out["next_cursor"] = cursor_json(page->next_cursor);
  co_await s.send(c, ex, http::status::ok, boost::json::serialize(out));
}

Awaitable<void> handle_list_namespaces(ServerCore& s, Connection& c, Exchange& ex,
                                       const PathParams&) {
  auto tenant = s.tenant_of(ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const TenantId& t = std::get<TenantId>(tenant);
  const std::size_t limit = limit_of(ex);
  const std::optional<std::string> cursor = ex.target.get("cursor");
  auto list = [&] { return s.uc().catalog.namespaces(*ex.principal, t, limit, cursor); };
  auto page = co_await s.offload(list);
  if (!page) {
    co_return co_await s.send_error(c, ex, from_error(page.error()));
  }
  boost::json::array namespaces;
  for (const NamespaceUsage& n : page->entries) {
    boost::json::object j;
    j["namespace"] = n.ns.str();
    for (auto& [name, value] : usage_figures_json(n.usage.total)) {
      j[name] = value;
    }
    boost::json::object classes;
    classes["hot"] = usage_figures_json(n.usage.hot);
    classes["cold"] = usage_figures_json(n.usage.cold);
    j["storage_classes"] = std::move(classes);
    namespaces.push_back(std::move(j));
  }
  boost::json::object out;
  out["namespaces"] = std::move(namespaces);
  out["next_cursor"] = cursor_json(page->next_cursor);
  co_await s.send(c, ex, http::status::ok, boost::json::serialize(out));
}

Awaitable<void> handle_gc_history(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  co_await s.send(c, ex, http::status::ok, gc_history_json(s.uc().gc_history));
}

}  // namespace castor::api
