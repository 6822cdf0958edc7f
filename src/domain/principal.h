#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"
#include "domain/names.h"

namespace castor {

// What a credential may do. Each request needs one scope: objects:read (GET, HEAD, list),
// objects:write (upload), objects:delete (delete), keys:manage (the API-key routes for the
// credential's own tenant, docs/API_KEYS.md) or admin (/v1/admin/*, which also implies every
// other scope).
enum class Scope : std::uint8_t {
  kObjectsRead = 1,
  kObjectsWrite = 2,
  kObjectsDelete = 4,
  kAdmin = 8,
  kKeysManage = 16,
};

// A set of scopes.
class Scopes {
 public:
  Scopes() = default;
  Scopes(std::initializer_list<Scope> scopes) {
    for (Scope s : scopes) {
      bits_ |= static_cast<std::uint8_t>(s);
    }
  }

  // Parses scope names separated by spaces or commas ("objects:read objects:write"). An empty
  // list is allowed. InvalidArgument naming an unknown scope.
  static Result<Scopes> parse(std::string_view text);

  // Whether `scope` is granted; admin grants every scope.
  bool allows(Scope scope) const {
    return (bits_ & static_cast<std::uint8_t>(scope)) != 0 ||
           (bits_ & static_cast<std::uint8_t>(Scope::kAdmin)) != 0;
  }
  // Whether `scope` itself is in the set (admin implies nothing here).
  bool has(Scope scope) const { return (bits_ & static_cast<std::uint8_t>(scope)) != 0; }
  // Whether every scope of `other` is in this set, name by name (admin implies nothing here):
  // what "no wider than" means when one credential grants another.
  bool contains(Scopes other) const { return (other.bits_ & ~bits_) == 0; }
  // The scopes of `other` not in this set.
  Scopes missing(Scopes other) const {
    Scopes out;
    out.bits_ = static_cast<std::uint8_t>(other.bits_ & ~bits_);
    return out;
  }
  bool empty() const { return bits_ == 0; }
  // Space-separated canonical names, in a fixed order ("objects:read objects:write").
  std::string to_string() const;

  friend bool operator==(const Scopes&, const Scopes&) = default;

 private:
  std::uint8_t bits_ = 0;
};

// The scope name as written in keys and tokens ("objects:read").
std::string_view to_string(Scope scope);

// Who is calling, as established from a verified credential.
struct Principal {
  // "key:<key id>" for an API key, "jwt:<sub>" for a token: names the credential in logs, audit
  // lines and rate limiting. Never holds a secret.
  std::string credential;
  // The tenant the credential is bound to; nullopt for "*" (every tenant).
  std::optional<TenantId> tenant;
  Scopes scopes;
  // The namespaces the credential is restricted to (PutPlace's namespace-based access), sorted
  // and distinct; empty: every namespace of its tenant(s).
  std::vector<Namespace> namespaces = {};
  // When the credential stops working (an API key's expiry), in microseconds since the Unix
  // epoch; nullopt: never, or unknown. Keys it creates may not outlive it (docs/API_KEYS.md).
  std::optional<std::chrono::sys_time<std::chrono::microseconds>> expires_at = std::nullopt;

  // Whether the credential is restricted to some namespaces.
  bool namespace_restricted() const { return !namespaces.empty(); }
  // Whether the credential may see namespace `ns` at all (true when unrestricted).
  bool sees(const Namespace& ns) const;

  // Whether this principal may act on namespace `ns` of tenant `t` with `scope`:
  // PermissionDenied otherwise (wrong tenant, a namespace outside its list, a missing scope).
  Status authorize(const TenantId& t, const Namespace& ns, Scope scope) const;
  // Whether this principal may act on tenant `t` as a whole, or on something that has no
  // namespace (blobs, bundles), with `scope`. A namespace-restricted credential is refused
  // (PermissionDenied): the safe answer for a route that does not check namespaces.
  Status authorize(const TenantId& t, Scope scope) const;
  // The tenant and scope checks of authorize(t, ns, scope) for a request that learns its
  // namespace only by looking the thing up (an object or upload session by id): the caller MUST
  // then check sees(namespace) on what it found and answer NotFound when false, so that a
  // restricted credential learns nothing about other namespaces.
  Status authorize_before_lookup(const TenantId& t, Scope scope) const;
  // Whether this principal may use `scope` at all (admin endpoints, tenant-less calls). The admin
  // scope is honoured only on a credential for every tenant ("*") and every namespace.
  Status authorize(Scope scope) const;
};

}  // namespace castor
