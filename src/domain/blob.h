#pragma once

#include <cstdint>

#include "domain/content_hash.h"
#include "domain/error.h"
#include "domain/storage_class.h"

namespace castor {

// Physical content, stored once per (storage class, content hash), shared by every object and
// bundle file with that content. `ref_count` counts what points at it: COMMITTED objects, bundle
// files, segments of composite blobs and parts of open upload sessions; it never goes below zero. A
// blob at zero is garbage for the collector once its retention (BLOB_GRACE_SECONDS after a store
// through the blob API) has passed.
//
// Where the bytes are: a content file (BlobStore), the segments of a composite blob, or, for
// small content (INLINE_MAX_BYTES, docs/PERFORMANCE.md "Small objects"), the blob row itself
// (`stored_inline`); the row may also hold them beside a file.
class Blob {
 public:
  Blob(StorageClass storage_class, ContentHash hash, std::uint64_t size_bytes,
       std::uint64_t ref_count, bool stored_inline = false)
      : storage_class_(storage_class),
        hash_(std::move(hash)),
        size_bytes_(size_bytes),
        ref_count_(ref_count),
        stored_inline_(stored_inline) {}

  void add_ref() { ++ref_count_; }
  // Drops one reference. FailedPrecondition if the count is already zero.
  Status release();

  bool unreferenced() const { return ref_count_ == 0; }
  StorageClass storage_class() const { return storage_class_; }
  const ContentHash& hash() const { return hash_; }
  std::uint64_t size_bytes() const { return size_bytes_; }
  std::uint64_t ref_count() const { return ref_count_; }
  // Whether the row holds the content (when the repository read that column; false otherwise).
  bool stored_inline() const { return stored_inline_; }

 private:
  StorageClass storage_class_;
  ContentHash hash_;
  std::uint64_t size_bytes_;
  std::uint64_t ref_count_;
  bool stored_inline_;
};

}  // namespace castor
