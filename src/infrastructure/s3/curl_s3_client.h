#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "domain/error.h"
#include "infrastructure/s3/s3_backend_settings.h"
#include "infrastructure/s3/s3_client.h"

namespace castor {

class CurlHandlePool;
class OpensslSigv4Crypto;
class S3UrlBuilder;
struct S3BackendCall;
struct S3Reply;

// Limits of CopyObject (S3 API Reference, CopyObject and UploadPartCopy): one CopyObject copies
// at most 5 GiB; larger objects are copied as a multipart upload of UploadPartCopy ranges. Tests
// lower them to exercise the multipart path with small objects.
struct S3CopyLimits {
  std::uint64_t single_copy_max = std::uint64_t{5} << 30;  // bytes; above: UploadPartCopy
  std::uint64_t part_size = std::uint64_t{512} << 20;      // bytes per UploadPartCopy (>= 5 MiB
                                                           // on real S3; raised to fit 10000)
};

// S3Client over libcurl (HTTP/1.1, keep-alive) for one bucket: easy handles from a bounded pool
// (settings.max_connections; a call waits for a free one), requests signed by libcurl's
// CURLOPT_AWS_SIGV4 ("aws:amz:<region>:s3") with x-amz-content-sha256 set (and so signed) by
// this class, since curl 7.88 does not send it. Bodies are UNSIGNED-PAYLOAD with Content-MD5 (the
// backend rejects a damaged transfer with BadDigest). Retries per S3Client's contract: up to
// settings.max_retries after the first attempt, with full-jitter exponential backoff from 100 ms
// capped at 5 s; a GetObject cut short resumes from the byte reached. A request is abandoned when
// it cannot connect within settings.timeout or makes no progress (under 1 byte/s) for as long.
// Thread-safe; blocks; asserts it is not on an IO thread.
class CurlS3Client final : public S3Client {
 public:
  // Validates `settings` (endpoint URL, bucket, credentials, region, max_connections >= 1,
  // timeout >= 1 s, 0 <= max_retries <= 20): InvalidArgument naming the setting otherwise. Does
  // not contact the server (check_bucket() does).
  static Result<std::unique_ptr<CurlS3Client>> create(S3BackendSettings settings,
                                                      S3CopyLimits copy_limits = {});
  ~CurlS3Client() override;
  CurlS3Client(const CurlS3Client&) = delete;
  CurlS3Client& operator=(const CurlS3Client&) = delete;

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
  std::string presign_get(const std::string& key, std::chrono::seconds ttl,
                          std::string_view content_type,
                          std::string_view content_disposition) const override;

  // presign_get() as if signed at `signed_at` (Unix seconds): for tests of expiry.
  std::string presign_get_at(const std::string& key, std::int64_t signed_at,
                             std::chrono::seconds ttl, std::string_view content_type,
                             std::string_view content_disposition) const;

  const S3BackendSettings& settings() const { return settings_; }

 private:
  CurlS3Client(S3BackendSettings settings, S3CopyLimits copy_limits,
               std::unique_ptr<S3UrlBuilder> urls);

  // Sends `call`, retrying what is retryable; the reply of the last attempt (a 2xx, or a final
  // error mapped per the S3Client contract).
  Result<S3Reply> execute(S3BackendCall& call);
  Status copy_multipart(const std::string& from, const std::string& to, std::uint64_t size);

  S3BackendSettings settings_;
  S3CopyLimits copy_limits_;
  std::unique_ptr<S3UrlBuilder> urls_;
  std::unique_ptr<CurlHandlePool> pool_;
  std::unique_ptr<OpensslSigv4Crypto> crypto_;
};

}  // namespace castor
