#pragma once

#include <vector>

#include "domain/error.h"
#include "domain/segment.h"
#include "domain/storage_class.h"

namespace castor {

// The blob_segments table: the segments of composite blobs (docs/BLOBS_AND_BUNDLES.md,
// "Segmented content"), seen through one transaction (see MetadataStore). Not thread-safe; must
// not outlive its transaction. Infrastructure failures are returned as Unavailable, Aborted or
// Internal.
//
// A segment row is a reference on its segment blob, held while the composite blob has it.
class SegmentRepository {
 public:
  virtual ~SegmentRepository() = default;

  // The segments of blob (storage_class, hash) in content order; empty for a blob stored as one
  // file (or with no row). Does not lock.
  virtual Result<std::vector<Segment>> segments(StorageClass storage_class,
                                                const ContentHash& hash) = 0;

  // Records `segments` (laid out, non-empty) as the layout of the blob (storage_class, hash),
  // whose row must exist and be locked by the caller (under its content lock) and must have no
  // segments yet (AlreadyExists otherwise), and adds one reference per segment row to each
  // segment blob. FailedPrecondition if a segment blob has no row (it was never stored or was
  // collected): nothing is changed then.
  virtual Status attach(StorageClass storage_class, const ContentHash& hash,
                        const std::vector<Segment>& segments) = 0;

  // Deletes the segment rows of the blob (storage_class, hash), dropping their references on the
  // segment blobs, and returns them in no particular order (empty for a blob without segments). For
  // the collector, in the transaction that deletes the blob's row.
  virtual Result<std::vector<Segment>> detach(StorageClass storage_class,
                                              const ContentHash& hash) = 0;
};

}  // namespace castor
