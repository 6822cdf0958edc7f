#include "api/routes.h"

#include <cstdlib>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

namespace castor::api {
namespace {

constexpr std::string_view kUnmatched = "unmatched";

// castor's routes (each one documented in src/api/openapi/: tests/api/openapi_test.cpp compares
// the two). Order matters twice: a pattern's methods are listed in Allow in this order, and the
// metric labels follow it. Every route but the probes, /openapi.json and /metrics needs a
// credential; object routes authorise per tenant in their handlers (kTenantScope), admin routes
// need the admin scope for all tenants (kFixedScope, checked before the handler), except the
// API-key routes, which need keys:manage and leave the rest to their use case.
std::vector<Route> castor_routes() {
  constexpr auto kOpen = Access::kOpen;
  constexpr auto kFixed = Access::kFixedScope;
  constexpr auto kTenant = Access::kTenantScope;
  constexpr std::optional<Scope> kNone;
  constexpr auto kRead = Scope::kObjectsRead;
  constexpr auto kWrite = Scope::kObjectsWrite;
  constexpr auto kAdmin = Scope::kAdmin;
  constexpr auto kKeys = Scope::kKeysManage;
  constexpr std::string_view kByKey = "/v1/objects/by-key/{rest...}";
  // The by-key label names the parts of {rest}, as it always has.
  constexpr std::string_view kByKeyLabel = "/v1/objects/by-key/{namespace}/{tenant}/{key}";
  constexpr std::string_view kNsRetention = "/v1/admin/namespaces/{tenant}/{namespace}/retention";
  return {
      {"GET", "/health", "/health", kOpen, kNone, handle_health, Served::kEverywhere},
      {"HEAD", "/health", "/health", kOpen, kNone, handle_health, Served::kEverywhere},
      {"GET", "/ready", "/ready", kOpen, kNone, handle_ready, Served::kEverywhere},
      {"HEAD", "/ready", "/ready", kOpen, kNone, handle_ready, Served::kEverywhere},
      {"GET", "/health/ready", "/ready", kOpen, kNone, handle_ready, Served::kEverywhere},
      {"HEAD", "/health/ready", "/ready", kOpen, kNone, handle_ready, Served::kEverywhere},
      // GET / answers like /health (PutPlace's clients probe it); an S3-signed GET / is S3's
      // ListBuckets instead (s3::is_s3_request).
      {"GET", "/", "/", kOpen, kNone, handle_health, Served::kEverywhere},
      {"HEAD", "/", "/", kOpen, kNone, handle_health, Served::kEverywhere},
      // The OpenAPI document of these routes (src/api/openapi/, docs/OPENAPI.md).
      // Served on the API listener only: it documents that listener's routes.
      {"GET", "/openapi.json", "/openapi.json", kOpen, kNone, handle_openapi},
      {"HEAD", "/openapi.json", "/openapi.json", kOpen, kNone, handle_openapi},
      // The web console (docs/CONSOLE.md): static files, no credential (the app asks for one).
      {"GET", "/console", "/console", kOpen, kNone, handle_console},
      {"HEAD", "/console", "/console", kOpen, kNone, handle_console},
      {"GET", "/console/{rest...}", "/console/", kOpen, kNone, handle_console},
      {"HEAD", "/console/{rest...}", "/console/", kOpen, kNone, handle_console},
      {"GET", "/metrics", "/metrics", kOpen, kAdmin, handle_metrics, Served::kMetrics},
      {"HEAD", "/metrics", "/metrics", kOpen, kAdmin, handle_metrics, Served::kMetrics},
      {"GET", "/v1/objects", "/v1/objects", kTenant, kRead, handle_list},
      {"POST", "/v1/objects", "/v1/objects", kTenant, Scope::kObjectsWrite, handle_upload},
      {"POST", "/v1/objects/search", "/v1/objects/search", kTenant, kRead, handle_search},
      {"GET", "/v1/objects/{id}", "/v1/objects/{id}", kTenant, kRead, handle_download},
      {"HEAD", "/v1/objects/{id}", "/v1/objects/{id}", kTenant, kRead, handle_download},
      {"DELETE", "/v1/objects/{id}", "/v1/objects/{id}", kTenant, Scope::kObjectsDelete,
       handle_delete},
      {"PATCH", "/v1/objects/{id}/metadata", "/v1/objects/{id}/metadata", kTenant, kWrite,
       handle_patch_metadata},
      // Tiering (docs/TIERING.md).
      {"POST", "/v1/objects/{id}/storage-class", "/v1/objects/{id}/storage-class", kTenant, kWrite,
       handle_move_storage_class},
      {"GET", kByKey, kByKeyLabel, kTenant, kRead, handle_download},
      {"HEAD", kByKey, kByKeyLabel, kTenant, kRead, handle_download},
      {"DELETE", kByKey, kByKeyLabel, kTenant, Scope::kObjectsDelete, handle_delete},
      {"POST", "/v1/admin/gc", "/v1/admin/gc", kFixed, kAdmin, handle_gc},
      // API keys (docs/API_KEYS.md): keys:manage (implied by admin) lets a credential in;
      // ManageApiKeys limits it to its own tenant and rights.
      {"GET", "/v1/admin/api-keys", "/v1/admin/api-keys", kFixed, kKeys, handle_list_api_keys},
      {"POST", "/v1/admin/api-keys", "/v1/admin/api-keys", kFixed, kKeys, handle_create_api_key},
      {"GET", "/v1/admin/api-keys/{id}", "/v1/admin/api-keys/{id}", kFixed, kKeys,
       handle_get_api_key},
      {"PATCH", "/v1/admin/api-keys/{id}", "/v1/admin/api-keys/{id}", kFixed, kKeys,
       handle_update_api_key},
      {"DELETE", "/v1/admin/api-keys/{id}", "/v1/admin/api-keys/{id}", kFixed, kKeys,
       handle_revoke_api_key},
      {"GET", "/v1/admin/s3-credentials", "/v1/admin/s3-credentials", kFixed, kAdmin,
       handle_list_s3_credentials},
      {"POST", "/v1/admin/s3-credentials", "/v1/admin/s3-credentials", kFixed, kAdmin,
       handle_create_s3_credential},
      {"DELETE", "/v1/admin/s3-credentials/{id}", "/v1/admin/s3-credentials/{id}", kFixed, kAdmin,
       handle_revoke_s3_credential},
      {"POST", "/v1/admin/fsck", "/v1/admin/fsck", kFixed, kAdmin, handle_fsck},
      // Blobs and bundles (docs/BLOBS_AND_BUNDLES.md).
      {"PUT", "/v1/blobs/{sha256}", "/v1/blobs/{sha256}", kTenant, kWrite, handle_put_blob},
      {"GET", "/v1/blobs/{sha256}", "/v1/blobs/{sha256}", kTenant, kRead, handle_get_blob},
      {"HEAD", "/v1/blobs/{sha256}", "/v1/blobs/{sha256}", kTenant, kRead, handle_get_blob},
      {"POST", "/v1/blobs/preflight", "/v1/blobs/preflight", kTenant, kRead, handle_preflight},
      {"GET", "/v1/bundles", "/v1/bundles", kTenant, kRead, handle_list_bundles},
      {"POST", "/v1/bundles", "/v1/bundles", kTenant, kWrite, handle_create_bundle},
      {"GET", "/v1/bundles/{id}", "/v1/bundles/{id}", kTenant, kRead, handle_get_bundle},
      {"DELETE", "/v1/bundles/{id}", "/v1/bundles/{id}", kTenant, Scope::kObjectsDelete,
       handle_delete_bundle},
      {"GET", "/v1/bundles/{id}/download", "/v1/bundles/{id}/download", kTenant, kRead,
       handle_download_bundle},
      // Upload sessions (docs/BLOBS_AND_BUNDLES.md, "Upload sessions").
      {"POST", "/v1/uploads", "/v1/uploads", kTenant, kWrite, handle_create_upload},
      {"GET", "/v1/uploads", "/v1/uploads", kTenant, kRead, handle_list_uploads},
      {"GET", "/v1/uploads/{id}", "/v1/uploads/{id}", kTenant, kRead, handle_get_upload},
      {"DELETE", "/v1/uploads/{id}", "/v1/uploads/{id}", kTenant, kWrite, handle_abort_upload},
      {"PUT", "/v1/uploads/{id}/parts/{n}", "/v1/uploads/{id}/parts/{n}", kTenant, kWrite,
       handle_put_upload_part},
      {"POST", "/v1/uploads/{id}/complete", "/v1/uploads/{id}/complete", kTenant, kWrite,
       handle_complete_upload},
      // Retention (WORM; docs/RETENTION.md).
      {"GET", kNsRetention, kNsRetention, kFixed, kAdmin, handle_get_namespace_retention},
      {"PUT", kNsRetention, kNsRetention, kFixed, kAdmin, handle_put_namespace_retention},
      {"DELETE", kNsRetention, kNsRetention, kFixed, kAdmin, handle_delete_namespace_retention},
      {"PUT", "/v1/objects/{id}/retention", "/v1/objects/{id}/retention", kTenant, kWrite,
       handle_put_object_retention},
      {"PUT", "/v1/objects/{id}/legal-hold", "/v1/objects/{id}/legal-hold", kTenant, kWrite,
       handle_put_object_legal_hold},
      // Usage statistics and quotas (docs/USAGE_AND_QUOTAS.md).
      {"GET", "/v1/namespaces/{namespace}/stats", "/v1/namespaces/{namespace}/stats", kTenant,
       kRead, handle_namespace_stats},
      {"GET", "/v1/tenants/{tenant}/usage", "/v1/tenants/{tenant}/usage", kTenant, kRead,
       handle_tenant_usage},
      {"GET", "/v1/admin/quotas/{tenant}", "/v1/admin/quotas/{tenant}", kFixed, kAdmin,
       handle_get_quota},
      {"PUT", "/v1/admin/quotas/{tenant}", "/v1/admin/quotas/{tenant}", kFixed, kAdmin,
       handle_put_quota},
      {"DELETE", "/v1/admin/quotas/{tenant}", "/v1/admin/quotas/{tenant}", kFixed, kAdmin,
       handle_delete_quota},
      {"GET", "/v1/admin/quotas/{tenant}/{namespace}", "/v1/admin/quotas/{tenant}/{namespace}",
       kFixed, kAdmin, handle_get_quota},
      {"PUT", "/v1/admin/quotas/{tenant}/{namespace}", "/v1/admin/quotas/{tenant}/{namespace}",
       kFixed, kAdmin, handle_put_quota},
      {"DELETE", "/v1/admin/quotas/{tenant}/{namespace}", "/v1/admin/quotas/{tenant}/{namespace}",
       kFixed, kAdmin, handle_delete_quota},
  };
}

}  // namespace

const RouteTable& RouteTable::get() {
  static const RouteTable table = [] {
    auto t = create(castor_routes());
    if (!t) {
      spdlog::critical("the route table is malformed: {}", t.error().message);
      std::abort();
    }
    return std::move(*t);
  }();
  return table;
}

Result<RouteTable> RouteTable::create(std::vector<Route> routes) {
  std::vector<RouteKey> keys;
  keys.reserve(routes.size());
  for (const Route& r : routes) {
    if (r.access != Access::kOpen && !r.scope) {
      return invalid_argument(std::string(r.method) + " " + std::string(r.pattern) +
                              " needs a scope");
    }
    keys.push_back({r.method, r.pattern});
  }
  auto router = Router::create(keys);
  if (!router) {
    return std::move(router).error();
  }
  for (std::size_t p = 0; p < router->pattern_count(); ++p) {
    const Route& first = routes[router->first_route(p)];
    for (const Route& r : routes) {
      if (r.pattern == first.pattern &&
          (r.label != first.label ||
           (r.access == Access::kOpen) != (first.access == Access::kOpen) ||
           r.served != first.served)) {
        return invalid_argument("the routes of " + std::string(r.pattern) +
                                " disagree on label, openness or listener");
      }
    }
  }
  RouteTable table(std::move(routes), std::move(*router));
  for (const Route& r : table.routes_) {
    std::size_t label = 0;
    while (label < table.labels_.size() && table.labels_[label] != r.label) {
      ++label;
    }
    if (label == table.labels_.size()) {
      table.labels_.push_back(r.label);
    }
    table.label_of_route_.push_back(label);
  }
  table.labels_.push_back(kUnmatched);
  return table;
}

std::size_t RouteTable::label_index(const Route* route) const {
  if (route == nullptr || route < routes_.data() || route >= routes_.data() + routes_.size()) {
    return labels_.size() - 1;
  }
  return label_of_route_[static_cast<std::size_t>(route - routes_.data())];
}

}  // namespace castor::api
