#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"
#include "domain/object.h"

namespace castor {

// What HEAD (or a listing) says about one object of the bucket.
struct S3ObjectInfo {
  std::string key;
  std::uint64_t size = 0;  // bytes
  Timestamp last_modified{};
};

// One page of ListObjectsV2 (no delimiter): keys in ascending byte order.
struct S3ListPage {
  std::vector<S3ObjectInfo> objects;
  bool truncated = false;  // more keys follow the last one
};

// A multipart upload in progress (ListMultipartUploads).
struct S3MultipartUpload {
  std::string key;
  std::string upload_id;
  Timestamp initiated{};
};

// A part sent by UploadPart, as CompleteMultipartUpload wants it.
struct S3UploadedPart {
  int number = 0;    // 1 .. 10000
  std::string etag;  // as the backend returned it, quotes included
};

// The operations castor's S3 blob backend needs from one bucket of an S3-compatible service
// (Amazon S3 API Reference, the operation named on each method). Keys are relative to the bucket
// and given unescaped; the client escapes them. Implementations retry what is safe to retry
// (every operation here is idempotent: content keys are content-addressed) and return, after the
// last attempt: NotFound (404 NoSuchKey / NoSuchUpload), PermissionDenied (403), Unavailable
// (connection errors, timeouts, 5xx, 429/SlowDown, truncated bodies), Internal (any other
// answer, quoting the S3 error code). Messages name the operation, never a secret. Thread-safe;
// every call blocks on the network, so call from worker threads, never from an IO thread.
class S3Client {
 public:
  virtual ~S3Client() = default;

  // HeadBucket: whether the bucket exists and the credentials may use it. Errors as above, with
  // a one-line message naming the endpoint and the bucket (it is shown at start-up).
  virtual Status check_bucket() = 0;

  // HeadObject: the object's size and time; nullopt if there is none.
  virtual Result<std::optional<S3ObjectInfo>> head(const std::string& key) = 0;

  // PutObject of `body`, with Content-MD5 so that the backend rejects a damaged transfer.
  virtual Status put(const std::string& key, std::span<const std::byte> body) = 0;

  // GetObject with "Range: bytes=offset-(offset+out.size()-1)": fills `out` from `offset` and
  // returns how many bytes it read, fewer than out.size() only at the end of the object (0 at or
  // past the end). A transfer cut short is resumed from where it stopped. NotFound if no object.
  virtual Result<std::size_t> get(const std::string& key, std::uint64_t offset,
                                  std::span<std::byte> out) = 0;

  // DeleteObject; succeeds if there is no object.
  virtual Status remove(const std::string& key) = 0;

  // CopyObject of `from` (whose size is `size` bytes) to `to`, server-side; objects past 5 GiB
  // through a multipart upload of UploadPartCopy ranges. NotFound if `from` is missing.
  virtual Status copy(const std::string& from, const std::string& to, std::uint64_t size) = 0;

  // ListObjectsV2 of up to `max_keys` (1 .. 1000) keys starting with `prefix` that sort after
  // `start_after` ("" for the beginning).
  virtual Result<S3ListPage> list(const std::string& prefix, const std::string& start_after,
                                  std::size_t max_keys) = 0;

  // CreateMultipartUpload: the new upload's id.
  virtual Result<std::string> create_multipart(const std::string& key) = 0;
  // UploadPart (with Content-MD5): the part's ETag. NotFound if the upload is gone.
  virtual Result<std::string> upload_part(const std::string& key, const std::string& upload_id,
                                          int number, std::span<const std::byte> body) = 0;
  // CompleteMultipartUpload of `parts` (in part-number order). NotFound if the upload is gone.
  virtual Status complete_multipart(const std::string& key, const std::string& upload_id,
                                    const std::vector<S3UploadedPart>& parts) = 0;
  // AbortMultipartUpload; succeeds if the upload is already gone.
  virtual Status abort_multipart(const std::string& key, const std::string& upload_id) = 0;
  // ListMultipartUploads of keys starting with `prefix`: at most the first 1000.
  virtual Result<std::vector<S3MultipartUpload>> list_multipart_uploads(
      const std::string& prefix) = 0;
  // ListParts: when the upload's latest part arrived; nullopt if it has no part yet. NotFound if
  // the upload is gone.
  virtual Result<std::optional<Timestamp>> last_part_at(const std::string& key,
                                                        const std::string& upload_id) = 0;

  // A presigned GET URL of `key` (SigV4 query authentication, UNSIGNED-PAYLOAD) valid for `ttl`
  // (at most 7 days) from now, asking the backend to answer with the given Content-Type and
  // Content-Disposition (response-content-type / response-content-disposition; empty: not
  // overridden). Pure computation; never fails.
  virtual std::string presign_get(const std::string& key, std::chrono::seconds ttl,
                                  std::string_view content_type,
                                  std::string_view content_disposition) const = 0;
};

}  // namespace castor
