// The API-key endpoints (docs/API_KEYS.md): create, list, read, update and revoke keys under
// /v1/admin/api-keys. The route table lets in credentials with keys:manage (which admin implies);
// ManageApiKeys decides what each caller may do with which key.
#include <spdlog/spdlog.h>

#include "api/api_key_json.h"
#include "api/http_date.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace http = boost::beast::http;

namespace {

constexpr std::size_t kMaxKeyBody = 64 * 1024;  // bytes

Timestamp now_us() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string namespaces_text(const ApiKey& k) {
  if (k.namespaces.empty()) {
    return "*";
  }
  std::string out;
  for (const Namespace& ns : k.namespaces) {
    out += (out.empty() ? "" : ",") + ns.str();
  }
  return out;
}

}  // namespace

Awaitable<void> handle_create_api_key(ServerCore& s, Connection& c, Exchange& ex,
                                      const PathParams&) {
  auto body = co_await read_bounded_body(c, ex, kMaxKeyBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto request = parse_api_key_request(std::get<std::string>(body));
  if (!request) {
    co_return co_await s.send_error(c, ex, from_error(request.error()));
  }
  const Principal caller = *ex.principal;
  if (!request->tenant_given) {
    if (!caller.tenant) {
      co_return co_await s.send_error(c, ex,
                                      bad_request("tenant (a tenant name or \"*\") is required"));
    }
    request->tenant = caller.tenant;  // a tenant-bound caller's keys are its tenant's
  }
  auto create = [&] {
    ManageApiKeys::NewKey key{.tenant = request->tenant,
                              .scopes = request->scopes,
                              .namespaces = request->namespaces,
                              .name = request->name,
                              .description = request->description,
                              .expires_at = request->expires_at};
    if (request->expires_in) {
      key.expires_at = now_us() + *request->expires_in;
    }
    return s.uc().keys.create(caller, std::move(key));
  };
  auto created = co_await s.offload(create);
  if (!created) {
    co_return co_await s.send_error(c, ex, from_error(created.error()));
  }
  const ApiKey& k = created->key;
  spdlog::info(
      "audit: api key {} created by {} (tenant={}, scopes=\"{}\", namespaces={}, expires={})", k.id,
      caller.credential, k.tenant ? k.tenant->str() : "*", k.scopes.to_string(), namespaces_text(k),
      k.expires_at ? http_params::rfc3339(*k.expires_at) : "never");
  co_await s.send(c, ex, http::status::created, api_key_json(k, created->token), "application/json",
                  one_header("Location", "/v1/admin/api-keys/" + k.id));
}

Awaitable<void> handle_list_api_keys(ServerCore& s, Connection& c, Exchange& ex,
                                     const PathParams&) {
  const Principal caller = *ex.principal;
  auto list = [&] { return s.uc().keys.list(caller); };
  auto keys = co_await s.offload(list);
  if (!keys) {
    co_return co_await s.send_error(c, ex, from_error(keys.error()));
  }
  co_await s.send(c, ex, http::status::ok, api_key_list_json(*keys));
}

Awaitable<void> handle_get_api_key(ServerCore& s, Connection& c, Exchange& ex,
                                   const PathParams& p) {
  const std::string id(p.get("id").value_or(""));
  const Principal caller = *ex.principal;
  auto get = [&] { return s.uc().keys.get(caller, id); };
  auto key = co_await s.offload(get);
  if (!key) {
    co_return co_await s.send_error(c, ex, from_error(key.error()));
  }
  co_await s.send(c, ex, http::status::ok, api_key_json(*key));
}

Awaitable<void> handle_update_api_key(ServerCore& s, Connection& c, Exchange& ex,
                                      const PathParams& p) {
  const std::string id(p.get("id").value_or(""));
  auto body = co_await read_bounded_body(c, ex, kMaxKeyBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto patch = parse_api_key_patch(std::get<std::string>(body));
  if (!patch) {
    co_return co_await s.send_error(c, ex, from_error(patch.error()));
  }
  const Principal caller = *ex.principal;
  auto update = [&] {
    ManageApiKeys::Changes changes{.scopes = patch->scopes,
                                   .namespaces = patch->namespaces,
                                   .name = patch->name,
                                   .description = patch->description,
                                   .expires_at = patch->expires_at};
    if (patch->expires_in) {
      changes.expires_at = std::optional<Timestamp>(now_us() + *patch->expires_in);
    }
    auto updated = s.uc().keys.update(caller, id, std::move(changes));
    s.uc().auth.forget(id);
    return updated;
  };
  auto updated = co_await s.offload(update);
  if (!updated) {
    co_return co_await s.send_error(c, ex, from_error(updated.error()));
  }
  const ApiKey& k = *updated;
  spdlog::info(
      "audit: api key {} updated by {} (scopes=\"{}\", namespaces={}, expires={}, name=\"{}\")",
      k.id, caller.credential, k.scopes.to_string(), namespaces_text(k),
      k.expires_at ? http_params::rfc3339(*k.expires_at) : "never", k.name);
  co_await s.send(c, ex, http::status::ok, api_key_json(k));
}

Awaitable<void> handle_revoke_api_key(ServerCore& s, Connection& c, Exchange& ex,
                                      const PathParams& p) {
  const std::string id(p.get("id").value_or(""));
  const Principal caller = *ex.principal;
  auto revoke = [&] {
    auto revoked = s.uc().keys.revoke(caller, id);
    s.uc().auth.forget(id);
    return revoked;
  };
  auto revoked = co_await s.offload(revoke);
  if (!revoked) {
    co_return co_await s.send_error(c, ex, from_error(revoked.error()));
  }
  if (*revoked) {
    spdlog::info("audit: api key {} revoked by {}", id, caller.credential);
  }
  co_await s.send(c, ex, http::status::no_content);
}

}  // namespace castor::api
