#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "domain/bucket.h"
#include "domain/error.h"

namespace castor {

// Which of a tenant's buckets BucketRepository::list returns: names starting with `prefix` and
// greater than `after` (bytes), at most `limit` of them, in name order.
struct BucketQuery {
  TenantId tenant;
  std::string prefix;  // empty = every bucket
  std::string after;   // empty = from the first
  std::size_t limit = 1000;
};

// The buckets table, seen through one transaction (see MetadataStore). Not thread-safe; must not
// outlive its transaction. Infrastructure failures are returned as Unavailable, Aborted or
// Internal.
//
// Locks (PostgreSQL row locks, held until the transaction ends): whoever commits an object into a
// bucket holds the bucket row FOR KEY SHARE (ensure, require) from before it inserts the object;
// DeleteBucket holds it FOR UPDATE (find with for_update) while it checks that the bucket is
// empty. The two conflict, so a commit either lands before the emptiness check (which then sees its
// object) or waits and finds the row gone. Concurrent commits into one bucket do not block each
// other (KEY SHARE does not conflict with KEY SHARE).
class BucketRepository {
 public:
  virtual ~BucketRepository() = default;

  // Stores a new bucket. AlreadyExists if the tenant already has a bucket with this name.
  virtual Status insert(const Bucket& bucket) = 0;

  // The tenant's bucket `name`; NotFound if there is none. `for_update` locks the row FOR UPDATE.
  virtual Result<Bucket> find(const Namespace& name, const TenantId& tenant, bool for_update) = 0;

  // The tenant's bucket `name`, created at `now` if missing (INSERT ... ON CONFLICT DO NOTHING),
  // then locked FOR KEY SHARE. A native upload's commit calls it: a namespace with objects is
  // always a bucket. If a concurrent DeleteBucket removes the row between the insert and the lock,
  // the row is inserted again; Aborted if that keeps happening.
  virtual Result<Bucket> ensure(const Namespace& name, const TenantId& tenant, Timestamp now) = 0;

  // The tenant's bucket `name`, locked FOR KEY SHARE; NotFound if there is none. An S3 write's
  // commit calls it (NoSuchBucket), so that the bucket cannot be deleted under it.
  virtual Result<Bucket> require(const Namespace& name, const TenantId& tenant) = 0;

  // The tenant's buckets matching `query`, in name (byte) order. Does not lock.
  virtual Result<std::vector<Bucket>> list(const BucketQuery& query) = 0;

  // Deletes the tenant's bucket row (its objects are the caller's business: see ManageBuckets).
  // NotFound if there is none.
  virtual Status remove(const Namespace& name, const TenantId& tenant) = 0;
};

}  // namespace castor
