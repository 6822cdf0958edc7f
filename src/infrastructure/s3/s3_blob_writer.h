#pragma once

#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/checksummer.h"
#include "infrastructure/s3/s3_client.h"

namespace castor {

class S3BlobStore;

// An upload's content on its way to an S3 bucket, hashed (SHA-256) as it arrives. Up to
// part_size bytes stay in memory (place() PutObject's them to the content key). When more
// arrives, a multipart upload starts at the temp key ({prefix}.tmp/{object id}) and each full
// part is sent on the store's transfer pool while the next one fills: at most one part in flight
// and one filling, so memory is about two parts; write() waits while the previous part is still
// in flight. A failed part or call fails that write() or finish() and every call after it, and
// aborts the multipart upload. finish() sends the last part and completes the upload at the temp
// key. Destroying a writer whose content was not placed aborts its multipart upload or deletes
// its temp key (best effort, logged; on the transfer pool when destroyed on an IO thread).
// Not thread-safe (one upload). The store outlives it.
class S3BlobWriter final : public BlobWriter {
 public:
  // Use S3BlobStore::create_temp.
  S3BlobWriter(S3BlobStore& store, std::string object, std::unique_ptr<Checksummer> sha);
  ~S3BlobWriter() override;
  S3BlobWriter(const S3BlobWriter&) = delete;
  S3BlobWriter& operator=(const S3BlobWriter&) = delete;

  // Blocks while a part is in flight and the next one is full (network): call from a worker.
  // Unavailable / PermissionDenied / Internal as S3Client returns them; OutOfRange past 10000
  // parts.
  Status write(std::span<const std::byte> data) override;
  std::uint64_t size() const override { return size_; }
  Result<ContentHash> finish() override;

  // For S3BlobStore::place.
  bool finished() const { return hash_.has_value(); }
  // Whether the content is in memory (not past one part): it goes up by PutObject.
  bool in_memory() const { return !completed_ && !upload_id_; }
  std::span<const std::byte> memory() const { return filling_; }
  const std::string& temp_key() const { return temp_key_; }
  // Deletes the temp key if the content went there (logged, not failed: the collector removes
  // temp keys left behind), and marks the content placed: the destructor then leaves it be.
  void drop_temp();
  void mark_placed() { placed_ = true; }

 private:
  struct Part;

  // Sends filling_ as the next part (after the one in flight has landed).
  Status send_part();
  // Waits for the part in flight, records its ETag and recycles its buffer.
  Status wait_in_flight();
  // Records `error` as the writer's failure and aborts the multipart upload; returns it.
  Error fail(Error error);
  // Reserves room in filling_ for `needed` bytes, in steps, never past part_size.
  void reserve(std::size_t needed);
  // Re-counts the bytes held in buffers into the store's accounting.
  void account();
  // What the destructor leaves to clean up, done now (blocking).
  static void clean_up(S3Client& client, const std::string& key,
                       const std::optional<std::string>& upload_id, bool completed,
                       const std::shared_ptr<Part>& in_flight);

  S3BlobStore& store_;
  std::string object_;
  std::string temp_key_;
  std::size_t part_size_;
  std::unique_ptr<Checksummer> sha_;
  std::uint64_t size_ = 0;
  std::vector<std::byte> filling_;  // the part being received (or all the content, in memory)
  std::vector<std::byte> spare_;    // the buffer of the last part sent, reused for the next
  std::optional<std::string> upload_id_;
  std::vector<S3UploadedPart> parts_;  // the parts that landed, in order
  std::shared_ptr<Part> in_flight_;    // the part on the transfer pool, if any
  bool completed_ = false;             // the multipart upload completed: the temp key exists
  std::optional<Error> failed_;
  std::optional<ContentHash> hash_;
  bool placed_ = false;
  std::uint64_t accounted_ = 0;  // bytes this writer counts in the store's buffered_bytes()
};

}  // namespace castor
