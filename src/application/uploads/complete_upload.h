#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/clock.h"
#include "application/ports/id_generator.h"
#include "application/ports/media_types.h"
#include "application/ports/metadata_store.h"
#include "application/uploads/upload_limits.h"
#include "domain/object.h"
#include "domain/upload_session.h"

namespace castor {

// Completes an upload session (POST /v1/uploads/{id}/complete) without copying content:
//   1. reads the session and its parts, and plans the segments (UploadSession::plan);
//   2. reads the chosen parts once, in order, and hashes the whole content (blocking disk reads,
//      no transaction open), then compares it with the declared hash;
//   3. in one transaction — session row locked, parts re-read (they must be those hashed), content
//      lock on the whole hash, blob row — references the blob with that hash if one exists
//      (dedup), else inserts it as a composite blob whose segments are the parts; makes the
//      namespace's bucket row if missing (BucketRepository::ensure) and inserts the COMMITTED
//      object (or retains and grants the blob for a blob session); deletes the part rows
//      and drops their references; marks the session completed.
// A failure leaves the session open and unchanged. Completing a completed session returns its
// outcome again (a retry after a lost response).
class CompleteUpload {
 public:
  struct Completed {
    UploadSession session;
    std::optional<Object> object;  // for a session with a namespace
    bool created = false;          // false when the session had been completed before
  };

  CompleteUpload(MetadataStore& metadata, BlobStore& blobs, Clock& clock, IdGenerator& ids,
                 UploadLimits limits, const MediaTypes* media_types = nullptr)
      : metadata_(metadata),
        blobs_(blobs),
        clock_(clock),
        ids_(ids),
        limits_(limits),
        media_types_(media_types) {}

  // `chosen`: the part numbers to use, strictly ascending; empty = every held part. Errors:
  // NotFound (no such session of the tenant, or expired); InvalidArgument "invalid_parts",
  // "size_mismatch", "content_hash_mismatch"; OutOfRange (over the size limit); AlreadyExists
  // (the key is in use); FailedPrecondition "parts_changed" (a part was replaced while the
  // content was hashed); DataLoss (a part's content is missing or not its size). Blocking.
  Result<Completed> run(const TenantId& tenant, const UploadId& id,
                        std::vector<std::uint32_t> chosen);

 private:
  Result<Completed> finish(const TenantId& tenant, const UploadId& id,
                           const std::vector<Segment>& planned, const ContentHash& whole);

  MetadataStore& metadata_;
  BlobStore& blobs_;
  Clock& clock_;
  IdGenerator& ids_;
  UploadLimits limits_;
  const MediaTypes* media_types_;
};

}  // namespace castor
