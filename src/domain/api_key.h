#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/object.h"
#include "domain/principal.h"

namespace castor {

// A stored API key: a credential bound to one tenant (or every tenant), a set of scopes and
// optionally a list of namespaces (docs/API_KEYS.md). The
// secret itself is never stored, only its SHA-256 (`secret_hash`, 64 hex digits); the full key is
// shown once, when it is created, as "cst_<id>_<secret>".
struct ApiKey {
  std::string id;  // 12 characters of [a-z0-9]; visible, greppable, not secret
  std::string secret_hash;
  std::optional<TenantId> tenant;  // nullopt: every tenant ("*")
  Scopes scopes;
  std::string description;  // free text about the key (at most 1024 bytes)
  std::string created_by;   // the credential that created it ("key:<id>", "cli")
  Timestamp created_at;
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> revoked_at;
  std::optional<Timestamp> last_used_at;
  // A short label to tell keys apart in listings ("ci-uploader"), at most kMaxNameBytes; may be
  // empty. Not unique. `description` stays for longer notes.
  std::string name = {};
  // The namespaces the key is restricted to, sorted and distinct; empty: every namespace.
  std::vector<Namespace> namespaces = {};

  static constexpr std::size_t kMaxNameBytes = 128;
  static constexpr std::size_t kMaxDescriptionBytes = 1024;
  static constexpr std::size_t kMaxNamespaces = 100;

  // Whether the key may be used at `now`: not revoked and not expired.
  bool usable(Timestamp now) const { return !revoked_at && (!expires_at || now < *expires_at); }

  // The principal this key authenticates as.
  Principal principal() const { return {"key:" + id, tenant, scopes, namespaces, expires_at}; }
};

}  // namespace castor
