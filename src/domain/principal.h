#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.h"
#include "domain/names.h"

namespace castor {

// What a credential may do. Each request needs one scope: objects:read (GET, HEAD, list),
// objects:write (upload), objects:delete (delete) or admin (/v1/admin/*, which also implies
// every other scope).
enum class Scope : std::uint8_t {
  kObjectsRead = 1,
  kObjectsWrite = 2,
  kObjectsDelete = 4,
  kAdmin = 8,
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

  // Whether this principal may act on `t` with `scope`: PermissionDenied otherwise.
  Status authorize(const TenantId& t, Scope scope) const;
  // Whether this principal may use `scope` at all (admin endpoints, tenant-less calls). The admin
  // scope is honoured only on a credential for every tenant ("*").
  Status authorize(Scope scope) const;
};

}  // namespace castor
