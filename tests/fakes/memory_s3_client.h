#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "application/ports/clock.h"
#include "infrastructure/s3/s3_client.h"

namespace castor::testing {

// The operations of S3Client, for fault injection and counting.
enum class S3Op {
  kCheckBucket,
  kHead,
  kPut,
  kGet,
  kRemove,
  kCopy,
  kList,
  kCreateMultipart,
  kUploadPart,
  kCompleteMultipart,
  kAbortMultipart,
  kListMultipartUploads,
  kLastPartAt,
};

// One call, as the observing hook sees it.
struct S3Call {
  S3Op op;
  std::string key;        // the key (the source for a copy; the prefix for the listings)
  int part_number = 0;    // kUploadPart
  std::size_t bytes = 0;  // kPut and kUploadPart: the body; kGet: the bytes asked for
};

// S3Client over one bucket in memory, with S3's semantics: keys in ascending byte order;
// multipart uploads invisible until completed (CompleteMultipartUpload makes the object the
// concatenation of the parts listed, in order; each must exist with its ETag); ranged reads;
// CopyObject; ListMultipartUploads; the time of an upload's latest part. Times come from `clock`.
// Thread-safe.
//
// Faults: fail_next(op, n, error) fails the next n calls of `op` with `error`, after the hook.
// The hook sees every call as it starts, outside the lock (it may block, to hold a call in
// flight). calls(op) counts calls, failed ones included. The fake also keeps the bytes of
// UploadPart calls in flight at once: overall and per upload, at most so far.
class MemoryS3Client final : public S3Client {
 public:
  explicit MemoryS3Client(Clock& clock) : clock_(clock) {}

  Status check_bucket() override;
  Result<std::optional<S3ObjectInfo>> head(const std::string& key) override;
  Status put(const std::string& key, std::span<const std::byte> body) override;
  Result<std::size_t> get(const std::string& key, std::uint64_t offset,
                          std::span<std::byte> out) override;
  Status remove(const std::string& key) override;
  Status copy(const std::string& from, const std::string& to, std::uint64_t size) override;
  Result<S3ListPage> list(const std::string& prefix, const std::string& start_after,
                          std::size_t max_keys) override;
  Result<std::string> create_multipart(const std::string& key) override;
  Result<std::string> upload_part(const std::string& key, const std::string& upload_id, int number,
                                  std::span<const std::byte> body) override;
  Status complete_multipart(const std::string& key, const std::string& upload_id,
                            const std::vector<S3UploadedPart>& parts) override;
  Status abort_multipart(const std::string& key, const std::string& upload_id) override;
  Result<std::vector<S3MultipartUpload>> list_multipart_uploads(const std::string& prefix) override;
  Result<std::optional<Timestamp>> last_part_at(const std::string& key,
                                                const std::string& upload_id) override;
  // "memory://bucket/{key}?X-Amz-Expires={ttl}" plus response-content-type and
  // response-content-disposition when given (not escaped).
  std::string presign_get(const std::string& key, std::chrono::seconds ttl,
                          std::string_view content_type,
                          std::string_view content_disposition) const override;

  // Faults and observation.
  void fail_next(S3Op op, int n, Error error);
  void on_call(std::function<void(const S3Call&)> hook);
  std::size_t calls(S3Op op) const;
  void reset_counts();
  // The most bytes of UploadPart bodies in flight at once: over all uploads, and in one upload.
  std::size_t max_part_bytes_in_flight() const;
  std::size_t max_part_bytes_in_flight_per_upload() const;

  // Inspection and set-up, outside the S3 API.
  std::optional<std::string> object(const std::string& key) const;
  std::optional<Timestamp> modified(const std::string& key) const;
  std::vector<std::string> keys() const;
  void put_object(const std::string& key, std::string_view bytes);
  // Multipart uploads in progress.
  std::size_t upload_count() const;
  // The part sizes of each completed multipart upload, in completion order, with its key.
  struct Completed {
    std::string key;
    std::vector<std::size_t> part_sizes;
  };
  std::vector<Completed> completed_uploads() const;
  // How many multipart uploads were aborted.
  std::size_t aborted_uploads() const;

 private:
  struct Stored {
    std::string bytes;
    Timestamp modified;
  };
  struct Part {
    std::string bytes;
    std::string etag;
    Timestamp at;
  };
  struct Upload {
    std::string key;
    Timestamp initiated;
    std::map<int, Part> parts;
  };

  // Counts the call, runs the hook, and returns the injected fault, if any.
  std::optional<Error> begin(const S3Call& call);

  Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Stored> objects_;                // guarded by mu_
  std::map<std::string, Upload> uploads_;                // upload id -> upload; guarded by mu_
  std::uint64_t next_upload_ = 1;                        // guarded by mu_
  std::map<S3Op, std::pair<int, Error>> faults_;         // guarded by mu_
  std::map<S3Op, std::size_t> counts_;                   // guarded by mu_
  std::function<void(const S3Call&)> hook_;              // guarded by mu_
  std::size_t part_bytes_in_flight_ = 0;                 // guarded by mu_
  std::map<std::string, std::size_t> upload_in_flight_;  // guarded by mu_
  std::size_t max_in_flight_ = 0;                        // guarded by mu_
  std::size_t max_in_flight_per_upload_ = 0;             // guarded by mu_
  std::vector<Completed> completed_;                     // guarded by mu_
  std::size_t aborted_ = 0;                              // guarded by mu_
};

// An S3Client that forwards every call to another one it does not own: several stores (replicas,
// or a store and its successor after a restart) over one MemoryS3Client bucket.
class S3ClientRef final : public S3Client {
 public:
  explicit S3ClientRef(S3Client& target) : target_(target) {}

  Status check_bucket() override { return target_.check_bucket(); }
  Result<std::optional<S3ObjectInfo>> head(const std::string& key) override {
    return target_.head(key);
  }
  Status put(const std::string& key, std::span<const std::byte> body) override {
    return target_.put(key, body);
  }
  Result<std::size_t> get(const std::string& key, std::uint64_t offset,
                          std::span<std::byte> out) override {
    return target_.get(key, offset, out);
  }
  Status remove(const std::string& key) override { return target_.remove(key); }
  Status copy(const std::string& from, const std::string& to, std::uint64_t size) override {
    return target_.copy(from, to, size);
  }
  Result<S3ListPage> list(const std::string& prefix, const std::string& start_after,
                          std::size_t max_keys) override {
    return target_.list(prefix, start_after, max_keys);
  }
  Result<std::string> create_multipart(const std::string& key) override {
    return target_.create_multipart(key);
  }
  Result<std::string> upload_part(const std::string& key, const std::string& upload_id, int number,
                                  std::span<const std::byte> body) override {
    return target_.upload_part(key, upload_id, number, body);
  }
  Status complete_multipart(const std::string& key, const std::string& upload_id,
                            const std::vector<S3UploadedPart>& parts) override {
    return target_.complete_multipart(key, upload_id, parts);
  }
  Status abort_multipart(const std::string& key, const std::string& upload_id) override {
    return target_.abort_multipart(key, upload_id);
  }
  Result<std::vector<S3MultipartUpload>> list_multipart_uploads(
      const std::string& prefix) override {
    return target_.list_multipart_uploads(prefix);
  }
  Result<std::optional<Timestamp>> last_part_at(const std::string& key,
                                                const std::string& upload_id) override {
    return target_.last_part_at(key, upload_id);
  }
  std::string presign_get(const std::string& key, std::chrono::seconds ttl,
                          std::string_view content_type,
                          std::string_view content_disposition) const override {
    return target_.presign_get(key, ttl, content_type, content_disposition);
  }

 private:
  S3Client& target_;
};

}  // namespace castor::testing
