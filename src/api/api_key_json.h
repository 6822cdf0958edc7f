#pragma once
// The JSON of the API-key routes (docs/API_KEYS.md): keys out, create and update requests in.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/api_key.h"

namespace castor {

// An API key without its secret: {id, name, tenant ("*" for every tenant), scopes [..],
// namespaces ([..], or null for every namespace), description, created_by, created_at,
// expires_at, revoked_at, last_used_at}; with `token`, also "key": the full key, shown once at
// creation.
std::string api_key_json(const ApiKey& key, std::optional<std::string> token = std::nullopt);
// {"api_keys": [...]}
std::string api_key_list_json(const std::vector<ApiKey>& keys);

// The body of POST /v1/admin/api-keys: {"tenant": "acme" | "*" (optional: the caller's own
// tenant), "scopes": ["objects:read", ...] or "objects:read objects:write", "namespaces": [...]
// or null (every namespace; the default), "name": "...", "description": "...", and optionally
// "expires_at" (RFC 3339) or "expires_in_seconds"}. InvalidArgument naming the bad field.
struct ApiKeyRequest {
  bool tenant_given = false;       // "tenant" was in the body
  std::optional<TenantId> tenant;  // when given: nullopt for "*"
  Scopes scopes;
  std::vector<Namespace> namespaces;  // empty: every namespace
  std::string name;
  std::string description;
  std::optional<Timestamp> expires_at;
  std::optional<std::chrono::seconds> expires_in;
};
Result<ApiKeyRequest> parse_api_key_request(std::string_view body);

// The body of PATCH /v1/admin/api-keys/{id}: any of "scopes", "namespaces" (a list, or null for
// every namespace), "name", "description", "expires_at" (RFC 3339, or null for never) and
// "expires_in_seconds"; a field left out stays as it is. Unknown fields are InvalidArgument (a
// misspelt field must not pass for "no change").
struct ApiKeyPatch {
  std::optional<Scopes> scopes;
  std::optional<std::vector<Namespace>> namespaces;  // set and empty: every namespace
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::optional<Timestamp>> expires_at;  // set to nullopt: never expires
  std::optional<std::chrono::seconds> expires_in;
};
Result<ApiKeyPatch> parse_api_key_patch(std::string_view body);

}  // namespace castor
