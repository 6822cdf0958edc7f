// The admin endpoints: a garbage-collection cycle on demand, and API key management (issue,
// list, revoke). All need the admin scope.
#include <spdlog/spdlog.h>

#include "api/json_views.h"
#include "api/server_core.h"

namespace castor::api {

namespace http = boost::beast::http;

namespace {

constexpr std::size_t kMaxJsonBody = 64 * 1024;  // bytes

// Reads a small request body whole (JSON for the admin endpoints); 413 past kMaxJsonBody.
Awaitable<Parsed<std::string>> read_small_body(Connection& c, Exchange& ex) {
  std::string body;
  while (!ex.parser.is_done()) {
    auto [ec, got] = co_await read_body_chunk(c, ex);
    if (ec) {
      co_return bad_request("malformed request body: " + ec.message());
    }
    if (body.size() + got > kMaxJsonBody) {
      ex.close = true;
      co_return http_error(http::status::payload_too_large, "payload_too_large",
                           "request body over " + std::to_string(kMaxJsonBody) + " bytes");
    }
    body.append(reinterpret_cast<const char*>(c.chunk.data()), got);
  }
  co_return body;
}

}  // namespace

Awaitable<void> handle_gc(ServerCore& s, Connection& c, Exchange& ex) {
  if (auto denied = s.authorize(ex, nullptr, Scope::kAdmin)) {
    co_return co_await s.send_error(c, ex, *denied);
  }
  auto collect = [&] {
    const auto start = std::chrono::steady_clock::now();
    auto report = s.uc().gc.run_once();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    s.uc().metrics.gc_cycle(report ? *report : CollectGarbage::Report{}, took.count(),
                            report.has_value());
    return report;
  };
  auto report = co_await s.offload(collect, Pool::kDisk);
  if (!report) {
    co_return co_await s.send_error(c, ex, from_error(report.error()));
  }
  co_await s.send(c, ex, http::status::ok, gc_report_json(*report));
}

Awaitable<void> handle_create_api_key(ServerCore& s, Connection& c, Exchange& ex) {
  if (auto denied = s.authorize(ex, nullptr, Scope::kAdmin)) {
    co_return co_await s.send_error(c, ex, *denied);
  }
  auto body = co_await read_small_body(c, ex);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto request = parse_api_key_request(std::get<std::string>(body));
  if (!request) {
    co_return co_await s.send_error(c, ex, from_error(request.error()));
  }
  const std::string creator = ex.principal->credential;
  auto create = [&] {
    std::optional<Timestamp> expires_at = request->expires_at;
    if (request->expires_in) {
      expires_at = std::chrono::time_point_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now()) +
                   *request->expires_in;
    }
    return s.uc().keys.create(request->tenant, request->scopes, expires_at, request->description,
                              creator);
  };
  auto created = co_await s.offload(create);
  if (!created) {
    co_return co_await s.send_error(c, ex, from_error(created.error()));
  }
  const ApiKey& k = created->key;
  spdlog::info("audit: api key {} created by {} (tenant={}, scopes=\"{}\", expires={})", k.id,
               creator, k.tenant ? k.tenant->str() : "*", k.scopes.to_string(),
               k.expires_at ? http_params::rfc3339(*k.expires_at) : "never");
  co_await s.send(c, ex, http::status::created, api_key_json(k, created->token), "application/json",
                  one_header("Location", "/v1/admin/api-keys/" + k.id));
}

Awaitable<void> handle_list_api_keys(ServerCore& s, Connection& c, Exchange& ex) {
  if (auto denied = s.authorize(ex, nullptr, Scope::kAdmin)) {
    co_return co_await s.send_error(c, ex, *denied);
  }
  auto list = [&] { return s.uc().keys.list(); };
  auto keys = co_await s.offload(list);
  if (!keys) {
    co_return co_await s.send_error(c, ex, from_error(keys.error()));
  }
  co_await s.send(c, ex, http::status::ok, api_key_list_json(*keys));
}

Awaitable<void> handle_revoke_api_key(ServerCore& s, Connection& c, Exchange& ex, std::string id) {
  if (auto denied = s.authorize(ex, nullptr, Scope::kAdmin)) {
    co_return co_await s.send_error(c, ex, *denied);
  }
  auto revoke = [&] {
    auto revoked = s.uc().keys.revoke(id);
    s.uc().auth.forget(id);
    return revoked;
  };
  auto revoked = co_await s.offload(revoke);
  if (!revoked) {
    co_return co_await s.send_error(c, ex, from_error(revoked.error()));
  }
  spdlog::info("audit: api key {} revoked by {}", id, ex.principal->credential);
  co_await s.send(c, ex, http::status::no_content);
}

}  // namespace castor::api
