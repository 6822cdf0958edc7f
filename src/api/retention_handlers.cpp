// The retention (WORM) endpoints (docs/RETENTION.md): a namespace's configuration (admin) and an
// object's retention and legal hold (objects:write on its tenant; bypass_governance needs admin).
#include <algorithm>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "api/http_date.h"
#include "api/json_views.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace http = boost::beast::http;

namespace {

constexpr std::size_t kMaxRetentionBody = 4096;  // bytes

// The namespace a /v1/admin/namespaces/{tenant}/{namespace}/retention request names.
struct NamespaceRef {
  TenantId tenant;
  Namespace ns;
};

Parsed<NamespaceRef> namespace_ref(Exchange& ex, const PathParams& p) {
  auto tenant = TenantId::parse(p.get("tenant").value_or(""));
  if (!tenant) {
    return from_error(tenant.error());
  }
  auto ns = Namespace::parse(p.get("namespace").value_or(""));
  if (!ns) {
    return from_error(ns.error());
  }
  ex.tenant = tenant->str();
  return NamespaceRef{std::move(*tenant), std::move(*ns)};
}

std::string namespace_retention_json(const NamespaceRef& ref, const NamespaceRetention& r) {
  boost::json::object j;
  j["tenant_id"] = ref.tenant.str();
  j["namespace"] = ref.ns.str();
  j["mode"] = to_string(r.mode);
  j["default_retention_days"] = r.default_retention_days;
  j["allow_overwrite"] = r.allow_overwrite;
  return boost::json::serialize(j);
}

// The body as a JSON object; InvalidArgument otherwise.
Result<boost::json::object> json_object(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) {
    return invalid_argument("the body must be a JSON object");
  }
  return std::move(v.as_object());
}

// Rejects members other than `known`.
Status only_members(const boost::json::object& o, std::initializer_list<std::string_view> known) {
  for (const auto& member : o) {
    const std::string_view name(member.key());
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return invalid_argument("unknown field '" + std::string(name) + "'");
    }
  }
  return {};
}

// {"mode": "governance"|"compliance", "default_retention_days": n (default 0),
//  "allow_overwrite": bool (default false)}
Result<NamespaceRetention> parse_namespace_retention(const std::string& body) {
  auto o = json_object(body);
  if (!o) {
    return std::move(o).error();
  }
  if (auto s = only_members(*o, {"mode", "default_retention_days", "allow_overwrite"}); !s) {
    return std::move(s).error();
  }
  NamespaceRetention out;
  const auto* mode = o->if_contains("mode");
  if (mode == nullptr || !mode->is_string()) {
    return invalid_argument("mode must be \"governance\" or \"compliance\"");
  }
  auto m = parse_retention_mode(std::string_view(mode->as_string()));
  if (!m) {
    return std::move(m).error();
  }
  out.mode = *m;
  if (const auto* days = o->if_contains("default_retention_days")) {
    if (!days->is_int64() || days->as_int64() < 0 ||
        days->as_int64() > NamespaceRetention::kMaxDays) {
      return invalid_argument("default_retention_days must be an integer between 0 and " +
                              std::to_string(NamespaceRetention::kMaxDays));
    }
    out.default_retention_days = static_cast<std::uint32_t>(days->as_int64());
  }
  if (const auto* overwrite = o->if_contains("allow_overwrite")) {
    if (!overwrite->is_bool()) {
      return invalid_argument("allow_overwrite must be true or false");
    }
    out.allow_overwrite = overwrite->as_bool();
  }
  return out;
}

// The object of a /v1/objects/{id}/... request and its tenant (X-Tenant / tenant_id, else the
// credential's), once the caller may use the route's scope on that tenant.
struct ObjectTarget {
  TenantId tenant;
  ObjectId id;
};

Parsed<ObjectTarget> object_target(ServerCore& s, Exchange& ex, const PathParams& p) {
  auto id = ObjectId::parse(p.get("id").value_or(""));
  if (!id) {
    return from_error(id.error());
  }
  auto tenant = s.tenant_of(ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    return *e;
  }
  if (auto denied = s.authorize(ex, &std::get<TenantId>(tenant), *ex.route->scope)) {
    return *denied;
  }
  return ObjectTarget{std::get<TenantId>(std::move(tenant)), *id};
}

// {"mode": "governance"|"compliance", "retain_until": RFC 3339 | null, "bypass_governance": bool}
// retain_until null or absent: remove the retention (mode is then ignored).
struct RetentionBody {
  std::optional<Retention> retention;
  bool bypass = false;
};

Result<RetentionBody> parse_retention_body(const std::string& body) {
  auto o = json_object(body);
  if (!o) {
    return std::move(o).error();
  }
  if (auto s = only_members(*o, {"mode", "retain_until", "bypass_governance"}); !s) {
    return std::move(s).error();
  }
  RetentionBody out;
  if (const auto* bypass = o->if_contains("bypass_governance")) {
    if (!bypass->is_bool()) {
      return invalid_argument("bypass_governance must be true or false");
    }
    out.bypass = bypass->as_bool();
  }
  const auto* until = o->if_contains("retain_until");
  if (until == nullptr || until->is_null()) {
    return out;
  }
  std::optional<Timestamp> date;
  if (until->is_string()) {
    date = http_params::parse_rfc3339(std::string_view(until->as_string()));
  }
  if (!date) {
    return invalid_argument("retain_until must be an RFC 3339 date-time or null");
  }
  const auto* mode = o->if_contains("mode");
  if (mode == nullptr || !mode->is_string()) {
    return invalid_argument("mode must be \"governance\" or \"compliance\"");
  }
  auto m = parse_retention_mode(std::string_view(mode->as_string()));
  if (!m) {
    return std::move(m).error();
  }
  out.retention = Retention{*m, *date};
  return out;
}

std::string describe(const std::optional<Retention>& r) {
  return r ? std::string(to_string(r->mode)) + " until " + http_params::rfc3339(r->retain_until)
           : std::string("none");
}

}  // namespace

Awaitable<void> handle_get_namespace_retention(ServerCore& s, Connection& c, Exchange& ex,
                                               const PathParams& p) {
  auto ref = namespace_ref(ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const NamespaceRef& r = std::get<NamespaceRef>(ref);
  auto get = [&] { return s.uc().retention.get_namespace(r.tenant, r.ns); };
  auto found = co_await s.offload(get);
  if (!found) {
    co_return co_await s.send_error(c, ex, from_error(found.error()));
  }
  co_await s.send(c, ex, http::status::ok, namespace_retention_json(r, *found));
}

Awaitable<void> handle_put_namespace_retention(ServerCore& s, Connection& c, Exchange& ex,
                                               const PathParams& p) {
  auto ref = namespace_ref(ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto body = co_await read_bounded_body(c, ex, kMaxRetentionBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto config = parse_namespace_retention(std::get<std::string>(body));
  if (!config) {
    co_return co_await s.send_error(c, ex, from_error(config.error()));
  }
  const NamespaceRef& r = std::get<NamespaceRef>(ref);
  auto put = [&] { return s.uc().retention.put_namespace(r.tenant, r.ns, *config); };
  auto before = co_await s.offload(put);
  if (!before) {
    co_return co_await s.send_error(c, ex, from_error(before.error()));
  }
  spdlog::info(
      "audit: retention of namespace {}/{} set by {}: {} (default {} days, allow_overwrite={})",
      r.tenant.str(), r.ns.str(), ex.principal->credential, to_string(config->mode),
      config->default_retention_days, config->allow_overwrite);
  co_await s.send(c, ex, http::status::ok, namespace_retention_json(r, *config));
}

Awaitable<void> handle_delete_namespace_retention(ServerCore& s, Connection& c, Exchange& ex,
                                                  const PathParams& p) {
  auto ref = namespace_ref(ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const NamespaceRef& r = std::get<NamespaceRef>(ref);
  auto remove = [&] { return s.uc().retention.remove_namespace(r.tenant, r.ns); };
  auto removed = co_await s.offload(remove);
  if (!removed) {
    co_return co_await s.send_error(c, ex, from_error(removed.error()));
  }
  spdlog::info("audit: retention of namespace {}/{} ({}) removed by {}", r.tenant.str(), r.ns.str(),
               to_string(removed->mode), ex.principal->credential);
  co_await s.send(c, ex, http::status::no_content);
}

Awaitable<void> handle_put_object_retention(ServerCore& s, Connection& c, Exchange& ex,
                                            const PathParams& p) {
  auto target = object_target(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&target)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto body = co_await read_bounded_body(c, ex, kMaxRetentionBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto request = parse_retention_body(std::get<std::string>(body));
  if (!request) {
    co_return co_await s.send_error(c, ex, from_error(request.error()));
  }
  const ObjectTarget& t = std::get<ObjectTarget>(target);
  // Admin: the admin scope for every tenant (Principal::authorize(Scope)).
  const bool admin = ex.principal.has_value() && ex.principal->authorize(Scope::kAdmin);
  const RetentionActor actor{.admin = admin, .bypass_governance = request->bypass};
  auto set = [&] {
    return s.uc().retention.set_retention(t.tenant, t.id, request->retention, actor);
  };
  auto changed = co_await s.offload(set);
  if (!changed) {
    co_return co_await s.send_error(c, ex, from_error(changed.error()));
  }
  if (changed->change.bypassed_governance) {
    spdlog::warn("audit: governance retention of object {} (tenant {}) bypassed by {}: {} -> {}",
                 t.id.to_string(), t.tenant.str(), ex.principal->credential,
                 describe(changed->before), describe(changed->object.retention()));
  } else {
    spdlog::info("audit: retention of object {} (tenant {}) set by {}: {} -> {}", t.id.to_string(),
                 t.tenant.str(), ex.principal->credential, describe(changed->before),
                 describe(changed->object.retention()));
  }
  co_await s.send(c, ex, http::status::ok, object_json(changed->object));
}

Awaitable<void> handle_put_object_legal_hold(ServerCore& s, Connection& c, Exchange& ex,
                                             const PathParams& p) {
  auto target = object_target(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&target)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto body = co_await read_bounded_body(c, ex, kMaxRetentionBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  std::optional<bool> hold;
  if (auto o = json_object(std::get<std::string>(body))) {
    if (only_members(*o, {"legal_hold"})) {
      if (const auto* v = o->if_contains("legal_hold"); v != nullptr && v->is_bool()) {
        hold = v->as_bool();
      }
    }
  }
  if (!hold) {
    co_return co_await s.send_error(c, ex,
                                    bad_request("the body must be {\"legal_hold\": true|false}"));
  }
  const ObjectTarget& t = std::get<ObjectTarget>(target);
  const bool on = *hold;
  auto set = [&] { return s.uc().retention.set_legal_hold(t.tenant, t.id, on); };
  auto changed = co_await s.offload(set);
  if (!changed) {
    co_return co_await s.send_error(c, ex, from_error(changed.error()));
  }
  spdlog::info("audit: legal hold of object {} (tenant {}) turned {} by {}", t.id.to_string(),
               t.tenant.str(), on ? "on" : "off", ex.principal->credential);
  co_await s.send(c, ex, http::status::ok, object_json(*changed));
}

}  // namespace castor::api
