#pragma once

#include <vector>

#include "application/ports/metadata_store.h"
#include "domain/upload_session.h"

namespace castor {

// A session with the parts the server holds for it.
struct UploadView {
  UploadSession session;
  std::vector<UploadPart> parts;
};

// Reads upload sessions (GET /v1/uploads/{id}, GET /v1/uploads).
class ReadUploads {
 public:
  explicit ReadUploads(MetadataStore& metadata) : metadata_(metadata) {}

  // The tenant's session `id` with its parts; NotFound if there is none or it is another
  // tenant's. Blocking.
  Result<UploadView> get(const TenantId& tenant, const UploadId& id);

  // Open sessions matching `filter` (without parts). Blocking.
  Result<std::vector<UploadSession>> list(const UploadFilter& filter);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
