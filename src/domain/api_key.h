#pragma once

#include <optional>
#include <string>

#include "domain/object.h"
#include "domain/principal.h"

namespace castor {

// A stored API key: a credential bound to one tenant (or every tenant) and a set of scopes. The
// secret itself is never stored, only its SHA-256 (`secret_hash`, 64 hex digits); the full key is
// shown once, when it is created, as "cst_<id>_<secret>".
struct ApiKey {
  std::string id;  // 12 characters of [a-z0-9]; visible, greppable, not secret
  std::string secret_hash;
  std::optional<TenantId> tenant;  // nullopt: every tenant ("*")
  Scopes scopes;
  std::string description;
  std::string created_by;  // the credential that created it ("key:<id>", "cli")
  Timestamp created_at;
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> revoked_at;
  std::optional<Timestamp> last_used_at;

  // Whether the key may be used at `now`: not revoked and not expired.
  bool usable(Timestamp now) const { return !revoked_at && (!expires_at || now < *expires_at); }

  // The principal this key authenticates as.
  Principal principal() const { return {"key:" + id, tenant, scopes}; }
};

}  // namespace castor
