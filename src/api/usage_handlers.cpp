// Usage statistics and quotas (docs/USAGE_AND_QUOTAS.md): GET /v1/namespaces/{namespace}/stats
// and GET /v1/tenants/{tenant}/usage (objects:read on the tenant), and the admin's
// GET|PUT|DELETE /v1/admin/quotas/{tenant}[/{namespace}] (admin scope, checked by the server).
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "api/json_views.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace http = boost::beast::http;

namespace {

constexpr std::size_t kMaxQuotaBody = 4 * 1024;  // bytes

// {"tenant_id", "namespace"?, "objects", "logical_bytes", "physical_bytes",
//  "storage_classes": {"hot": {...}, "cold": {...}}}
std::string usage_json(const TenantId& tenant, const Namespace* ns, const Usage& u) {
  boost::json::object j = usage_figures_json(u.total);
  j["tenant_id"] = tenant.str();
  if (ns != nullptr) {
    j["namespace"] = ns->str();
  }
  boost::json::object classes;
  classes["hot"] = usage_figures_json(u.hot);
  classes["cold"] = usage_figures_json(u.cold);
  j["storage_classes"] = std::move(classes);
  return boost::json::serialize(j);
}

boost::json::value limit_json(const std::optional<std::uint64_t>& limit) {
  return limit ? boost::json::value(*limit) : boost::json::value(nullptr);
}

// {"tenant_id", "namespace" (null: the tenant), "max_bytes", "max_objects",
//  "usage": {"objects", "logical_bytes", "physical_bytes"}}
std::string quota_json(const TenantId& tenant, const std::optional<Namespace>& ns,
                       const ManageQuotas::View& v) {
  boost::json::object j;
  j["tenant_id"] = tenant.str();
  j["namespace"] = ns ? boost::json::value(ns->str()) : boost::json::value(nullptr);
  j["max_bytes"] = limit_json(v.quota.max_bytes);
  j["max_objects"] = limit_json(v.quota.max_objects);
  j["usage"] = usage_figures_json(v.usage);
  return boost::json::serialize(j);
}

// {"max_bytes": n|null, "max_objects": n|null}: a missing field is null (no limit).
Result<Quota> parse_quota(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) {
    return invalid_argument(
        R"(body must be a JSON object {"max_bytes": n|null, "max_objects": n|null})");
  }
  Quota q;
  for (const auto& [name, value] : v.as_object()) {
    std::optional<std::uint64_t>* limit = nullptr;
    if (name == "max_bytes") {
      limit = &q.max_bytes;
    } else if (name == "max_objects") {
      limit = &q.max_objects;
    } else {
      return invalid_argument("unknown field '" + std::string(name) +
                              "': a quota has max_bytes and max_objects");
    }
    if (value.is_null()) {
      continue;
    }
    if (value.is_uint64() && value.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      *limit = value.as_uint64();
    } else if (value.is_int64() && value.as_int64() >= 0) {
      *limit = static_cast<std::uint64_t>(value.as_int64());
    } else {
      return invalid_argument(std::string(name) + " must be a non-negative integer or null");
    }
  }
  return q;
}

// The quota's address from the path: {tenant} and, for a namespace's quota, {namespace}.
struct QuotaRef {
  TenantId tenant;
  std::optional<Namespace> ns;
};

Result<QuotaRef> quota_ref(const PathParams& p) {
  auto tenant = TenantId::parse(p.get("tenant").value_or(""));
  if (!tenant) {
    return std::move(tenant).error();
  }
  QuotaRef ref{std::move(*tenant), std::nullopt};
  if (auto ns_text = p.get("namespace")) {
    auto ns = Namespace::parse(*ns_text);
    if (!ns) {
      return std::move(ns).error();
    }
    ref.ns = std::move(*ns);
  }
  return ref;
}

std::string quota_name(const QuotaRef& r) {
  return r.ns ? r.tenant.str() + "/" + r.ns->str() : r.tenant.str();
}

Awaitable<Parsed<std::string>> read_quota_body(Connection& c, Exchange& ex) {
  std::string body;
  while (!ex.parser.is_done()) {
    auto [ec, got] = co_await read_body_chunk(c, ex);
    if (ec) {
      co_return body_error(ec);
    }
    if (body.size() + got > kMaxQuotaBody) {
      ex.close = true;
      co_return http_error(http::status::payload_too_large, "payload_too_large",
                           "request body over " + std::to_string(kMaxQuotaBody) + " bytes");
    }
    body.append(reinterpret_cast<const char*>(c.chunk.data()), got);
  }
  co_return body;
}

}  // namespace

Awaitable<void> handle_namespace_stats(ServerCore& s, Connection& c, Exchange& ex,
                                       const PathParams& p) {
  auto ns = Namespace::parse(p.get("namespace").value_or(""));
  if (!ns) {
    co_return co_await s.send_error(c, ex, from_error(ns.error()));
  }
  auto tenant = s.tenant_of(ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const TenantId t = std::get<TenantId>(std::move(tenant));
  if (auto denied = s.authorize(ex, t, *ns, *ex.route->scope)) {
    co_return co_await s.send_error(c, ex, *denied);
  }
  auto read = [&] { return s.uc().usage.namespace_stats(t, *ns); };
  auto usage = co_await s.offload(read);
  if (!usage) {
    co_return co_await s.send_error(c, ex, from_error(usage.error()));
  }
  co_await s.send(c, ex, http::status::ok, usage_json(t, &*ns, *usage));
}

Awaitable<void> handle_tenant_usage(ServerCore& s, Connection& c, Exchange& ex,
                                    const PathParams& p) {
  auto tenant = TenantId::parse(p.get("tenant").value_or(""));
  if (!tenant) {
    co_return co_await s.send_error(c, ex, from_error(tenant.error()));
  }
  if (auto denied = s.authorize(ex, &*tenant, *ex.route->scope)) {
    co_return co_await s.send_error(c, ex, *denied);
  }
  auto read = [&] { return s.uc().usage.tenant_usage(*tenant); };
  auto usage = co_await s.offload(read);
  if (!usage) {
    co_return co_await s.send_error(c, ex, from_error(usage.error()));
  }
  co_await s.send(c, ex, http::status::ok, usage_json(*tenant, nullptr, *usage));
}

Awaitable<void> handle_get_quota(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  auto ref = quota_ref(p);
  if (!ref) {
    co_return co_await s.send_error(c, ex, from_error(ref.error()));
  }
  auto get = [&] { return s.uc().quotas.get(ref->tenant, ref->ns); };
  auto view = co_await s.offload(get);
  if (!view) {
    co_return co_await s.send_error(c, ex, from_error(view.error()));
  }
  co_await s.send(c, ex, http::status::ok, quota_json(ref->tenant, ref->ns, *view));
}

Awaitable<void> handle_put_quota(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  auto ref = quota_ref(p);
  if (!ref) {
    co_return co_await s.send_error(c, ex, from_error(ref.error()));
  }
  auto body = co_await read_quota_body(c, ex);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto quota = parse_quota(std::get<std::string>(body));
  if (!quota) {
    co_return co_await s.send_error(c, ex, from_error(quota.error()));
  }
  auto put = [&] { return s.uc().quotas.put(ref->tenant, ref->ns, *quota); };
  auto view = co_await s.offload(put);
  if (!view) {
    co_return co_await s.send_error(c, ex, from_error(view.error()));
  }
  auto limit_text = [](const std::optional<std::uint64_t>& l) {
    return l ? std::to_string(*l) : std::string("none");
  };
  spdlog::info("audit: quota {} set by {} (max_bytes={}, max_objects={})", quota_name(*ref),
               ex.principal->credential, limit_text(quota->max_bytes),
               limit_text(quota->max_objects));
  co_await s.send(c, ex, http::status::ok, quota_json(ref->tenant, ref->ns, *view));
}

Awaitable<void> handle_delete_quota(ServerCore& s, Connection& c, Exchange& ex,
                                    const PathParams& p) {
  auto ref = quota_ref(p);
  if (!ref) {
    co_return co_await s.send_error(c, ex, from_error(ref.error()));
  }
  auto remove = [&] { return s.uc().quotas.remove(ref->tenant, ref->ns); };
  auto removed = co_await s.offload(remove);
  if (!removed) {
    co_return co_await s.send_error(c, ex, from_error(removed.error()));
  }
  if (!*removed) {
    co_return co_await s.send_error(
        c, ex, from_error(not_found("no quota is set on " + quota_name(*ref))));
  }
  spdlog::info("audit: quota {} removed by {}", quota_name(*ref), ex.principal->credential);
  co_await s.send(c, ex, http::status::no_content);
}

}  // namespace castor::api
