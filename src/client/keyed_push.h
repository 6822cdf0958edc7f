#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "client/client_pool.h"
#include "client/context.h"
#include "client/progress.h"
#include "client/push.h"
#include "client/push_batches.h"
#include "client/scan.h"
#include "client/worker_pool.h"

namespace castor::client {

// The keyed-objects half of a push, batch after batch: for each file, the key
// <prefix><relative path>. A key whose object already has the file's hash (HEAD by key, ETag) is
// left alone; a missing key gets POST /v1/objects (a file over options.part_size: an upload
// session with the key, resumed if an interrupted push left one, see SessionUploader); a key
// holding other content is deleted, then uploaded. With options.dry_run only the HEADs are sent.
// The checks and POSTs are tasks of a WorkerPool (worker i on connection i of a ClientPool); the
// sessions run on all connections while the pool is idle. `files`, `hashes` (index: file) and
// `progress` outlive it; a file's hash is set before its batch is submitted.
class KeyedPush {
 public:
  KeyedPush(const Context& context, const PushOptions& options,
            const std::vector<ScannedFile>& files, const std::vector<std::string>& hashes,
            Progress& progress)
      : context_(context), options_(options), files_(files), hashes_(hashes), progress_(progress) {}

  // Whether `batch` holds a file over the part size (then call upload_deferred after it, with the
  // pool idle).
  bool has_large(BatchRange batch) const;
  // Queues the check (and upload) of each file of `batch` on `pool`; `clients` has one connection
  // per worker. Files over the part size whose key needs them are kept for upload_deferred().
  void submit(WorkerPool& pool, ClientPool& clients, BatchRange batch);
  // Uploads the kept files through upload sessions on `clients`, whose connections nothing else
  // uses meanwhile. Not thread-safe.
  Status upload_deferred(ClientPool& clients);

  // Adds the objects' counters and bytes sent; once the pool is idle.
  void add_to(PushSummary& summary) const;

 private:
  // What a key holds now: nothing, the file's content, or something else.
  enum class KeyState { kMissing, kSame, kDifferent };

  Result<KeyState> key_state(HttpClient& http, const std::string& key,
                             const std::string& hash) const;
  Status push_file(HttpClient& http, std::size_t index);

  const Context& context_;
  const PushOptions& options_;
  const std::vector<ScannedFile>& files_;
  const std::vector<std::string>& hashes_;
  Progress& progress_;
  std::atomic<std::uint64_t> created_{0}, replaced_{0}, unchanged_{0}, sent_{0};
  SessionTotals sessions_{};  // only upload_deferred() writes it
  std::mutex deferred_mutex_;
  std::vector<std::pair<std::size_t, KeyState>> deferred_;  // guarded by deferred_mutex_
};

}  // namespace castor::client
