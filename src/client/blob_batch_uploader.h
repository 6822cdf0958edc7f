#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "client/client_pool.h"
#include "client/context.h"
#include "client/progress.h"
#include "client/push.h"
#include "client/scan.h"
#include "client/worker_pool.h"

namespace castor::client {

// A content to upload as a blob, from the first file that has it.
struct BlobUpload {
  std::size_t file = 0;  // index into the push's files
  std::string hash{};
};

// The blob uploads of a push, batch after batch: files up to the part size in one
// PUT /v1/blobs/{hash} each, as tasks of a WorkerPool (worker i on connection i of a ClientPool);
// larger ones through upload sessions (SessionUploader, resuming what an interrupted push left),
// on all connections while the pool is idle. Adds the bytes and files to `progress` and counts
// what it did for add_to(). `files` and `progress` outlive it.
class BlobBatchUploader {
 public:
  BlobBatchUploader(const Context& context, const std::vector<ScannedFile>& files,
                    std::uint64_t part_size, int jobs, Progress& progress)
      : context_(context), files_(files), part_size_(part_size), jobs_(jobs), progress_(progress) {}

  // Whether any of `uploads` goes through a session (then call upload_large with the pool idle).
  bool has_large(const std::vector<BlobUpload>& uploads) const;
  // Uploads those of `uploads` over the part size through sessions on `clients`, whose
  // connections nothing else uses meanwhile. Not thread-safe.
  Status upload_large(ClientPool& clients, const std::vector<BlobUpload>& uploads);
  // Queues one PUT on `pool` for each of `uploads` up to the part size; `clients` has one
  // connection per worker of `pool`. Their errors come from the pool (DataLoss naming the file
  // when it no longer has its hash).
  void submit_small(WorkerPool& pool, ClientPool& clients, const std::vector<BlobUpload>& uploads);

  // Adds blobs_uploaded, bytes_uploaded and the session counters; once the pool is idle.
  void add_to(PushSummary& summary) const;

 private:
  const Context& context_;
  const std::vector<ScannedFile>& files_;
  const std::uint64_t part_size_;
  const int jobs_;
  Progress& progress_;
  std::atomic<std::uint64_t> stored_{0}, sent_{0};  // PUTs that stored, bytes they sent
  SessionTotals sessions_{};                        // only upload_large() writes it
};

}  // namespace castor::client
