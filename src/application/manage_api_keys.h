#pragma once

#include <optional>
#include <string>
#include <vector>

#include "application/ports/clock.h"
#include "application/ports/key_material.h"
#include "application/ports/metadata_store.h"
#include "domain/api_key.h"

namespace castor {

// Issues, lists and revokes API keys (POST/GET/DELETE /v1/admin/api-keys and `castor keys`).
// Blocking; thread-safe.
class ManageApiKeys {
 public:
  struct Created {
    ApiKey key;
    std::string token;  // "cst_<id>_<secret>": shown once, never stored
  };

  ManageApiKeys(MetadataStore& metadata, KeyMaterial& keys, Clock& clock)
      : metadata_(metadata), keys_(keys), clock_(clock) {}

  // A new key for `tenant` (nullopt: every tenant) with `scopes` (at least one; admin only for
  // every tenant), optionally expiring at `expires_at` (which must be in the future).
  // InvalidArgument otherwise.
  Result<Created> create(std::optional<TenantId> tenant, Scopes scopes,
                         std::optional<Timestamp> expires_at, std::string description,
                         std::string created_by);
  // Every key, newest first, without secrets.
  Result<std::vector<ApiKey>> list();
  // Revokes the key; effective everywhere within the authentication cache's TTL. True if this
  // call revoked it, false if it was already revoked (revoking twice is fine). NotFound if there
  // is no such key.
  Result<bool> revoke(const std::string& id);

 private:
  MetadataStore& metadata_;
  KeyMaterial& keys_;
  Clock& clock_;
};

}  // namespace castor
