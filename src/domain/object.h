#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/content_hash.h"
#include "domain/error.h"
#include "domain/names.h"
#include "domain/object_attributes.h"
#include "domain/object_id.h"
#include "domain/object_key.h"
#include "domain/retention.h"
#include "domain/storage_class.h"

namespace castor {

// Wall-clock time with the precision PostgreSQL keeps (microseconds).
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The life of an object. Only COMMITTED objects are visible to readers.
//   WRITING   -> COMMITTED  (content stored and durable)
//   COMMITTED -> DELETING   (deleted by a caller; its blob reference is dropped at once)
//   DELETING  -> DELETED    (tombstoned by the garbage collector)
// An abandoned WRITING object is removed outright by the garbage collector; it never had content.
enum class ObjectStatus { kWriting, kCommitted, kDeleting, kDeleted };

// "WRITING", "COMMITTED", "DELETING", "DELETED".
std::string_view to_string(ObjectStatus status);
// Parses the names above; InvalidArgument otherwise.
Result<ObjectStatus> parse_object_status(std::string_view text);

// A logical object: a name and metadata that point at one blob of content. The entity enforces its
// state machine; callers cannot set the status directly.
class Object {
 public:
  // Everything an object holds, as stored.
  struct Fields {
    ObjectId id;
    Namespace ns;
    TenantId tenant;
    std::optional<ObjectKey> key;
    StorageClass storage_class;
    ObjectStatus status;
    std::optional<ContentHash> content_hash;  // set once COMMITTED
    std::uint64_t size_bytes = 0;             // bytes of content; 0 until COMMITTED
    std::string content_type;
    Timestamp created_at;
    Timestamp updated_at;
    ObjectAttributes attributes = {};  // user metadata, stored headers, checksums
    // The S3 entity tag, bare (no quotes): the content's MD5 hex for a single-part S3 write,
    // "<md5 of the part MD5s>-<parts>" for a multipart one; empty when none was computed (native
    // writes), and then etag() is the content hash.
    std::string etag = {};
    // WORM (docs/RETENTION.md): while retention is active or legal_hold is on, the object may be
    // neither deleted nor overwritten (check_deletable).
    std::optional<Retention> retention = {};
    bool legal_hold = false;
  };

  // A new object in WRITING, created at `now`.
  static Object begin(ObjectId id, Namespace ns, TenantId tenant, std::optional<ObjectKey> key,
                      StorageClass storage_class, std::string content_type, Timestamp now);

  // Rebuilds an object from storage. Returns DataLoss if the fields break an invariant (a
  // COMMITTED, DELETING or DELETED object without a content hash).
  static Result<Object> restore(Fields fields);

  // WRITING -> COMMITTED with its content. FailedPrecondition from any other status.
  Status commit(ContentHash hash, std::uint64_t size_bytes, Timestamp now);
  // Sets what the object carries besides its content, and its S3 ETag (see Fields::etag). Only
  // while WRITING (content and metadata are immutable once committed): FailedPrecondition
  // otherwise.
  Status set_attributes(ObjectAttributes attributes, std::string etag);
  // Changes what a COMMITTED object carries besides its content (PATCH /v1/objects/{id}/metadata):
  // its user metadata, Content-Type and Content-Disposition (nullopt: none); the content, its
  // checksums, the other stored headers and the ETag stay. updated_at becomes `now`.
  // FailedPrecondition unless COMMITTED; InvalidArgument if the result breaks check_attributes().
  Status replace_metadata(ObjectAttributes::Pairs metadata, std::string content_type,
                          std::optional<std::string> content_disposition, Timestamp now);
  // Gives a WRITING object its key (S3 writes receive content before they claim the key; see
  // application/write_policy.h). FailedPrecondition from any other status.
  Status give_key(ObjectKey key);
  // Moves a COMMITTED object's content reference to `storage_class` (MoveStorageClass, docs/
  // TIERING.md): only the class changes (content, hash and ETag stay), and updated_at becomes
  // `now`. FailedPrecondition from any other status. The caller has referenced the content in the
  // new class and drops the old class's reference in the same transaction.
  Status change_storage_class(StorageClass storage_class, Timestamp now);
  // The retention and legal hold an upload asks for (X-Retain-Until, x-amz-object-lock-*). Only
  // while WRITING (FailedPrecondition otherwise); InvalidArgument if the retention date is not
  // after `now`.
  Status set_lock(std::optional<Retention> retention, bool legal_hold, Timestamp now);
  // Changes the retention of a COMMITTED object (FailedPrecondition otherwise) under the rules of
  // check_retention_change() (domain/retention.h), whose errors it returns. updated_at stays (the
  // content and metadata did not change).
  Result<RetentionChange> change_retention(std::optional<Retention> requested, RetentionActor actor,
                                           Timestamp now);
  // Puts a COMMITTED object on legal hold or takes it off (FailedPrecondition otherwise). Anybody
  // who may write the object may do either (S3 PutObjectLegalHold).
  Status set_legal_hold(bool on);
  // Whether the object may not be deleted or overwritten at `now`: on legal hold, or retained.
  bool locked(Timestamp now) const {
    return f_.legal_hold || (f_.retention && f_.retention->active(now));
  }
  // OK unless locked(now): then FailedPrecondition, reason "object_locked", with a message naming
  // the hold or the retention mode and date. Called by every path that would drop the object's
  // content: DeleteObject, an S3 overwrite (claim_key), a storage-class move.
  Status check_deletable(Timestamp now) const;
  // COMMITTED -> DELETING. FailedPrecondition from any other status. Does not check the lock:
  // callers call check_deletable() first, in the transaction that holds the row.
  Status mark_deleting(Timestamp now);
  // DELETING -> DELETED (a tombstone). FailedPrecondition from any other status.
  Status mark_deleted(Timestamp now);

  bool visible() const { return f_.status == ObjectStatus::kCommitted; }

  const ObjectId& id() const { return f_.id; }
  const Namespace& ns() const { return f_.ns; }
  const TenantId& tenant() const { return f_.tenant; }
  const std::optional<ObjectKey>& key() const { return f_.key; }
  StorageClass storage_class() const { return f_.storage_class; }
  ObjectStatus status() const { return f_.status; }
  const std::optional<ContentHash>& content_hash() const { return f_.content_hash; }
  std::uint64_t size_bytes() const { return f_.size_bytes; }
  const std::string& content_type() const { return f_.content_type; }
  Timestamp created_at() const { return f_.created_at; }
  Timestamp updated_at() const { return f_.updated_at; }
  const ObjectAttributes& attributes() const { return f_.attributes; }
  const std::optional<Retention>& retention() const { return f_.retention; }
  bool legal_hold() const { return f_.legal_hold; }
  // The entity tag: Fields::etag, or the content hash's hex when there is none (and "" before
  // the commit). Bare: HTTP writes it quoted.
  std::string etag() const;
  const Fields& fields() const { return f_; }

 private:
  explicit Object(Fields fields) : f_(std::move(fields)) {}
  Status transition(ObjectStatus from, ObjectStatus to, Timestamp now);

  Fields f_;
};

}  // namespace castor
