#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "application/ports/blob_store.h"
#include "application/ports/clock.h"
#include "application/ports/id_generator.h"
#include "application/ports/metadata_store.h"
#include "domain/object.h"

namespace castor {

// Moves a COMMITTED object's content to another storage class (JustStorage's promote/archive;
// docs/TIERING.md has the protocol and why each crash point is safe):
//   1. the object is read; already in the target class: nothing to do (the object is returned);
//   2. if the target class holds the content already (its file, its row's bytes or its segments:
//      dedup), or the source blob row holds it (small content, copied row to row), one
//      transaction switches the object without touching the disk;
//   3. otherwise the content is streamed from the source class (file, row or segments) into a
//      temporary file of the target class, hashed while copied and fsynced; a size or hash other
//      than the object's content hash refuses the move (nothing switched, the copy deleted);
//   4. ONE transaction, in the lock order of uploads (object row, content lock, blob row): the
//      object row is re-read FOR UPDATE and re-checked, the target blob gains a reference and the
//      tenant a grant on it, the copy is renamed into place unless the content is already there,
//      the object's storage_class switches (updated_at moves) and the source blob loses the
//      object's reference; the garbage collector removes the source blob once nothing else
//      references it.
// The copy is a temporary file under a fresh name until step 4 renames it, under the content lock
// that the collector takes before deleting any content file: it cannot be collected before the
// commit, and a crash leaves a temporary file (collected after WRITING_TIMEOUT) or a file with no
// referenced row (collected as an orphan). Blocking; thread-safe.
class MoveStorageClass {
 public:
  struct Request {
    TenantId tenant;
    ObjectId id;
    StorageClass storage_class;  // the target class
  };

  // Told when the source content does not hash to the object's content hash while copied
  // (`actual`: what it hashed to; nullopt when it was of another size): the caller counts it in
  // castor_integrity_errors_total and logs it. May be null.
  using DamageObserver =
      std::function<void(const Object& object, const std::optional<ContentHash>& actual)>;

  // Bytes read and written per step of the copy.
  static constexpr std::size_t kCopyChunk = 256 * 1024;

  MoveStorageClass(MetadataStore& metadata, BlobStore& blobs, Clock& clock, IdGenerator& ids,
                   DamageObserver on_damage = nullptr)
      : metadata_(metadata),
        blobs_(blobs),
        clock_(clock),
        ids_(ids),
        on_damage_(std::move(on_damage)) {}

  // The object after the move (unchanged when it was in the target class already). Errors:
  // NotFound when the id is not a COMMITTED object of the tenant (or was deleted meanwhile);
  // FailedPrecondition with reason "content_damaged" when the stored content does not match its
  // hash (nothing switched); DataLoss when the content is stored nowhere; ResourceExhausted when
  // the target disk is full; Unavailable, Aborted or Internal from the database.
  Result<Object> run(const Request& request);

 private:
  // Step 4 (or 2 when `copy` is null): the switch transaction. With no copy, FailedPrecondition
  // with reason kNeedsCopy when neither class holds the content in a way that needs no copy.
  Result<Object> switch_class(const Request& request, BlobWriter* copy);
  // Step 3: the verified copy of `object`'s content into a temporary file of `target`.
  Result<std::unique_ptr<BlobWriter>> copy_content(const Object& object, StorageClass target);

  MetadataStore& metadata_;
  BlobStore& blobs_;
  Clock& clock_;
  IdGenerator& ids_;
  DamageObserver on_damage_;
};

// The reason of MoveStorageClass's error for content that does not match its hash.
inline constexpr std::string_view kContentDamaged = "content_damaged";

}  // namespace castor
