#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "application/ports/metadata_store.h"
#include "domain/principal.h"
#include "domain/usage.h"

namespace castor {

// What a credential may browse (GET /v1/tenants, GET /v1/namespaces; the web console's first
// screens): tenants and namespaces with their usage, keyset-paginated by name. Names come from the
// usage counters (COMMITTED objects) and the buckets table, so a namespace made by an S3
// CreateBucket shows while still empty. Thread-safe; blocking (the database).
class ReadCatalog {
 public:
  static constexpr std::size_t kDefaultLimit = 100;
  static constexpr std::size_t kMaxLimit = 1000;

  // One page: its entries and the cursor of the next one (nullopt: this is the last page). A
  // cursor is the last name of its page; names are [a-z0-9._-], so it is URL-safe as it is.
  template <class Entry>
  struct Page {
    std::vector<Entry> entries;
    std::optional<std::string> next_cursor;
  };

  explicit ReadCatalog(MetadataStore& metadata) : metadata_(metadata) {}

  // The tenants `principal` may read, by id, after `cursor`. A credential for every tenant ("*")
  // sees each tenant with objects or buckets; a tenant-bound one sees its own tenant only, even
  // when empty. A namespace-restricted credential sees its tenant's figures summed over its
  // namespaces only (physical bytes then count a content once per namespace). PermissionDenied
  // without objects:read, or for a namespace-restricted credential for every tenant;
  // InvalidArgument for a limit outside 1..kMaxLimit or a cursor that is not a tenant name;
  // Unavailable/Internal from the database.
  Result<Page<TenantUsage>> tenants(const Principal& principal, std::size_t limit,
                                    const std::optional<std::string>& cursor);

  // The namespaces of `tenant` that `principal` may see, by name, after `cursor`. PermissionDenied
  // when `principal` may not read `tenant`; InvalidArgument for a bad limit or cursor;
  // Unavailable/Internal from the database.
  Result<Page<NamespaceUsage>> namespaces(const Principal& principal, const TenantId& tenant,
                                          std::size_t limit,
                                          const std::optional<std::string>& cursor);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
