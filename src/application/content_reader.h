#pragma once

#include <memory>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/checksummer.h"
#include "application/ports/metadata_store.h"
#include "domain/segment.h"

namespace castor {

// Content is read from one of three places, tried in this order: its content file (BlobStore),
// its blob row (small content, INLINE_MAX_BYTES: docs/PERFORMANCE.md "Small objects"), or, for a
// composite blob, its segments (docs/BLOBS_AND_BUNDLES.md, "Segmented content"), each of which is
// a blob read the same way.

// The SHA-256 of `content`: the address of content held in memory. Internal if `sha256` cannot
// make a SHA-256 checksummer.
Result<ContentHash> hash_bytes(const ChecksummerFactory& sha256,
                               std::span<const std::byte> content);

// A reader over content held in memory (the blob row's bytes).
std::unique_ptr<BlobReader> memory_reader(std::vector<std::byte> content);

// A reader over a segmented content: maps each read onto the segments it spans and opens a
// segment (its file, else its row's content from `metadata`) when a read first reaches it (one
// open at a time). A read fails with NotFound if a segment's content is missing and DataLoss if
// it is shorter than its segment. Not thread-safe.
std::unique_ptr<BlobReader> segmented_reader(MetadataStore& metadata, BlobStore& blobs,
                                             StorageClass storage_class,
                                             std::vector<Segment> segments);

// Opens the content (storage_class, hash) for reading wherever it is stored (above). NotFound
// when it is nowhere. Blocking.
Result<std::unique_ptr<BlobReader>> open_content(MetadataStore& metadata, BlobStore& blobs,
                                                 StorageClass storage_class,
                                                 const ContentHash& hash);

// The part of open_content() after the content file was found missing: the row's content, else
// the segments, read through the caller's transaction `tx` (a segmented reader keeps `metadata`
// for its segments, opened later). NotFound when it has neither. Blocking.
Result<std::unique_ptr<BlobReader>> open_unfiled_content(MetadataTransaction& tx,
                                                         MetadataStore& metadata, BlobStore& blobs,
                                                         StorageClass storage_class,
                                                         const ContentHash& hash);

// Whether the content (storage_class, hash) can be read: its file exists, its row holds it, or it
// has segments (each of which is a stored blob). Blocking.
Result<bool> content_present(MetadataStore& metadata, BlobStore& blobs, StorageClass storage_class,
                             const ContentHash& hash);
// The same inside the caller's transaction.
Result<bool> content_present(MetadataTransaction& tx, BlobStore& blobs, StorageClass storage_class,
                             const ContentHash& hash);

}  // namespace castor
