#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "client/blob_api.h"
#include "client/context.h"
#include "client/scan.h"

namespace castor::client {

// Uploads one file's content as a blob. Every file goes as one streamed PUT /v1/blobs/{hash}
// today. Files larger than `part_size` are where resumable upload sessions (/v1/uploads: parts
// of `part_size`, resumed after an interruption) plug in once the server has them: upload()
// chooses the path, so push needs no change. Thread-safe (each call uses the caller's client).
class BlobUploader {
 public:
  BlobUploader(const Context& context, std::uint64_t part_size)
      : context_(context), part_size_(part_size) {}

  Result<BlobPut> upload(HttpClient& http, const ScannedFile& file, const std::string& hash,
                         const std::function<void(std::int64_t)>& on_progress) const;

  std::uint64_t part_size() const { return part_size_; }

 private:
  // One streamed PUT of the whole file.
  Result<BlobPut> upload_whole(HttpClient& http, const ScannedFile& file, const std::string& hash,
                               const std::function<void(std::int64_t)>& on_progress) const;

  const Context& context_;
  std::uint64_t part_size_;
};

}  // namespace castor::client
