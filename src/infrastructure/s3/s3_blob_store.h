#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "application/ports/blob_store.h"
#include "application/ports/checksummer.h"
#include "application/ports/clock.h"
#include "infrastructure/s3/content_keys.h"
#include "infrastructure/s3/s3_backend_settings.h"
#include "infrastructure/s3/s3_client.h"
#include "infrastructure/s3/transfer_pool.h"

namespace castor {

// BlobStore over one bucket of an S3-compatible service (S3Client), for ONE storage class: the
// composite store routes each class to its own backend, so a call for another class is a
// programming error (asserted). Key layout: ContentKeys.
//
// Uploads (S3BlobWriter): content up to settings.part_size stays in memory and is PutObject'ed
// straight to its content key by place(); larger content streams as a multipart upload to the
// temp key, a part on the transfer pool while the next one fills, and place() CopyObject's it to
// the content key. Nothing reaches a content key before place(), which the caller runs under the
// content lock, before it commits the blob row. Downloads (S3BlobReader): ranged GETs of
// part_size windows with read-ahead.
//
// Every method blocks on the network: call from worker threads, never from an IO thread.
// Thread-safe. Errors are S3Client's (NotFound, PermissionDenied, Unavailable, Internal), plus
// DataLoss when content is shorter than its size says.
class S3BlobStore final : public BlobStore {
 public:
  // A store over `client`'s bucket for `storage_class`. Does not contact the bucket (check()
  // does). `clock` (not owned, outlives the store; null: the system clock) times live uploads.
  // InvalidArgument if the client is null, part_size is 0 or the prefix neither "" nor ends in
  // '/'.
  static Result<std::unique_ptr<S3BlobStore>> create(std::unique_ptr<S3Client> client,
                                                     S3BackendSettings settings,
                                                     StorageClass storage_class,
                                                     Clock* clock = nullptr);
  ~S3BlobStore() override;

  // HeadBucket (S3Client::check_bucket): start-up and /ready use it.
  Status check();

  Result<std::unique_ptr<BlobWriter>> create_temp(StorageClass storage_class,
                                                  const ObjectId& object) override;
  Status place(BlobWriter& writer, StorageClass storage_class, const ContentHash& hash) override;
  Result<std::unique_ptr<BlobReader>> open(StorageClass storage_class,
                                           const ContentHash& hash) override;
  Result<bool> exists(StorageClass storage_class, const ContentHash& hash) override;
  Status remove(StorageClass storage_class, const ContentHash& hash) override;
  Result<std::optional<std::uint64_t>> size_of(StorageClass storage_class,
                                               const ContentHash& hash) override;
  Result<ContentHash> hash_content(StorageClass storage_class, const ContentHash& hash,
                                   const std::function<bool(std::uint64_t)>& pace) override;
  Result<ContentHash> hash_segments(StorageClass storage_class, std::span<const Segment> segments,
                                    const std::function<bool(std::uint64_t)>& pace) override;
  Status quarantine(StorageClass storage_class, const ContentHash& hash) override;
  Status remove_temp(StorageClass storage_class, const ObjectId& object) override;
  Result<std::optional<Timestamp>> temp_modified_at(StorageClass storage_class,
                                                    const ObjectId& object) override;
  // Aborts multipart uploads under {prefix}.tmp/ whose latest part (or start) is before `before`
  // and deletes {prefix}.tmp/ objects last modified before it, skipping this process's live
  // uploads. Reads at most the first 1000 multipart uploads and kTempPagesPerCall pages of temp
  // keys per call, resuming the key listing where the previous call stopped.
  Result<std::size_t> remove_temps_older_than(Timestamp before) override;
  Status scan(StorageClass storage_class,
              const std::function<Status(const std::vector<ContentHash>&)>& visit) override;
  Result<ContentPage> scan_page(StorageClass storage_class, const std::optional<ContentHash>& after,
                                std::size_t limit) override;
  bool is_remote(StorageClass /*storage_class*/) const override { return true; }
  Result<std::optional<std::string>> download_url(StorageClass storage_class,
                                                  const ContentHash& hash,
                                                  const DownloadUrlOptions& options) override;

  // Pages of temp keys remove_temps_older_than reads per call.
  static constexpr int kTempPagesPerCall = 4;
  // ListObjectsV2 requests one scan_page makes at most once it holds a hash (keys that are not
  // content are skipped; a page is never empty unless it is the end).
  static constexpr int kListRequestsPerScanPage = 8;

  // Bytes held now, and at most so far, by the part buffers of this store's writers and the
  // windows of its readers (memory per upload is about two parts, per reader two windows).
  std::uint64_t buffered_bytes() const { return buffered_.load(); }
  std::uint64_t peak_buffered_bytes() const { return peak_buffered_.load(); }

  const ContentKeys& keys() const { return keys_; }
  const S3BackendSettings& settings() const { return settings_; }

 private:
  friend class S3BlobWriter;
  friend class S3BlobReader;

  S3BlobStore(std::unique_ptr<S3Client> client, S3BackendSettings settings,
              StorageClass storage_class, Clock* clock);

  S3Client& client() { return *client_; }
  TransferPool& pool() { return *pool_; }
  Timestamp now() { return clock_->now(); }
  // Adds `delta` bytes to buffered_bytes() (negative: released).
  void account(std::int64_t delta);
  // The live-upload registry behind temp_modified_at: a writer registers its object, marks each
  // write, and leaves when destroyed.
  void writer_started(const std::string& object);
  void writer_wrote(const std::string& object);
  void writer_ended(const std::string& object);
  std::optional<Timestamp> live_write_at(const std::string& object);
  // Opens a reader of `key` (HEAD for its size). NotFound if there is none.
  Result<std::unique_ptr<BlobReader>> open_key(const std::string& key);
  // Reads `key` through, adding its bytes to `sha` and calling `pace` as hash_content says;
  // returns how many bytes it held. NotFound if there is no such key; Aborted if `pace` stops.
  Result<std::uint64_t> hash_into(const std::string& key, Checksummer& sha,
                                  const std::function<bool(std::uint64_t)>& pace);
  void check_class(StorageClass storage_class) const;

  struct LiveUpload {
    int writers = 0;
    Timestamp last_write{};
  };

  std::unique_ptr<S3Client> client_;
  S3BackendSettings settings_;
  StorageClass storage_class_;
  ContentKeys keys_;
  std::unique_ptr<Clock> own_clock_;  // the system clock, when none was given
  Clock* clock_;
  std::atomic<std::uint64_t> buffered_{0};
  std::atomic<std::uint64_t> peak_buffered_{0};
  std::mutex live_mu_;
  std::map<std::string, LiveUpload> live_;  // object id -> its writers here; guarded by live_mu_
  std::mutex temp_scan_mu_;
  std::string
      temp_scan_after_;  // where the next temp-key listing resumes; guarded by temp_scan_mu_
  // Last: destroyed (threads joined, queued tasks run) before the members its tasks use.
  std::unique_ptr<TransferPool> pool_;
};

}  // namespace castor
