#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "application/ports/clock.h"
#include "application/ports/metadata_store.h"
#include "domain/bucket.h"

namespace castor {

// The S3 bucket operations below the HTTP handlers (CreateBucket, HeadBucket, ListBuckets,
// DeleteBucket; docs/S3.md). A bucket is a row naming a namespace of a tenant; native uploads
// create it too (BucketRepository::ensure), so every namespace with objects is a bucket. Every
// call is one transaction; blocking (never call from an IO thread). Database failures come back
// as Unavailable, Aborted or Internal.
class ManageBuckets {
 public:
  static constexpr std::size_t kMaxListLimit = 1000;

  ManageBuckets(MetadataStore& metadata, Clock& clock) : metadata_(metadata), clock_(clock) {}

  // CreateBucket: a new bucket `name` of `tenant`, created now. InvalidArgument with reason
  // "InvalidBucketName" (check_new_bucket_name); AlreadyExists when the tenant already has it
  // (S3's BucketAlreadyOwnedByYou: names are per tenant, so never BucketAlreadyExists).
  Result<Bucket> create(const TenantId& tenant, std::string_view name);

  // HeadBucket and the handlers' bucket check: the tenant's bucket. NotFound (NoSuchBucket).
  Result<Bucket> find(const TenantId& tenant, const Namespace& name);

  // ListBuckets: the tenant's buckets whose names start with `prefix` and sort after `after`
  // (bytes, exclusive), in name order, at most `limit` (clamped to 1..kMaxListLimit).
  // InvalidArgument if `after` is not valid UTF-8 or holds NUL (such a prefix matches nothing).
  Result<std::vector<Bucket>> list(const TenantId& tenant, std::string_view prefix,
                                   std::string_view after, std::size_t limit);

  // DeleteBucket: deletes the bucket row (never objects). NotFound (NoSuchBucket);
  // FailedPrecondition with reason "BucketNotEmpty" while a COMMITTED object is in the namespace.
  // The check runs under the row's FOR UPDATE lock, so a racing commit (which holds the row FOR
  // KEY SHARE through ensure/require) either commits first and is seen, or finds no bucket.
  Status remove(const TenantId& tenant, const Namespace& name);

 private:
  MetadataStore& metadata_;
  Clock& clock_;
};

}  // namespace castor
