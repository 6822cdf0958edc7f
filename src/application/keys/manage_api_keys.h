#pragma once

#include <optional>
#include <string>
#include <vector>

#include "application/ports/clock.h"
#include "application/ports/key_material.h"
#include "application/ports/metadata_store.h"
#include "domain/api_key.h"

namespace castor {

// Issues, reads, lists, updates and revokes API keys (/v1/admin/api-keys and `castor keys`) on
// behalf of a caller, who is either an administrator (a "*" credential with the admin scope, or
// the operator's CLI) with full power, or a credential with the keys:manage scope, which works
// only inside its own rights (docs/API_KEYS.md, "Self-service"):
//
//  - it reaches the keys of its own tenant (every tenant's for a "*" credential, never the "*"
//    keys) and, when it is namespace-restricted, only the keys restricted to a subset of its
//    namespaces; any other key is NotFound, exactly like a key that does not exist;
//  - a key it creates or updates has scopes no wider than its own (never admin), namespaces no
//    wider than its own (a restricted caller cannot make an unrestricted key, nor lift its own
//    restriction), a tenant of its own (never "*"), and expires no later than the caller does;
//  - it updates or revokes only keys whose scopes are no wider than its own.
// A request past these limits is PermissionDenied. Blocking; thread-safe.
class ManageApiKeys {
 public:
  struct Created {
    ApiKey key;
    std::string token;  // "cst_<id>_<secret>": shown once, never stored
  };

  // What a new key is: tenant (nullopt: every tenant), scopes (at least one; admin only for every
  // tenant and every namespace), namespaces (empty: every namespace), a name of at most
  // ApiKey::kMaxNameBytes, a description of at most ApiKey::kMaxDescriptionBytes and an optional
  // expiry in the future.
  struct NewKey {
    std::optional<TenantId> tenant;
    Scopes scopes;
    std::vector<Namespace> namespaces = {};
    std::string name = {};
    std::string description = {};
    std::optional<Timestamp> expires_at = std::nullopt;
  };

  // A partial update: each field that is set replaces the key's. `expires_at` set to nullopt
  // means "never expires"; `namespaces` set to an empty list means "every namespace".
  struct Changes {
    std::optional<Scopes> scopes = std::nullopt;
    std::optional<std::vector<Namespace>> namespaces = std::nullopt;
    std::optional<std::string> name = std::nullopt;
    std::optional<std::string> description = std::nullopt;
    std::optional<std::optional<Timestamp>> expires_at = std::nullopt;
  };

  ManageApiKeys(MetadataStore& metadata, KeyMaterial& keys, Clock& clock)
      : metadata_(metadata), keys_(keys), clock_(clock) {}

  // The principal of the operator's own tools (`castor keys`): full power, named `who`.
  static Principal operator_principal(std::string who);

  // A new key as `caller` asks. PermissionDenied past the caller's rights (see the class
  // comment), else InvalidArgument for a malformed request. `created_by` is the caller's
  // credential.
  Result<Created> create(const Principal& caller, NewKey key);
  // The keys `caller` reaches, newest first, without secrets.
  Result<std::vector<ApiKey>> list(const Principal& caller);
  // One key `caller` reaches; NotFound otherwise.
  Result<ApiKey> get(const Principal& caller, const std::string& id);
  // Applies `changes` to a key `caller` reaches and returns the key as stored. NotFound if out of
  // reach, PermissionDenied past the caller's rights, FailedPrecondition if the key is revoked,
  // InvalidArgument for a malformed change. Effective everywhere within the authentication
  // cache's TTL.
  Result<ApiKey> update(const Principal& caller, const std::string& id, Changes changes);
  // Revokes a key `caller` reaches; effective everywhere within the authentication cache's TTL.
  // True if this call revoked it, false if it was already revoked (revoking twice is fine).
  // NotFound if out of reach or absent, PermissionDenied if its scopes are wider than the
  // caller's.
  Result<bool> revoke(const Principal& caller, const std::string& id);

 private:
  MetadataStore& metadata_;
  KeyMaterial& keys_;
  Clock& clock_;
};

}  // namespace castor
