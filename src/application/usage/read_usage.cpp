#include "application/usage/read_usage.h"

namespace castor {

Result<Usage> ReadUsage::namespace_stats(const TenantId& tenant, const Namespace& ns) {
  return read_only(metadata_,
                   [&](MetadataTransaction& tx) { return tx.usage().namespace_usage(tenant, ns); });
}

Result<Usage> ReadUsage::tenant_usage(const TenantId& tenant) {
  return read_only(metadata_,
                   [&](MetadataTransaction& tx) { return tx.usage().tenant_usage(tenant); });
}

}  // namespace castor
