#include "application/catalog/read_catalog.h"

#include <utility>

namespace castor {
namespace {

Error permission_denied(std::string message) {
  return {ErrorCode::kPermissionDenied, std::move(message)};
}

// The limit's and the cursor's checks; the cursor's name ("" when absent).
Result<std::string> check_page(std::size_t limit, const std::optional<std::string>& cursor) {
  if (limit < 1 || limit > ReadCatalog::kMaxLimit) {
    return invalid_argument("limit must be between 1 and " +
                            std::to_string(ReadCatalog::kMaxLimit));
  }
  if (!cursor) {
    return std::string();
  }
  if (!is_valid_name(*cursor)) {
    return invalid_argument("cursor is not one this server returned");
  }
  return *cursor;
}

// Cuts a page fetched with limit + 1 rows down to `limit`, setting the next cursor if there was
// more.
template <class Entry, class NameOf>
ReadCatalog::Page<Entry> page_of(std::vector<Entry> rows, std::size_t limit, NameOf name_of) {
  ReadCatalog::Page<Entry> page;
  if (rows.size() > limit) {
    rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(limit), rows.end());
    page.next_cursor = name_of(rows.back());
  }
  page.entries = std::move(rows);
  return page;
}

}  // namespace

Result<ReadCatalog::Page<TenantUsage>> ReadCatalog::tenants(
    const Principal& principal, std::size_t limit, const std::optional<std::string>& cursor) {
  auto after = check_page(limit, cursor);
  if (!after) {
    return std::move(after).error();
  }
  if (!principal.scopes.allows(Scope::kObjectsRead)) {
    return permission_denied("this credential lacks the objects:read scope");
  }
  if (!principal.tenant) {
    if (principal.namespace_restricted()) {
      return permission_denied(
          "a namespace-restricted credential for every tenant cannot list tenants; name one");
    }
    Result<std::vector<TenantUsage>> rows = std::vector<TenantUsage>{};
    auto s = metadata_.transact(
        [&](MetadataTransaction& tx) -> Status {
          rows = tx.usage().list_tenants(*after, limit + 1);
          return rows ? Status{} : Status{rows.error()};
        },
        MetadataStore::Mode::kReadOnly);
    if (!s) {
      return std::move(s).error();
    }
    return page_of(std::move(*rows), limit, [](const TenantUsage& t) { return t.tenant.str(); });
  }
  // A tenant-bound credential: its own tenant, once.
  Page<TenantUsage> page;
  if (principal.tenant->str() <= *after) {
    return page;
  }
  TenantUsage own{.tenant = *principal.tenant, .total = {}};
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        if (!principal.namespace_restricted()) {
          auto usage = tx.usage().tenant_usage(*principal.tenant);
          if (!usage) {
            return std::move(usage).error();
          }
          own.total = usage->total;
          return {};
        }
        for (const Namespace& ns : principal.namespaces) {
          auto usage = tx.usage().namespace_usage(*principal.tenant, ns);
          if (!usage) {
            return std::move(usage).error();
          }
          own.total.objects += usage->total.objects;
          own.total.logical_bytes += usage->total.logical_bytes;
          own.total.physical_bytes += usage->total.physical_bytes;
        }
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  page.entries.push_back(std::move(own));
  return page;
}

Result<ReadCatalog::Page<NamespaceUsage>> ReadCatalog::namespaces(
    const Principal& principal, const TenantId& tenant, std::size_t limit,
    const std::optional<std::string>& cursor) {
  auto after = check_page(limit, cursor);
  if (!after) {
    return std::move(after).error();
  }
  if (Status s = principal.authorize_before_lookup(tenant, Scope::kObjectsRead); !s) {
    return std::move(s).error();
  }
  Result<std::vector<NamespaceUsage>> rows = std::vector<NamespaceUsage>{};
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        rows = tx.usage().list_namespaces(tenant, *after, limit + 1, principal.namespaces);
        return rows ? Status{} : Status{rows.error()};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  return page_of(std::move(*rows), limit, [](const NamespaceUsage& n) { return n.ns.str(); });
}

}  // namespace castor
