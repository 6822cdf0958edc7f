#include "application/manage_api_keys.h"

namespace castor {

Result<ManageApiKeys::Created> ManageApiKeys::create(std::optional<TenantId> tenant, Scopes scopes,
                                                     std::optional<Timestamp> expires_at,
                                                     std::string description,
                                                     std::string created_by) {
  const Timestamp now = clock_.now();
  if (scopes.empty()) {
    return invalid_argument("a key needs at least one scope");
  }
  if (tenant && scopes.allows(Scope::kAdmin)) {
    return invalid_argument("the admin scope needs tenant \"*\"");
  }
  if (expires_at && *expires_at <= now) {
    return invalid_argument("expiry must be in the future");
  }
  if (description.size() > 1024) {
    return invalid_argument("description must be at most 1024 bytes");
  }
  NewKeyMaterial material = keys_.generate();
  Created created{ApiKey{.id = material.id,
                         .secret_hash = keys_.hash_secret(material.secret),
                         .tenant = std::move(tenant),
                         .scopes = scopes,
                         .description = std::move(description),
                         .created_by = std::move(created_by),
                         .created_at = now,
                         .expires_at = expires_at,
                         .revoked_at = std::nullopt,
                         .last_used_at = std::nullopt},
                  std::move(material.token)};
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) { return tx.api_keys().insert(created.key); });
  if (!s) {
    return std::move(s).error();
  }
  return created;
}

Result<std::vector<ApiKey>> ManageApiKeys::list() {
  return read_only(metadata_, [](MetadataTransaction& tx) { return tx.api_keys().list(); });
}

Result<bool> ManageApiKeys::revoke(const std::string& id) {
  bool revoked_now = false;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto r = tx.api_keys().revoke(id, clock_.now());
    if (!r) {
      return std::move(r).error();
    }
    revoked_now = *r;
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return revoked_now;
}

}  // namespace castor
