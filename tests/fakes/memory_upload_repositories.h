#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "application/ports/segment_repository.h"
#include "application/ports/upload_repository.h"

namespace castor::testing {

// The upload-session and segment tables of MemoryMetadataStore's state.
struct UploadTables {
  std::map<UploadId, UploadSession> sessions;
  std::map<UploadId, std::map<std::uint32_t, UploadPart>> parts;  // by session, then number
  std::map<std::pair<StorageClass, ContentHash>, std::vector<Segment>> segments;
};

// UploadRepository over `tables` (a transaction's copy of the state). Blob reference counts are
// the caller's business, as with the PostgreSQL adapter. Refuses writes (Internal) when read-only.
std::unique_ptr<UploadRepository> memory_upload_repository(UploadTables& tables, bool read_only);

// Adjusts a blob's reference count by `delta` (never below zero); false if it has no row.
using RefAdjuster = std::function<bool(StorageClass, const ContentHash&, std::int64_t delta)>;

// SegmentRepository over `tables`, adding and dropping segment references through `adjust`.
std::unique_ptr<SegmentRepository> memory_segment_repository(UploadTables& tables, bool read_only,
                                                             RefAdjuster adjust);

}  // namespace castor::testing
