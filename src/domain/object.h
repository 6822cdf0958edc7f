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
  // Gives a WRITING object its key (S3 writes receive content before they claim the key; see
  // application/write_policy.h). FailedPrecondition from any other status.
  Status give_key(ObjectKey key);
  // Moves a COMMITTED object's content reference to `storage_class` (MoveStorageClass, docs/
  // TIERING.md): only the class changes (content, hash and ETag stay), and updated_at becomes
  // `now`. FailedPrecondition from any other status. The caller has referenced the content in the
  // new class and drops the old class's reference in the same transaction.
  Status change_storage_class(StorageClass storage_class, Timestamp now);
  // COMMITTED -> DELETING. FailedPrecondition from any other status.
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
