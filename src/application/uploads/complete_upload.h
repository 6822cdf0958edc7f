#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/checksummer.h"
#include "application/ports/clock.h"
#include "application/ports/id_generator.h"
#include "application/ports/media_types.h"
#include "application/ports/metadata_store.h"
#include "application/uploads/upload_limits.h"
#include "application/write_policy.h"
#include "domain/object.h"
#include "domain/s3_multipart.h"
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
//
// An S3 session (UploadSession::s3()) completes only through run_s3() (CompleteMultipartUpload):
// step 1 also checks the listed parts and their ETags (check_completion()) and computes the
// multipart ETag (and a composite checksum when every listed part carries one of the same
// algorithm); in step 3 the object gets the session's attributes and that ETag, and claims its
// key under the request's WritePolicy (claim_key(), after the content lock and blob row), so that
// a used key is replaced atomically or the precondition fails with the session left open.
class CompleteUpload {
 public:
  struct Completed {
    UploadSession session;
    std::optional<Object> object;  // for a session with a namespace
    bool created = false;          // false when the session had been completed before
  };

  // What CompleteMultipartUpload adds to a completion.
  struct S3Completion {
    std::vector<S3ListedPart> parts;  // as listed: number and ETag
    WritePolicy policy;               // how the object claims the session's key
  };

  // `media_types` and `checksummers` (MD5 and the flexible checksums, needed by run_s3()) may be
  // null and must outlive this.
  CompleteUpload(MetadataStore& metadata, BlobStore& blobs, Clock& clock, IdGenerator& ids,
                 UploadLimits limits, const MediaTypes* media_types = nullptr,
                 const ChecksummerFactory* checksummers = nullptr)
      : metadata_(metadata),
        blobs_(blobs),
        clock_(clock),
        ids_(ids),
        limits_(limits),
        media_types_(media_types),
        checksummers_(checksummers) {}

  // `chosen`: the part numbers to use, strictly ascending; empty = every held part. Errors:
  // NotFound (no such session of the tenant, or expired); InvalidArgument "invalid_parts",
  // "size_mismatch", "content_hash_mismatch"; OutOfRange (over the size limit); AlreadyExists
  // (the key is in use); FailedPrecondition "parts_changed" (a part was replaced while the
  // content was hashed); DataLoss (a part's content is missing or not its size). Blocking.
  // NotFound for an S3 session.
  Result<Completed> run(const TenantId& tenant, const UploadId& id,
                        std::vector<std::uint32_t> chosen);

  // CompleteMultipartUpload of the S3 session `id`. Errors: those of run() (NotFound also for a
  // native session); InvalidArgument with reason "InvalidPart", "InvalidPartOrder" or
  // "EntityTooSmall" (check_completion()); claim_key()'s (FailedPrecondition
  // "PreconditionFailed", NotFound for If-Match without a holder). Blocking.
  Result<Completed> run_s3(const TenantId& tenant, const UploadId& id, S3Completion s3);

 private:
  // What an S3 completion gives the object.
  struct S3Object {
    std::string etag;
    ObjectAttributes::Pairs checksums;
    WritePolicy policy;
  };

  Result<Completed> complete(const TenantId& tenant, const UploadId& id,
                             std::vector<std::uint32_t> chosen, const S3Completion* s3);
  Result<S3Object> s3_object(const S3Completion& s3, const std::vector<UploadPart>& chosen) const;
  Result<Completed> finish(const TenantId& tenant, const UploadId& id,
                           const std::vector<Segment>& planned, const ContentHash& whole,
                           const std::optional<S3Object>& s3);

  MetadataStore& metadata_;
  BlobStore& blobs_;
  Clock& clock_;
  IdGenerator& ids_;
  UploadLimits limits_;
  const MediaTypes* media_types_;
  const ChecksummerFactory* checksummers_;
};

}  // namespace castor
