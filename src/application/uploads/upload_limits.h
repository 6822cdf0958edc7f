#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace castor {

// The configured bounds of upload sessions (docs/BLOBS_AND_BUNDLES.md, "Upload sessions").
struct UploadLimits {
  std::uint64_t max_size = 0;              // bytes per part and per whole (MAX_OBJECT_SIZE)
  std::chrono::seconds ttl{86400};         // UPLOAD_TTL_SECONDS
  std::size_t max_open = 1000;             // MAX_OPEN_UPLOADS per tenant
  std::chrono::seconds blob_grace{86400};  // BLOB_GRACE_SECONDS, for blob sessions
  std::uint64_t part_size_hint = 64ull * 1024 * 1024;  // bytes, told to clients
  // S3 multipart: the least size of every part but the last (EntityTooSmall below it). S3's is
  // 5 MiB (kS3MinPartSize); S3_MIN_PART_SIZE lowers it for tests.
  std::uint64_t s3_min_part_size = 5ull * 1024 * 1024;
};

}  // namespace castor
