#include "client/push_batches.h"

#include <algorithm>

#include "client/blob_api.h"

namespace castor::client {

std::vector<BatchRange> cut_batches(const std::vector<ScannedFile>& files,
                                    const PushBatching& batching) {
  const std::size_t max_files = std::clamp<std::size_t>(batching.max_files, 1, kMaxPreflightHashes);
  const std::uint64_t max_bytes = std::max<std::uint64_t>(batching.max_bytes, 1);
  std::size_t limit_files = std::clamp<std::size_t>(batching.first_files, 1, max_files);
  std::uint64_t limit_bytes = std::clamp<std::uint64_t>(batching.first_bytes, 1, max_bytes);
  std::vector<BatchRange> batches;
  std::size_t index = 0;
  while (index < files.size()) {
    BatchRange batch{.begin = index, .end = index};
    std::uint64_t bytes = 0;
    while (batch.end < files.size() && batch.size() < limit_files &&
           (batch.size() == 0 || bytes + files[batch.end].size <= limit_bytes)) {
      bytes += files[batch.end].size;
      ++batch.end;
    }
    batches.push_back(batch);
    index = batch.end;
    limit_files = std::min(max_files, limit_files * 2);
    limit_bytes = std::min(max_bytes, limit_bytes * 2);
  }
  return batches;
}

}  // namespace castor::client
