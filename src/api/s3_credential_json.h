#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/s3_credential.h"

namespace castor {

// An S3 credential as the admin API shows it, never with its sealed secret:
// {access_key_id, tenant_id, scopes [..], namespaces ([..] or null), description, created_by,
// created_at, expires_at,
//  revoked_at, last_used_at} (times RFC 3339 UTC or null); with `secret_key`, also
// "secret_access_key": shown once, in the answer to its creation.
std::string s3_credential_json(const S3Credential& credential,
                               std::optional<std::string_view> secret_key = std::nullopt);
// {"credentials": [...]}: GET /v1/admin/s3-credentials.
std::string s3_credential_list_json(const std::vector<S3Credential>& credentials);

// The body of POST /v1/admin/s3-credentials: {"tenant_id": "acme" (one tenant, never "*"),
// "scopes": ["objects:read", ...] or "objects:read objects:write", "description"?: "...",
// "expires_in_seconds"?: N (1 s to 100 years), "namespaces"?: [...] or null}. InvalidArgument
// naming the bad field.
struct S3CredentialRequest {
  TenantId tenant;
  Scopes scopes;
  std::string description;
  std::optional<std::chrono::seconds> expires_in;
  std::vector<Namespace> namespaces;  // "namespaces": [...] (buckets); empty/null: every one
};
Result<S3CredentialRequest> parse_s3_credential_request(std::string_view body);

}  // namespace castor
