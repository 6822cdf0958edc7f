#include "application/delete_object.h"

namespace castor {

Status DeleteObject::by_id(const TenantId& tenant, const ObjectId& id) {
  return metadata_.transact([&](MetadataTransaction& tx) {
    return remove(tx, tx.objects().find(id, /*for_update=*/true), tenant);
  });
}

Status DeleteObject::by_key(const Namespace& ns, const TenantId& tenant, const ObjectKey& key) {
  return metadata_.transact([&](MetadataTransaction& tx) {
    return remove(tx, tx.objects().find_by_key(ns, tenant, key, /*for_update=*/true), tenant);
  });
}

Status DeleteObject::remove(MetadataTransaction& tx, Result<Object> found, const TenantId& tenant) {
  if (!found) {
    return std::move(found).error();
  }
  Object& object = *found;
  if (!object.visible() || object.tenant() != tenant) {
    return not_found("no such object");
  }
  // Decided under the row lock that find(for_update) took: a concurrent retention or legal-hold
  // change (ManageRetention, which locks the row too) is either committed before this reads the
  // row, or waits until this transaction ends.
  const Timestamp now = clock_.now();
  if (auto s = object.check_deletable(now); !s) {
    return s;
  }
  if (auto s = object.mark_deleting(now); !s) {
    return s;
  }
  if (auto s = tx.objects().update(object); !s) {
    return s;
  }
  auto blob = tx.blobs().release(object.storage_class(), *object.content_hash());
  if (!blob) {
    // A committed object always holds a reference; anything else is a broken invariant.
    return Error{ErrorCode::kInternal, "blob of object " + object.id().to_string() +
                                           " cannot be released: " + blob.error().message};
  }
  return {};
}

}  // namespace castor
