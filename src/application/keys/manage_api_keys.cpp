#include "application/keys/manage_api_keys.h"

#include <algorithm>
#include <ctime>

namespace castor {
namespace {

Error permission_denied(std::string message) {
  return {ErrorCode::kPermissionDenied, std::move(message)};
}

Error no_such_key() { return not_found("no such API key"); }

// "2027-01-31T00:00:00Z".
std::string utc(Timestamp t) {
  const std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

bool is_admin(const Principal& caller) { return caller.authorize(Scope::kAdmin).has_value(); }

// Whether `caller` may use the key routes at all: an administrator, or keys:manage itself (admin
// on a tenant-bound credential does not count: it is no administrator).
Status may_manage(const Principal& caller) {
  if (is_admin(caller) || caller.scopes.has(Scope::kKeysManage)) {
    return {};
  }
  return permission_denied("managing API keys needs the keys:manage scope (or admin)");
}

bool subset(const std::vector<Namespace>& inner, const std::vector<Namespace>& outer) {
  return std::includes(outer.begin(), outer.end(), inner.begin(), inner.end());
}

// Whether `key` is one `caller` may see at all (see the class comment).
bool reaches(const Principal& caller, const ApiKey& key) {
  if (is_admin(caller)) {
    return true;
  }
  if (!key.tenant || (caller.tenant && *caller.tenant != *key.tenant)) {
    return false;
  }
  return !caller.namespace_restricted() ||
         (!key.namespaces.empty() && subset(key.namespaces, caller.namespaces));
}

// Whether a non-administrator `caller` may hand out `scopes` on `namespaces` of `tenant`.
Status may_grant(const Principal& caller, const std::optional<TenantId>& tenant, Scopes scopes,
                 const std::vector<Namespace>& namespaces) {
  if (!tenant) {
    return permission_denied("only an administrator may create keys for every tenant (\"*\")");
  }
  if (caller.tenant && *caller.tenant != *tenant) {
    return permission_denied("credential is not valid for tenant " + tenant->str());
  }
  if (scopes.has(Scope::kAdmin)) {
    return permission_denied("only an administrator may grant the admin scope");
  }
  if (!caller.scopes.contains(scopes)) {
    return permission_denied("a credential cannot grant scopes it lacks: " +
                             caller.scopes.missing(scopes).to_string());
  }
  if (caller.namespace_restricted()) {
    if (namespaces.empty()) {
      return permission_denied(
          "a namespace-restricted credential cannot grant every namespace; name some of yours");
    }
    for (const Namespace& ns : namespaces) {
      if (!caller.sees(ns)) {
        return permission_denied("credential is not valid for namespace " + ns.str());
      }
    }
  }
  return {};
}

// Whether a non-administrator `caller` may give a key the expiry `expires_at`: never later than
// its own.
Status may_expire(const Principal& caller, const std::optional<Timestamp>& expires_at) {
  if (caller.expires_at && (!expires_at || *expires_at > *caller.expires_at)) {
    return permission_denied("a key cannot outlive the credential that grants it (which expires " +
                             utc(*caller.expires_at) + ")");
  }
  return {};
}

// Sorts and dedups; InvalidArgument past ApiKey::kMaxNamespaces.
Status normalise(std::vector<Namespace>& namespaces) {
  std::sort(namespaces.begin(), namespaces.end());
  namespaces.erase(std::unique(namespaces.begin(), namespaces.end()), namespaces.end());
  if (namespaces.size() > ApiKey::kMaxNamespaces) {
    return invalid_argument("a key names at most " + std::to_string(ApiKey::kMaxNamespaces) +
                            " namespaces");
  }
  return {};
}

Status check_name(const std::string& name) {
  if (name.size() > ApiKey::kMaxNameBytes) {
    return invalid_argument("name must be at most " + std::to_string(ApiKey::kMaxNameBytes) +
                            " bytes");
  }
  if (std::any_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return invalid_argument("name must not contain control characters");
  }
  return {};
}

Status check_description(const std::string& description) {
  if (description.size() > ApiKey::kMaxDescriptionBytes) {
    return invalid_argument("description must be at most 1024 bytes");
  }
  return {};
}

// The shape rules every key obeys, whoever creates it.
Status check_key(const ApiKey& k, Timestamp now, bool expiry_changed) {
  if (k.scopes.empty()) {
    return invalid_argument("a key needs at least one scope");
  }
  if (k.tenant && k.scopes.has(Scope::kAdmin)) {
    return invalid_argument("the admin scope needs tenant \"*\"");
  }
  if (!k.namespaces.empty() && k.scopes.has(Scope::kAdmin)) {
    return invalid_argument("the admin scope needs every namespace");
  }
  if (expiry_changed && k.expires_at && *k.expires_at <= now) {
    return invalid_argument("expiry must be in the future");
  }
  if (auto s = check_name(k.name); !s) {
    return s;
  }
  return check_description(k.description);
}

}  // namespace

Principal ManageApiKeys::operator_principal(std::string who) {
  return Principal{std::move(who), std::nullopt, Scopes{Scope::kAdmin}};
}

Result<ManageApiKeys::Created> ManageApiKeys::create(const Principal& caller, NewKey request) {
  const Timestamp now = clock_.now();
  if (auto s = may_manage(caller); !s) {
    return std::move(s).error();
  }
  if (auto s = normalise(request.namespaces); !s) {
    return std::move(s).error();
  }
  if (!is_admin(caller)) {
    if (!request.expires_at && caller.expires_at) {
      request.expires_at = caller.expires_at;  // a key never outlives its creator
    }
    if (auto s = may_grant(caller, request.tenant, request.scopes, request.namespaces); !s) {
      return std::move(s).error();
    }
    if (auto s = may_expire(caller, request.expires_at); !s) {
      return std::move(s).error();
    }
  }
  NewKeyMaterial material = keys_.generate();
  Created created{ApiKey{.id = material.id,
                         .secret_hash = keys_.hash_secret(material.secret),
                         .tenant = std::move(request.tenant),
                         .scopes = request.scopes,
                         .description = std::move(request.description),
                         .created_by = caller.credential,
                         .created_at = now,
                         .expires_at = request.expires_at,
                         .revoked_at = std::nullopt,
                         .last_used_at = std::nullopt,
                         .name = std::move(request.name),
                         .namespaces = std::move(request.namespaces)},
                  std::move(material.token)};
  if (auto s = check_key(created.key, now, true); !s) {
    return std::move(s).error();
  }
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) { return tx.api_keys().insert(created.key); });
  if (!s) {
    return std::move(s).error();
  }
  return created;
}

Result<std::vector<ApiKey>> ManageApiKeys::list(const Principal& caller) {
  if (auto s = may_manage(caller); !s) {
    return std::move(s).error();
  }
  auto keys = read_only(metadata_, [&](MetadataTransaction& tx) {
    return !is_admin(caller) && caller.tenant ? tx.api_keys().list_tenant(*caller.tenant)
                                              : tx.api_keys().list();
  });
  if (keys) {
    std::erase_if(*keys, [&](const ApiKey& k) { return !reaches(caller, k); });
  }
  return keys;
}

Result<ApiKey> ManageApiKeys::get(const Principal& caller, const std::string& id) {
  if (auto s = may_manage(caller); !s) {
    return std::move(s).error();
  }
  auto key = read_only(metadata_, [&](MetadataTransaction& tx) { return tx.api_keys().find(id); });
  if (key && !reaches(caller, *key)) {
    return no_such_key();
  }
  return key;
}

Result<ApiKey> ManageApiKeys::update(const Principal& caller, const std::string& id,
                                     Changes changes) {
  if (auto s = may_manage(caller); !s) {
    return std::move(s).error();
  }
  if (changes.namespaces) {
    if (auto s = normalise(*changes.namespaces); !s) {
      return std::move(s).error();
    }
  }
  const Timestamp now = clock_.now();
  const bool admin = is_admin(caller);
  ApiKey updated;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto key = tx.api_keys().find_for_update(id);
    if (!key) {
      return std::move(key).error();
    }
    if (!reaches(caller, *key)) {
      return no_such_key();
    }
    if (key->revoked_at) {
      return Error{ErrorCode::kFailedPrecondition, "API key " + id + " is revoked"};
    }
    if (!admin && !caller.scopes.contains(key->scopes)) {
      return permission_denied("this key has scopes beyond your credential's: " +
                               caller.scopes.missing(key->scopes).to_string());
    }
    updated = std::move(*key);
    if (changes.scopes) {
      updated.scopes = *changes.scopes;
    }
    if (changes.namespaces) {
      updated.namespaces = *changes.namespaces;
    }
    if (changes.name) {
      updated.name = *changes.name;
    }
    if (changes.description) {
      updated.description = *changes.description;
    }
    if (changes.expires_at) {
      updated.expires_at = *changes.expires_at;
    }
    if (!admin) {
      if (auto g = may_grant(caller, updated.tenant, updated.scopes, updated.namespaces); !g) {
        return g;
      }
      if (changes.expires_at) {
        if (auto e = may_expire(caller, updated.expires_at); !e) {
          return e;
        }
      }
    }
    if (auto c = check_key(updated, now, changes.expires_at.has_value()); !c) {
      return c;
    }
    return tx.api_keys().update(updated);
  });
  if (!s) {
    return std::move(s).error();
  }
  return updated;
}

Result<bool> ManageApiKeys::revoke(const Principal& caller, const std::string& id) {
  if (auto s = may_manage(caller); !s) {
    return std::move(s).error();
  }
  const bool admin = is_admin(caller);
  bool revoked_now = false;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    if (!admin) {
      auto key = tx.api_keys().find_for_update(id);
      if (!key) {
        return std::move(key).error();
      }
      if (!reaches(caller, *key)) {
        return no_such_key();
      }
      if (!caller.scopes.contains(key->scopes)) {
        return permission_denied("this key has scopes beyond your credential's: " +
                                 caller.scopes.missing(key->scopes).to_string());
      }
    }
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
