#pragma once
// Internal to src/api: castor's HTTP routes, in one table from which the server dispatches, takes
// 405/Allow and the metric labels. Includes Beast (through server_core.h).

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "api/router.h"
#include "api/server_core.h"
#include "domain/principal.h"

namespace castor::api {

// Serves one routed request: parses it, authorises what the route table does not, calls one use
// case, answers. `params` are the path parameters the route's pattern captured (they outlive the
// call).
using Handler = Awaitable<void> (*)(ServerCore& s, Connection& c, Exchange& ex,
                                    const PathParams& params);

// Who may call a route, checked before its handler runs.
enum class Access {
  // No credential and no overload check: probes and /metrics (whose handler asks for a credential
  // with the route's scope itself when METRICS_AUTH is set).
  kOpen,
  // A credential holding `scope` for every tenant; the server checks it (403) before the handler.
  kFixedScope,
  // A credential holding `scope` for the tenant the request acts on, which only the handler
  // knows (from the path, X-Tenant or the credential): the server authenticates, the handler
  // resolves the tenant and calls ServerCore::authorize with the route's scope.
  kTenantScope,
};

// Which listener serves a route.
enum class Served {
  kApi,         // the API listener
  kEverywhere,  // the API listener and the METRICS_ADDR one (probes)
  kMetrics,     // the METRICS_ADDR listener when there is one (the API listener then answers 404),
                // else the API listener
};

// One route: a method on a path pattern (see Router for the syntax). Routes sharing a pattern
// must agree on `label`, `access == kOpen` and `served`.
struct Route {
  std::string_view method;   // request method token: "GET"
  std::string_view pattern;  // "/v1/objects/{id}"
  std::string_view label;    // the metrics' and access log's route label; usually the pattern
  Access access;
  // Required for kFixedScope and kTenantScope. For /metrics (kOpen): what METRICS_AUTH requires.
  std::optional<Scope> scope;
  Handler handler;
  Served served = Served::kApi;
};

// The route table with its router and metric labels. Immutable; thread-safe.
class RouteTable {
 public:
  // castor's routes, built on first use. A malformed table aborts (a programming error that
  // every test run would hit).
  static const RouteTable& get();
  // A table over `routes` (tests). InvalidArgument as Router::create, or when routes sharing a
  // pattern disagree on label, openness or where they are served.
  [[nodiscard]] static Result<RouteTable> create(std::vector<Route> routes);

  std::span<const Route> routes() const { return routes_; }
  const Router& router() const { return router_; }
  // The first route registered for pattern `i`: what the others of that pattern share (label,
  // openness, served).
  const Route& pattern_route(std::size_t i) const { return routes_[router_.first_route(i)]; }

  // The distinct labels in table order, then "unmatched": http_route_labels().
  std::span<const std::string_view> labels() const { return labels_; }
  // The index in labels() of `route`'s label (a route of this table), or of "unmatched" for
  // nullptr.
  std::size_t label_index(const Route* route) const;

 private:
  RouteTable(std::vector<Route> routes, Router router)
      : routes_(std::move(routes)), router_(std::move(router)) {}

  std::vector<Route> routes_;
  Router router_;  // its string views point into the routes' literals, not into routes_
  std::vector<std::string_view> labels_;
  std::vector<std::size_t> label_of_route_;  // by index in routes_
};

// Handlers (object_handlers.cpp, admin_handlers.cpp, probe_handlers.cpp).
Awaitable<void> handle_health(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_ready(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_metrics(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
// GET /openapi.json (openapi_handlers.cpp): the document with its ETag; 304 for If-None-Match.
Awaitable<void> handle_openapi(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
// The web console's files (console_handlers.cpp, docs/CONSOLE.md).
Awaitable<void> handle_console(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_upload(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_list(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
// search_handlers.cpp (docs/SEARCH.md).
Awaitable<void> handle_search(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
// {id} or, by key, {rest}: "{namespace}/{tenant}/{key}" (see parse_key_path).
Awaitable<void> handle_download(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_delete(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
// PATCH /v1/objects/{id}/metadata (metadata_handlers.cpp, docs/METADATA.md).
Awaitable<void> handle_patch_metadata(ServerCore& s, Connection& c, Exchange& ex,
                                      const PathParams& p);
// Tiering (tiering_handlers.cpp; docs/TIERING.md): {id} as on the request line.
Awaitable<void> handle_move_storage_class(ServerCore& s, Connection& c, Exchange& ex,
                                          const PathParams& p);
Awaitable<void> handle_gc(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_fsck(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_create_api_key(ServerCore& s, Connection& c, Exchange& ex,
                                      const PathParams& p);
Awaitable<void> handle_list_api_keys(ServerCore& s, Connection& c, Exchange& ex,
                                     const PathParams& p);
// {id}: the key id, as on the request line (keys_handlers.cpp).
Awaitable<void> handle_get_api_key(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_update_api_key(ServerCore& s, Connection& c, Exchange& ex,
                                      const PathParams& p);
Awaitable<void> handle_revoke_api_key(ServerCore& s, Connection& c, Exchange& ex,
                                      const PathParams& p);
// S3 credentials (docs/S3.md, "Credentials"); {id}: the access key id.
Awaitable<void> handle_create_s3_credential(ServerCore& s, Connection& c, Exchange& ex,
                                            const PathParams& p);
Awaitable<void> handle_list_s3_credentials(ServerCore& s, Connection& c, Exchange& ex,
                                           const PathParams& p);
Awaitable<void> handle_revoke_s3_credential(ServerCore& s, Connection& c, Exchange& ex,
                                            const PathParams& p);
// Blobs (blob_handlers.cpp; docs/BLOBS_AND_BUNDLES.md): {sha256} as on the request line.
Awaitable<void> handle_put_blob(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_get_blob(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_preflight(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
// Bundles (bundle_handlers.cpp): {id} as on the request line, parsed by the handler.
Awaitable<void> handle_create_bundle(ServerCore& s, Connection& c, Exchange& ex,
                                     const PathParams& p);
Awaitable<void> handle_list_bundles(ServerCore& s, Connection& c, Exchange& ex,
                                    const PathParams& p);
Awaitable<void> handle_get_bundle(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_delete_bundle(ServerCore& s, Connection& c, Exchange& ex,
                                     const PathParams& p);
Awaitable<void> handle_download_bundle(ServerCore& s, Connection& c, Exchange& ex,
                                       const PathParams& p);
Awaitable<void> handle_create_upload(ServerCore& s, Connection& c, Exchange& ex,
                                     const PathParams& p);
Awaitable<void> handle_list_uploads(ServerCore& s, Connection& c, Exchange& ex,
                                    const PathParams& p);
Awaitable<void> handle_get_upload(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_put_upload_part(ServerCore& s, Connection& c, Exchange& ex,
                                       const PathParams& p);
Awaitable<void> handle_complete_upload(ServerCore& s, Connection& c, Exchange& ex,
                                       const PathParams& p);
Awaitable<void> handle_abort_upload(ServerCore& s, Connection& c, Exchange& ex,
                                    const PathParams& p);
// Retention (retention_handlers.cpp; docs/RETENTION.md): {tenant}/{namespace} of an admin
// namespace route, {id} of an object route, as on the request line.
Awaitable<void> handle_get_namespace_retention(ServerCore& s, Connection& c, Exchange& ex,
                                               const PathParams& p);
Awaitable<void> handle_put_namespace_retention(ServerCore& s, Connection& c, Exchange& ex,
                                               const PathParams& p);
Awaitable<void> handle_delete_namespace_retention(ServerCore& s, Connection& c, Exchange& ex,
                                                  const PathParams& p);
Awaitable<void> handle_put_object_retention(ServerCore& s, Connection& c, Exchange& ex,
                                            const PathParams& p);
Awaitable<void> handle_put_object_legal_hold(ServerCore& s, Connection& c, Exchange& ex,
                                             const PathParams& p);

// Usage and quotas (usage_handlers.cpp). {namespace}; {tenant}; {tenant}[/{namespace}].
Awaitable<void> handle_namespace_stats(ServerCore& s, Connection& c, Exchange& ex,
                                       const PathParams& p);
Awaitable<void> handle_tenant_usage(ServerCore& s, Connection& c, Exchange& ex,
                                    const PathParams& p);
Awaitable<void> handle_get_quota(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_put_quota(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p);
Awaitable<void> handle_delete_quota(ServerCore& s, Connection& c, Exchange& ex,
                                    const PathParams& p);

}  // namespace castor::api
