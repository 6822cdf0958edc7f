#pragma once

#include "application/ports/metadata_store.h"
#include "domain/upload_session.h"

namespace castor {

// Deletes the part rows of `session` (locked by the caller) in `tx` and drops their references on
// the part blobs.
Status release_parts(MetadataTransaction& tx, const UploadSession& session);

// Deletes `session` (locked by the caller) in `tx`: its parts as release_parts() does, and the
// session row. An open session's parts become garbage; a completed session's object or blob
// stays.
Status drop_upload(MetadataTransaction& tx, const UploadSession& session);

// DELETE /v1/uploads/{id}: aborts an open session or forgets a completed one.
class AbortUpload {
 public:
  explicit AbortUpload(MetadataStore& metadata) : metadata_(metadata) {}

  // NotFound if there is no such session of `tenant`. Blocking.
  Status run(const TenantId& tenant, const UploadId& id);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
