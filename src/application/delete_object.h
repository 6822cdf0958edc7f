#pragma once

#include "application/ports/clock.h"
#include "application/ports/metadata_store.h"
#include "domain/object.h"

namespace castor {

// Deletes a COMMITTED object of a tenant: in one transaction the object becomes DELETING (its key
// is free again at once) and its blob loses one reference. The garbage collector later tombstones
// the object and removes the blob once nothing references it.
class DeleteObject {
 public:
  DeleteObject(MetadataStore& metadata, Clock& clock) : metadata_(metadata), clock_(clock) {}

  // NotFound for unknown ids, other tenants' objects and objects not COMMITTED (so a second delete
  // is NotFound). FailedPrecondition, reason "object_locked", with the date, while the object is
  // retained or on legal hold (Object::check_deletable; docs/RETENTION.md). Blocking.
  Status by_id(const TenantId& tenant, const ObjectId& id);
  Status by_key(const Namespace& ns, const TenantId& tenant, const ObjectKey& key);

 private:
  Status remove(MetadataTransaction& tx, Result<Object> found, const TenantId& tenant);

  MetadataStore& metadata_;
  Clock& clock_;
};

}  // namespace castor
