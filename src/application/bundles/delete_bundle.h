#pragma once

#include "application/ports/metadata_store.h"
#include "domain/bundle.h"

namespace castor {

// DELETE /v1/bundles/{id}: deletes a bundle and, in the same transaction, drops the references
// its files held. Contents nothing references any more are left to the collector (after their
// retention, if any).
class DeleteBundle {
 public:
  explicit DeleteBundle(MetadataStore& metadata) : metadata_(metadata) {}

  // NotFound if the tenant has no such bundle. Blocking.
  Status remove(const TenantId& tenant, const BundleId& id);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
