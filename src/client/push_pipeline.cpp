#include "client/push_pipeline.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "client/blob_api.h"
#include "client/blob_batch_uploader.h"
#include "client/bounded_queue.h"
#include "client/client_pool.h"
#include "client/keyed_push.h"
#include "client/parallel.h"
#include "client/progress.h"
#include "client/push_batches.h"
#include "client/sha256.h"
#include "client/worker_pool.h"

namespace castor::client {
namespace {

// A batch on its way from the hashing stage to the uploading stage.
struct HashedBatch {
  BatchRange range{};
  std::vector<BlobUpload> uploads{};  // --bundle: its new contents the server lacks, file order
};

int hash_threads(const PushOptions& options) {
  if (options.batching.hash_threads > 0) {
    return options.batching.hash_threads;
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, std::min(options.jobs, cores));
}

class Pipeline {
 public:
  Pipeline(const Context& context, const PushOptions& options,
           const std::vector<ScannedFile>& files)
      : context_(context),
        options_(options),
        files_(files),
        hashes_(files.size()),
        queue_(options.batching.queued),
        board_(context.style()) {
    std::uint64_t bytes = 0;
    for (const ScannedFile& file : files) {
      bytes += file.size;
    }
    hashing_.emplace(board_, "hashing", files.size(), bytes);
    if (options.bundle && !options.dry_run) {
      uploading_.emplace(board_, "uploading", 0, 0, false);
    }
    if (options.prefix) {
      objects_.emplace(board_, options.dry_run ? "checking" : "objects", files.size(), bytes);
    }
  }

  Result<HashedFiles> run(PushSummary& summary) {
    std::thread hasher([this] { hash_stage(); });
    if (Status s = upload_stage(summary); !s) {
      fail(s.error());
    }
    hasher.join();
    for (auto* phase : {&hashing_, &uploading_, &objects_}) {
      if (*phase) {
        (*phase)->finish();
      }
    }
    board_.stop();
    if (error_) {
      return *error_;
    }
    summary.blobs_total = first_file_.size();
    return HashedFiles{.hashes = std::move(hashes_), .first_file = std::move(first_file_)};
  }

 private:
  // Records the first error and stops both stages.
  void fail(Error error) {
    {
      std::lock_guard lock(error_mutex_);
      if (!error_) {
        error_ = std::move(error);
      }
    }
    stopping_.store(true);
    queue_.cancel();
  }

  // The hashing stage (a thread of its own): hash, preflight and queue one batch after the other.
  void hash_stage() {
    HttpClient http(context_.http_options());
    for (const BatchRange range : cut_batches(files_, options_.batching)) {
      if (Status s = hash_batch(range); !s) {
        if (!stopping_.load()) {
          fail(s.error());
        }
        return;
      }
      auto batch = preflight_batch(http, range);
      if (!batch) {
        fail(std::move(batch).error());
        return;
      }
      if (!queue_.push(*std::move(batch))) {
        return;  // the uploading stage failed
      }
    }
    hashing_->finish();
    if (uploading_) {
      uploading_->close_totals();
    }
    queue_.close();
  }

  Status hash_batch(BatchRange range) {
    return run_parallel(range.size(), hash_threads(options_), [&](std::size_t i, int) -> Status {
      if (stopping_.load()) {
        return Error{ErrorCode::kAborted, "push stopped"};  // never reported: an error came first
      }
      const std::size_t index = range.begin + i;
      auto hash = hash_file(files_[index].source, [&](std::size_t n) {
        hashing_->add_bytes(static_cast<std::int64_t>(n));
      });
      if (!hash) {
        return std::move(hash).error();
      }
      hashes_[index] = *std::move(hash);
      hashing_->add_file();
      return {};
    });
  }

  // The batch with, for a bundle, the contents first seen in it that the server lacks.
  Result<HashedBatch> preflight_batch(HttpClient& http, BatchRange range) {
    HashedBatch batch{.range = range};
    std::vector<std::size_t> fresh;  // the first file of each content new in this batch
    for (std::size_t i = range.begin; i < range.end; ++i) {
      if (first_file_.emplace(hashes_[i], i).second) {
        fresh.push_back(i);
      }
    }
    if (!options_.bundle || fresh.empty()) {
      return batch;
    }
    std::vector<std::string> asked;
    asked.reserve(fresh.size());
    for (const std::size_t i : fresh) {
      asked.push_back(hashes_[i]);
    }
    auto missing = find_missing(http, context_.config, asked);
    if (!missing) {
      return std::move(missing).error();
    }
    const std::set<std::string> lacking(missing->begin(), missing->end());
    std::uint64_t bytes = 0;
    for (const std::size_t i : fresh) {
      if (lacking.contains(hashes_[i])) {
        batch.uploads.push_back({.file = i, .hash = hashes_[i]});
        bytes += files_[i].size;
      }
    }
    if (uploading_) {
      uploading_->add_total(batch.uploads.size(), bytes);
    }
    return batch;
  }

  // The uploading stage (the calling thread): the queued batches' uploads, in order.
  Status upload_stage(PushSummary& summary) {
    const int jobs = std::max(1, options_.jobs);
    ClientPool clients(context_.http_options(), jobs);
    std::optional<BlobBatchUploader> blobs;
    if (uploading_) {
      blobs.emplace(context_, files_, options_.part_size, jobs, *uploading_);
    }
    std::optional<KeyedPush> keyed;
    if (objects_) {
      keyed.emplace(context_, options_, files_, hashes_, *objects_);
    }
    Status status;
    {
      WorkerPool pool(jobs);  // before blobs and keyed go: its tasks use them
      while (status) {
        std::optional<HashedBatch> batch = queue_.pop();
        if (!batch) {
          break;
        }
        summary.blobs_missing += batch->uploads.size();
        status = take(*batch, pool, clients, blobs, keyed);
      }
      Status drained = pool.drain();
      if (status) {
        status = drained;
      }
    }
    if (blobs) {
      blobs->add_to(summary);
    }
    if (keyed) {
      keyed->add_to(summary);
    }
    if (uploading_) {
      uploading_->finish();
    }
    if (objects_) {
      objects_->finish();
    }
    return status;
  }

  // Starts the uploads of `batch` on `pool`; returns once at most one task per connection is
  // still waiting, so that the next batch's tasks queue behind this one's last.
  Status take(const HashedBatch& batch, WorkerPool& pool, ClientPool& clients,
              std::optional<BlobBatchUploader>& blobs, std::optional<KeyedPush>& keyed) {
    if (blobs) {
      if (blobs->has_large(batch.uploads)) {
        if (Status s = pool.drain(); !s) {
          return s;
        }
        if (Status s = blobs->upload_large(clients, batch.uploads); !s) {
          return s;
        }
      }
      blobs->submit_small(pool, clients, batch.uploads);
    }
    if (keyed) {
      if (blobs) {  // a file's blob is stored before its keyed object, as without a pipeline
        if (Status s = pool.drain(); !s) {
          return s;
        }
      }
      keyed->submit(pool, clients, batch.range);
      if (keyed->has_large(batch.range)) {
        if (Status s = pool.drain(); !s) {
          return s;
        }
        if (Status s = keyed->upload_deferred(clients); !s) {
          return s;
        }
      }
    }
    return pool.wait_queued_at_most(static_cast<std::size_t>(pool.workers()));
  }

  const Context& context_;
  const PushOptions& options_;
  const std::vector<ScannedFile>& files_;
  // Written by the hashing stage, one batch at a time, before the batch is queued (the queue's
  // lock orders those writes before the uploading stage's reads).
  std::vector<std::string> hashes_;
  std::map<std::string, std::size_t> first_file_;  // only the hashing stage, then run()
  BoundedQueue<HashedBatch> queue_;
  std::atomic<bool> stopping_{false};
  std::mutex error_mutex_;
  std::optional<Error> error_;  // guarded by error_mutex_; read by run() after the join
  ProgressBoard board_;         // before the phases: they finish onto it
  std::optional<Progress> hashing_, uploading_, objects_;
};

}  // namespace

Result<HashedFiles> run_push_pipeline(const Context& context, const PushOptions& options,
                                      const std::vector<ScannedFile>& files, PushSummary& summary) {
  return Pipeline(context, options, files).run(summary);
}

}  // namespace castor::client
