#pragma once

#include <memory>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/metadata_store.h"
#include "domain/segment.h"

namespace castor {

// A reader over a segmented content (docs/BLOBS_AND_BUNDLES.md, "Segmented content"): maps each
// read onto the segments it spans and opens a segment's file when a read first reaches it (one
// file open at a time). A read fails with NotFound if a segment's file is missing and DataLoss if
// it is shorter than its segment. Not thread-safe.
std::unique_ptr<BlobReader> segmented_reader(BlobStore& blobs, StorageClass storage_class,
                                             std::vector<Segment> segments);

// Opens the content (storage_class, hash) for reading however it is stored: its content file, or
// when it has none, its segments (read from `metadata`). NotFound when it has neither. Blocking.
Result<std::unique_ptr<BlobReader>> open_content(MetadataStore& metadata, BlobStore& blobs,
                                                 StorageClass storage_class,
                                                 const ContentHash& hash);

// Whether the content (storage_class, hash) can be read: its file exists, or it has segments (each
// of which is a stored blob). Blocking.
Result<bool> content_present(MetadataStore& metadata, BlobStore& blobs, StorageClass storage_class,
                             const ContentHash& hash);
// The same inside the caller's transaction.
Result<bool> content_present(MetadataTransaction& tx, BlobStore& blobs, StorageClass storage_class,
                             const ContentHash& hash);

}  // namespace castor
