#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/error.h"
#include "domain/object.h"

namespace castor {

// Where to resume a listing: the last (key, id) of the previous page. Keyless objects sort as the
// empty key, before every keyed object.
struct ListCursor {
  std::string key;
  ObjectId id;
};

// A page of COMMITTED objects of one (namespace, tenant), ordered by (key bytes, id).
struct ListQuery {
  Namespace ns;
  TenantId tenant;
  std::string prefix;  // only keys starting with these bytes; empty = all objects
  std::size_t limit = 100;
  std::optional<ListCursor> after;
};

// The objects table, seen through one transaction (see MetadataStore). Not thread-safe: it belongs
// to the transaction that handed it out and must not outlive it. Infrastructure failures are
// returned as Unavailable (database unreachable), Aborted (conflict, retry) or Internal.
class ObjectRepository {
 public:
  virtual ~ObjectRepository() = default;

  // Stores a new object. AlreadyExists if its key is held by another WRITING or COMMITTED object of
  // the same (namespace, tenant).
  virtual Status insert(const Object& object) = 0;
  // The small-object commit of a native upload (UploadObject, docs/PERFORMANCE.md "Small
  // objects") as one atomic step: makes the object's namespace a bucket of its tenant if it is
  // not one (holding the bucket row FOR KEY SHARE, as BucketRepository::ensure does), adds a
  // reference to the blob (object.storage_class(), object.content_hash()) keeping `content` in
  // its row (a new row; or an existing row that holds no content of its own yet), grants the
  // tenant possession of it, and inserts `object`, which is COMMITTED. AlreadyExists if the
  // object's key is in use (then nothing changed); Aborted if the bucket was deleted meanwhile
  // (retry). Meant for MetadataStore::Mode::kSingleStatement.
  virtual Status insert_small(const Object& object, std::span<const std::byte> content) = 0;

  // The object with `id` in any status; NotFound if there is none. `for_update` locks the row until
  // the transaction ends.
  virtual Result<Object> find(const ObjectId& id, bool for_update) = 0;

  // The COMMITTED object holding `key` in (ns, tenant); NotFound if there is none. `for_update`
  // locks the row until the transaction ends.
  virtual Result<Object> find_by_key(const Namespace& ns, const TenantId& tenant,
                                     const ObjectKey& key, bool for_update) = 0;

  // Writes the object's status, storage class, content hash, size, updated_at, key, attributes,
  // ETag and content type.
  // AlreadyExists if the key is held by another live object; NotFound if the row is gone.
  virtual Status update(const Object& object) = 0;

  // Deletes the row outright (for abandoned WRITING objects). Succeeds if it is already gone.
  virtual Status remove(const ObjectId& id) = 0;

  // One page of COMMITTED objects; at most query.limit of them.
  virtual Result<std::vector<Object>> list(const ListQuery& query) = 0;

  // Whether (ns, tenant) holds at least one COMMITTED object (keyed or not): DeleteBucket's
  // BucketNotEmpty check. Does not lock.
  virtual Result<bool> any_committed(const Namespace& ns, const TenantId& tenant) = 0;

  // Locks and returns up to `limit` objects in `status` last updated before `before`, skipping rows
  // other transactions hold (SELECT ... FOR UPDATE SKIP LOCKED), so that several collectors can run
  // at once without waiting on each other.
  virtual Result<std::vector<Object>> lock_batch(ObjectStatus status, Timestamp before,
                                                 std::size_t limit) = 0;

  // Up to `limit` ids of the COMMITTED objects whose content is (storage_class, hash), in id
  // order. Does not lock.
  virtual Result<std::vector<ObjectId>> using_content(StorageClass storage_class,
                                                      const ContentHash& hash,
                                                      std::size_t limit) = 0;
  // How many COMMITTED objects have the content (storage_class, hash): the blob's live references.
  virtual Result<std::uint64_t> count_using_content(StorageClass storage_class,
                                                    const ContentHash& hash) = 0;
  // Deletes up to `limit` tombstones (DELETED objects) last updated before `before`, skipping rows
  // other transactions hold. Returns how many it deleted.
  virtual Result<std::size_t> purge_tombstones(Timestamp before, std::size_t limit) = 0;
};

}  // namespace castor
