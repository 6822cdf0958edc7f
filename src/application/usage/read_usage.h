#pragma once

#include "application/ports/metadata_store.h"
#include "domain/usage.h"

namespace castor {

// Usage statistics (docs/USAGE_AND_QUOTAS.md): what a namespace of a tenant, or a whole tenant,
// holds, by storage class. Read from counters the database keeps on every commit and delete, so a
// call costs a few index reads whatever the number of objects. Callers authorise the tenant.
// Thread-safe; blocking (the database).
class ReadUsage {
 public:
  explicit ReadUsage(MetadataStore& metadata) : metadata_(metadata) {}

  // Namespace `ns` of `tenant`: objects, logical bytes and the distinct content the namespace's
  // objects reference. Zeros for a namespace that holds nothing. Unavailable/Internal from the
  // database.
  Result<Usage> namespace_stats(const TenantId& tenant, const Namespace& ns);
  // All of `tenant`'s namespaces: physical bytes count a content the tenant references from
  // several namespaces once.
  Result<Usage> tenant_usage(const TenantId& tenant);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
