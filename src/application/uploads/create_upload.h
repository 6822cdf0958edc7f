#pragma once

#include "application/ports/clock.h"
#include "application/ports/id_generator.h"
#include "application/ports/metadata_store.h"
#include "application/uploads/upload_limits.h"
#include "domain/upload_session.h"

namespace castor {

// Opens an upload session (POST /v1/uploads).
class CreateUpload {
 public:
  // What the client asks for (docs/BLOBS_AND_BUNDLES.md, "Upload sessions").
  struct Request {
    TenantId tenant;
    std::optional<Namespace> ns;  // set: completes into an object; unset: into a blob
    std::optional<ObjectKey> key;
    StorageClass storage_class = StorageClass::kHot;
    std::optional<std::uint64_t> size_bytes;  // bytes
    std::optional<ContentHash> sha256;
    std::optional<std::string> content_type;
    // S3 CreateMultipartUpload (UploadSession::Fields::s3): needs ns and key. `attributes` are
    // the object's user metadata and stored headers (native sessions too: needs ns).
    bool s3 = false;
    ObjectAttributes attributes = {};
  };

  CreateUpload(MetadataStore& metadata, Clock& clock, IdGenerator& ids, UploadLimits limits)
      : metadata_(metadata), clock_(clock), ids_(ids), limits_(limits) {}

  // Returns the open session. InvalidArgument for a key or content type without a namespace, or a
  // bad content type, or an S3 session without a key, or bad attributes (check_attributes());
  // OutOfRange when the declared size is over the limit; FailedPrecondition
  // ("too_many_uploads") when the tenant already has limits.max_open open sessions. Blocking.
  Result<UploadSession> run(Request request);

 private:
  MetadataStore& metadata_;
  Clock& clock_;
  IdGenerator& ids_;
  UploadLimits limits_;
};

}  // namespace castor
