#pragma once

#include <string>

#include "application/collect_garbage.h"
#include "application/list_objects.h"
#include "domain/api_key.h"
#include "domain/object.h"

namespace castor {

// The JSON shape of an object, as JustStorage returns it:
// {id, namespace, tenant_id, key, status, storage_class, content_hash ("sha256:<hex>" or null),
//  size_bytes, content_type, created_at, updated_at (RFC 3339 UTC), content_disposition (or null),
//  metadata (the user metadata object, {} when none; docs/METADATA.md), retention ({mode,
//  retain_until} or null) and legal_hold (docs/RETENTION.md)}.
std::string object_json(const Object& object);

// {"objects": [...], "next_cursor": "..." | null}
std::string list_page_json(const ListObjects::Page& page);

// The counts of one garbage-collection cycle.
std::string gc_report_json(const CollectGarbage::Report& report);

// An API key without its secret: {id, tenant ("*" for every tenant), scopes [..], description,
// created_by, created_at, expires_at, revoked_at, last_used_at}; with `token`, also "key": the
// full key, shown once at creation.
std::string api_key_json(const ApiKey& key, std::optional<std::string> token = std::nullopt);
// {"api_keys": [...]}
std::string api_key_list_json(const std::vector<ApiKey>& keys);

// The body of POST /v1/admin/api-keys: {"tenant": "acme" | "*", "scopes": ["objects:read", ...]
// or "objects:read objects:write", "description": "...", and optionally "expires_at" (RFC 3339)
// or "expires_in_seconds"}. InvalidArgument naming the bad field.
struct ApiKeyRequest {
  std::optional<TenantId> tenant;  // nullopt: "*"
  Scopes scopes;
  std::string description;
  std::optional<Timestamp> expires_at;
  std::optional<std::chrono::seconds> expires_in;
};
Result<ApiKeyRequest> parse_api_key_request(std::string_view body);

}  // namespace castor
