#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "domain/blob.h"
#include "domain/error.h"

namespace castor {

// The blobs table (one row per stored content per storage class, with its reference count), seen
// through one transaction (see MetadataStore). Not thread-safe; must not outlive its transaction.
// Infrastructure failures are returned as Unavailable, Aborted or Internal.
class BlobRepository {
 public:
  virtual ~BlobRepository() = default;

  // Adds one reference to the blob, inserting it with ref_count 1 if it has no row, and locks the
  // row until the transaction ends. Returns the blob after the change.
  virtual Result<Blob> add_ref(StorageClass storage_class, const ContentHash& hash,
                               std::uint64_t size_bytes) = 0;

  // Drops one reference and locks the row. NotFound if there is no row; FailedPrecondition if its
  // count is already zero. Returns the blob after the change.
  virtual Result<Blob> release(StorageClass storage_class, const ContentHash& hash) = 0;

  // The blob's row, or nullopt if there is none. Does not lock.
  virtual Result<std::optional<Blob>> find(StorageClass storage_class, const ContentHash& hash) = 0;

  // Of `hashes`, those with no row in `storage_class`. Does not lock.
  virtual Result<std::vector<ContentHash>> missing(StorageClass storage_class,
                                                   const std::vector<ContentHash>& hashes) = 0;

  // Locks and returns up to `limit` blobs with ref_count 0, skipping rows other transactions hold.
  virtual Result<std::vector<Blob>> lock_unreferenced(std::size_t limit) = 0;

  // Deletes the row if its ref_count is still zero. Returns whether a row was deleted.
  virtual Result<bool> remove_unreferenced(StorageClass storage_class, const ContentHash& hash) = 0;
};

}  // namespace castor
