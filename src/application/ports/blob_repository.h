#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "domain/blob.h"
#include "domain/error.h"
#include "domain/names.h"
#include "domain/object.h"

namespace castor {

// A blob with the number of COMMITTED objects, bundle files, composite blobs' segments and open
// uploads' parts that point at it (its live references), both read in one snapshot: for a
// consistent database, blob.ref_count() == live_refs.
struct BlobAudit {
  Blob blob;
  std::uint64_t live_refs = 0;
};

// A blob's address: (storage class, content hash).
using BlobAddress = std::pair<StorageClass, ContentHash>;

// The blobs table (one row per stored content per storage class, with its reference count), seen
// through one transaction (see MetadataStore). Not thread-safe; must not outlive its transaction.
// Infrastructure failures are returned as Unavailable, Aborted or Internal.
class BlobRepository {
 public:
  virtual ~BlobRepository() = default;

  // Adds one reference to the blob, inserting it with ref_count 1 if it has no row, and locks the
  // row until the transaction ends. Returns the blob after the change (with stored_inline()).
  virtual Result<Blob> add_ref(StorageClass storage_class, const ContentHash& hash,
                               std::uint64_t size_bytes) = 0;

  // The small-object path (docs/PERFORMANCE.md "Small objects"). The caller has checked that
  // `content` hashes to `hash`.

  // As add_ref, and the row holds `content` afterwards: a new row, or an existing one that held
  // no content of its own (it may also have a file: a small duplicate, never a missing one).
  virtual Result<Blob> add_ref_inline(StorageClass storage_class, const ContentHash& hash,
                                      std::span<const std::byte> content) = 0;
  // The content the row holds; nullopt when it holds none or there is no row. Does not lock.
  virtual Result<std::optional<std::vector<std::byte>>> inline_content(StorageClass storage_class,
                                                                       const ContentHash& hash) = 0;

  // Drops one reference and locks the row. NotFound if there is no row; FailedPrecondition if its
  // count is already zero. Returns the blob after the change.
  virtual Result<Blob> release(StorageClass storage_class, const ContentHash& hash) = 0;

  // The blob's row, or nullopt if there is none. Does not lock.
  virtual Result<std::optional<Blob>> find(StorageClass storage_class, const ContentHash& hash) = 0;

  // Of `hashes`, those with no row in `storage_class`. Does not lock.
  virtual Result<std::vector<ContentHash>> missing(StorageClass storage_class,
                                                   const std::vector<ContentHash>& hashes) = 0;

  // Locks and returns up to `limit` blobs with ref_count 0 whose retention (retain_until) is
  // unset or before `now` and whose address comes after `after` (all when nullopt), in address
  // order, skipping rows other transactions hold.
  virtual Result<std::vector<Blob>> lock_unreferenced(std::size_t limit,
                                                      const std::optional<BlobAddress>& after,
                                                      Timestamp now) = 0;

  // Deletes the row, and the grants on it, if its ref_count is still zero and its retention is
  // unset or before `now`. Returns whether a row was deleted.
  virtual Result<bool> remove_unreferenced(StorageClass storage_class, const ContentHash& hash,
                                           Timestamp now) = 0;

  // Possession and retention (docs/BLOBS_AND_BUNDLES.md).

  // Keeps the blob at least until `until` (its retention becomes the later of both), inserting
  // it with ref_count 0 and `size_bytes` if it has no row, and locks the row until the
  // transaction ends. Returns the blob as stored: an existing row keeps its size (the caller
  // compares).
  virtual Result<Blob> retain(StorageClass storage_class, const ContentHash& hash,
                              std::uint64_t size_bytes, Timestamp until) = 0;
  // Records that `tenant` possesses the blob, at `now` (idempotent); returns whether the grant is
  // new. The blob's row must exist (Internal otherwise); the grant is deleted with it.
  virtual Result<bool> grant(const TenantId& tenant, StorageClass storage_class,
                             const ContentHash& hash, Timestamp now) = 0;
  // The blob if `tenant` possesses it (a grant and a row); nullopt otherwise. Does not lock.
  virtual Result<std::optional<Blob>> find_held(const TenantId& tenant, StorageClass storage_class,
                                                const ContentHash& hash) = 0;
  // As find_held, and when held extends its retention to `until` as retain() does (the row stays
  // locked until the transaction ends).
  virtual Result<std::optional<Blob>> retain_held(const TenantId& tenant,
                                                  StorageClass storage_class,
                                                  const ContentHash& hash, Timestamp until) = 0;
  // Of `hashes`, those `tenant` does not possess, each once, in no particular order. One query;
  // does not lock.
  virtual Result<std::vector<ContentHash>> not_held(const TenantId& tenant,
                                                    StorageClass storage_class,
                                                    const std::vector<ContentHash>& hashes) = 0;
  // Locks, in content-hash order, and returns (in that order) the blobs among `hashes` that
  // `tenant` possesses; a row deleted meanwhile is not returned.
  virtual Result<std::vector<Blob>> lock_held(const TenantId& tenant, StorageClass storage_class,
                                              const std::vector<ContentHash>& hashes) = 0;
  // Adds `count` references to each named blob, on existing rows only (never inserting), and
  // returns how many rows it changed. Lock the rows first (lock_held), in hash order.
  virtual Result<std::size_t> add_refs(
      StorageClass storage_class,
      const std::vector<std::pair<ContentHash, std::uint64_t>>& refs) = 0;
  // Drops `count` references from each named blob, locking the rows in content-hash order; a
  // count never goes below zero (fsck reports such damage).
  virtual Status release_refs(StorageClass storage_class,
                              const std::vector<std::pair<ContentHash, std::uint64_t>>& refs) = 0;
  // The blob's live references (see BlobAudit). Does not lock.
  virtual Result<std::uint64_t> count_live_refs(StorageClass storage_class,
                                                const ContentHash& hash) = 0;

  // Integrity (fsck, scrub).

  // Up to `limit` blobs of `storage_class` whose hash comes after `after` (all when nullopt), in
  // hash order, each with its live references, read in one snapshot. Does not lock.
  virtual Result<std::vector<BlobAudit>> audit(StorageClass storage_class,
                                               const std::optional<ContentHash>& after,
                                               std::size_t limit) = 0;
  // Up to `limit` contents of `storage_class` that COMMITTED objects point at but that have no
  // blob row, each as a BlobAudit whose blob has ref_count 0 and the objects' size. Does not lock.
  virtual Result<std::vector<BlobAudit>> audit_rowless(StorageClass storage_class,
                                                       std::size_t limit) = 0;
  // The blob's row, locked until the transaction ends; nullopt if there is none.
  virtual Result<std::optional<Blob>> lock(StorageClass storage_class, const ContentHash& hash) = 0;
  // Sets the blob's ref_count, inserting a row of `size_bytes` if there is none.
  virtual Status set_ref_count(StorageClass storage_class, const ContentHash& hash,
                               std::uint64_t size_bytes, std::uint64_t ref_count) = 0;
  // Up to `limit` blobs with ref_count > 0 not verified at or after `since` (never verified
  // first, then least recently verified). Does not lock.
  virtual Result<std::vector<Blob>> unverified_since(Timestamp since, std::size_t limit) = 0;
  // Records that the scrubber verified the blob at `now` and found it intact (clears its damage
  // mark) or damaged (sets the mark, keeping the first time). Returns whether it was marked
  // damaged before; false, changing nothing, if the row is gone.
  virtual Result<bool> record_verification(StorageClass storage_class, const ContentHash& hash,
                                           Timestamp now, bool intact) = 0;
};

}  // namespace castor
