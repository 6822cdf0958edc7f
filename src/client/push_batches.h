#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "client/scan.h"

namespace castor::client {

// How a push cuts its files (in scan order) into the batches that are hashed, preflighted and
// uploaded one after the other in a pipeline (see push_pipeline.h). Batches grow: the first holds
// at most first_files files and first_bytes bytes, each next one twice as many, up to max_files
// and max_bytes; so uploads start once a small first batch is hashed, and later batches need few
// preflights. A batch ends before the file that would take it past a limit; a file larger than
// the byte limit is a batch of its own.
struct PushBatching {
  std::size_t max_files = 1000;  // at most kMaxPreflightHashes (one preflight per batch)
  std::uint64_t max_bytes = 256ull << 20;
  std::size_t first_files = 64;
  std::uint64_t first_bytes = 16ull << 20;
  // Hashed batches waiting for the upload stage, at most (memory: their hashes, never contents).
  std::size_t queued = 2;
  // Threads that hash a batch; 0: as many as the machine has cores, at most --jobs.
  int hash_threads = 0;
};

// Files [begin, end) of a scan.
struct BatchRange {
  std::size_t begin = 0;
  std::size_t end = 0;

  std::size_t size() const { return end - begin; }
  bool operator==(const BatchRange&) const = default;
};

// The batches of `files` per `batching`, in order, covering every file once (none when `files` is
// empty). Limits below 1 count as 1; max_files is capped at kMaxPreflightHashes.
std::vector<BatchRange> cut_batches(const std::vector<ScannedFile>& files,
                                    const PushBatching& batching);

}  // namespace castor::client
