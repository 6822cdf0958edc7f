#include "domain/principal.h"

#include <algorithm>
#include <array>

namespace castor {
namespace {

constexpr std::array<Scope, 5> kAll = {Scope::kObjectsRead, Scope::kObjectsWrite,
                                       Scope::kObjectsDelete, Scope::kKeysManage, Scope::kAdmin};

Error permission_denied(std::string message) {
  return {ErrorCode::kPermissionDenied, std::move(message)};
}

}  // namespace

std::string_view to_string(Scope scope) {
  switch (scope) {
    case Scope::kObjectsRead:
      return "objects:read";
    case Scope::kObjectsWrite:
      return "objects:write";
    case Scope::kObjectsDelete:
      return "objects:delete";
    case Scope::kAdmin:
      return "admin";
    case Scope::kKeysManage:
      return "keys:manage";
  }
  return "?";
}

Result<Scopes> Scopes::parse(std::string_view text) {
  Scopes scopes;
  while (!text.empty()) {
    const auto end = text.find_first_of(" ,");
    const std::string_view name = text.substr(0, end);
    if (!name.empty()) {
      bool known = false;
      for (Scope s : kAll) {
        if (castor::to_string(s) == name) {
          scopes.bits_ |= static_cast<std::uint8_t>(s);
          known = true;
        }
      }
      if (!known) {
        return invalid_argument(
            "unknown scope '" + std::string(name) +
            "' (objects:read, objects:write, objects:delete, keys:manage, admin)");
      }
    }
    if (end == std::string_view::npos) {
      break;
    }
    text.remove_prefix(end + 1);
  }
  return scopes;
}

std::string Scopes::to_string() const {
  std::string out;
  for (Scope s : kAll) {
    if ((bits_ & static_cast<std::uint8_t>(s)) != 0) {
      if (!out.empty()) {
        out += ' ';
      }
      out += castor::to_string(s);
    }
  }
  return out;
}

bool Principal::sees(const Namespace& ns) const {
  return namespaces.empty() || std::binary_search(namespaces.begin(), namespaces.end(), ns);
}

Status Principal::authorize(const TenantId& t, const Namespace& ns, Scope scope) const {
  if (auto s = authorize_before_lookup(t, scope); !s) {
    return s;
  }
  if (!sees(ns)) {
    return permission_denied("credential is not valid for namespace " + ns.str());
  }
  return {};
}

Status Principal::authorize(const TenantId& t, Scope scope) const {
  if (auto s = authorize_before_lookup(t, scope); !s) {
    return s;
  }
  if (namespace_restricted()) {
    return permission_denied(
        "credential is restricted to some namespaces; this request names none (blobs, bundles "
        "and tenant-wide requests need an unrestricted credential)");
  }
  return {};
}

Status Principal::authorize_before_lookup(const TenantId& t, Scope scope) const {
  if (tenant && *tenant != t) {
    return permission_denied("credential is not valid for tenant " + t.str());
  }
  return authorize(scope);
}

Status Principal::authorize(Scope scope) const {
  if (!scopes.allows(scope)) {
    return permission_denied("credential lacks scope " + std::string(castor::to_string(scope)));
  }
  if (scope == Scope::kAdmin && tenant) {
    // Administration spans tenants: only a "*" credential may do it.
    return permission_denied(
        "admin requires a credential for every tenant (\"*\"); this one "
        "has the admin scope but is bound to tenant " +
        tenant->str());
  }
  if (scope == Scope::kAdmin && namespace_restricted()) {
    return permission_denied("admin requires a credential for every namespace");
  }
  return {};
}

}  // namespace castor
