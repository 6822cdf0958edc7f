#include "application/bundles/delete_bundle.h"

namespace castor {

Status DeleteBundle::remove(const TenantId& tenant, const BundleId& id) {
  return metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto removed = tx.bundles().remove(tenant, id);
    if (!removed) {
      return std::move(removed).error();
    }
    if (!*removed) {
      return not_found("no such bundle");
    }
    return tx.blobs().release_refs((*removed)->storage_class, (*removed)->references);
  });
}

}  // namespace castor
