#pragma once

#include <optional>
#include <string>

#include "application/ports/metadata_store.h"
#include "domain/object.h"

namespace castor {

// How a write claims its key, decided inside the transaction that commits it.
//
// The native API creates: a key in use is AlreadyExists (409). S3 replaces ("PutObject": a write
// to a used key replaces the object atomically), subject to its conditional-write headers
// ("Conditional requests", If-None-Match: * and If-Match on PutObject, CopyObject and
// CompleteMultipartUpload). Readers see the old or the new object, never neither: the holder is
// retired (DELETING, its blob reference dropped, the GC does the rest) in the transaction that
// gives the key to the new object.
struct WritePolicy {
  enum class Mode {
    kCreate,   // AlreadyExists if the key is held (the native API)
    kReplace,  // replace the holder (S3)
  };
  Mode mode = Mode::kCreate;
  bool if_none_match_any = false;       // If-None-Match: * — FailedPrecondition if held
  std::optional<std::string> if_match;  // If-Match (bare ETag, or "*"): FailedPrecondition unless
                                        // the holder's ETag is this; NotFound without a holder
  bool require_bucket = false;          // S3: NotFound (NoSuchBucket) without a bucket row

  static WritePolicy replace() {
    WritePolicy policy;
    policy.mode = Mode::kReplace;
    return policy;
  }
};

// Gives WRITING `object` the key `key` under `policy`, within `tx`: takes the key lock, reads
// and locks the current COMMITTED holder, checks the preconditions, then retires the holder
// (kReplace) or fails (kCreate), and holds the bucket row (BucketRepository::require with
// require_bucket, else ensure, which creates it). The caller then writes `object` (its key set) in
// the same transaction. Errors: FailedPrecondition (reason "PreconditionFailed") for a failed
// condition; FailedPrecondition "object_locked" when the holder is retained or on legal hold, and
// "overwrite_refused" when the namespace's retention configuration forbids overwrites
// (docs/RETENTION.md); NotFound for If-Match without a holder, or (reason "NoSuchBucket") for a
// missing bucket; AlreadyExists (kCreate, key held); the transaction's own errors. Lock order
// (metadata_store.h): call it after taking the content lock and blob row of the content being
// committed.
Status claim_key(MetadataTransaction& tx, Object& object, const ObjectKey& key,
                 const WritePolicy& policy, Timestamp now);

// The error of a failed write precondition: FailedPrecondition, reason "PreconditionFailed".
Error precondition_failed(std::string message);

// Whether an If-Match/If-None-Match value `condition` (one ETag, quoted or bare, or "*", or a
// comma-separated list of them) names `etag` (bare). Strong comparison: a weak tag never matches.
bool etag_condition_matches(std::string_view condition, std::string_view etag);

}  // namespace castor
