#pragma once
// Internal to src/api/s3: receiving the body of an S3 write (PutObject, UploadPart). Includes
// Beast.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "api/content_response.h"
#include "api/s3/s3_call.h"
#include "application/ports/checksummer.h"
#include "domain/aws_chunked.h"
#include "domain/content_hash.h"
#include "domain/object_attributes.h"

namespace castor::api::s3 {

// The digests of one S3 write body and the checks S3 makes of them ("Checking object integrity";
// "Authenticating Requests", payload modes):
//   - aws-chunked bodies are decoded, each chunk signature verified (aws_chunked.h);
//   - the MD5 (the object's ETag) is always computed; Content-MD5, when sent, must match
//     (BadDigest; InvalidDigest when it is not the base64 of 16 bytes);
//   - one flexible checksum (x-amz-checksum-<algorithm> header, an x-amz-trailer, or
//     x-amz-sdk-checksum-algorithm) is computed, checked against the value sent (BadDigest) and
//     kept with the object;
//   - the signed payload hash (x-amz-content-sha256 of 64 hex digits) is the content's SHA-256,
//     which the upload computes anyway: expected_sha256() hands it to the use case, whose
//     mismatch becomes XAmzContentSHA256Mismatch.
// digest() runs on a worker, beside the upload's own write and SHA-256 (receive_s3_body), never
// in series with it. One per request; not thread-safe (one digest() at a time).
class S3Body {
 public:
  // Errors: InvalidDigest, InvalidRequest (two checksum headers, an unknown algorithm), the
  // decoder's (aws_chunked.h), MissingContentLength (411) without Content-Length,
  // x-amz-decoded-content-length or chunked transfer coding.
  static Result<std::unique_ptr<S3Body>> create(ServerCore& s, Exchange& ex, const S3Call& call);

  // The content length when the request declares it (x-amz-decoded-content-length for aws-chunked
  // bodies, else Content-Length); nullopt for a chunked transfer of unknown length.
  std::optional<std::uint64_t> declared_size() const { return declared_size_; }
  // The SHA-256 the content must have (a signed payload hash), for the use case to check.
  std::optional<std::string> expected_sha256() const { return expected_sha256_; }

  // Consumes the next piece of the body as received and appends the content it carries to `out`
  // (the same bytes for plain bodies). Errors from the aws-chunked decoder.
  Status digest(std::span<const std::byte> raw, std::string& out);
  // After the last piece: ends the decoder and checks Content-MD5 and the checksum.
  Status finish();

  // The MD5 of the content, hex: the S3 ETag of a single-part write. After finish().
  std::string md5_hex() const;
  // The MD5 digest's bytes (for multipart ETags). After finish().
  std::vector<std::uint8_t> md5() const;
  // The flexible checksum computed ({"crc32c", base64}), if one was asked for. After finish().
  ObjectAttributes::Pairs checksums() const;

 private:
  S3Body() = default;

  std::optional<AwsChunkedDecoder> decoder_;
  std::unique_ptr<Checksummer> md5_;
  std::unique_ptr<Checksummer> checksum_;
  std::optional<std::string> expected_checksum_;  // base64, from a header; else from a trailer
  std::optional<std::vector<std::uint8_t>> content_md5_;
  std::optional<std::uint64_t> declared_size_;
  std::optional<std::string> expected_sha256_;
  std::uint64_t received_ = 0;
};

// Streams the body into `write` (a callable taking std::span<const std::byte> and returning
// Status; the upload's write, run on the disk pool) through `body`: while one worker writes piece
// N (and hashes it with SHA-256), another decodes and digests piece N+1 (MD5, checksum, chunk
// signatures), and the IO thread receives piece N+2. Answers Expect: 100-continue first. Returns
// the error to answer with, if any (the connection then closes); `body.finish()` included.
Awaitable<std::optional<Error>> receive_s3_body(
    ServerCore& s, Connection& c, Exchange& ex, S3Body& body,
    std::function<Status(std::span<const std::byte>)> write);

// The content hash a signed payload declares (x-amz-content-sha256 of 64 hex digits), for the
// upload to check; nullopt for other payload modes.
std::optional<ContentHash> expected_content_hash(const S3Body& body);

// The body of an S3 write into a two-phase use case (UploadObject, StoreUploadPart: an `Upload`
// with write() and set_digests(), and the use case's commit() and abort()): streams it through
// receive_s3_body(), hands the MD5 and checksums to the upload, and commits on the disk pool.
// On a failed body the upload is aborted and the error returned. The caller answers.
template <class UseCase, class Upload,
          class Committed = std::invoke_result_t<decltype(&UseCase::commit), UseCase&, Upload&>>
Awaitable<Committed> store_s3_body(ServerCore& s, Connection& c, Exchange& ex, S3Body& body,
                                   UseCase& use_case, std::unique_ptr<Upload> up) {
  Upload* upload = up.get();
  auto failure = co_await receive_s3_body(
      s, c, ex, body, [upload](std::span<const std::byte> data) { return upload->write(data); });
  if (failure) {
    auto abort = [&] {
      use_case.abort(*up);
      return true;
    };
    co_await s.offload(abort, Pool::kDisk);
    co_return Committed(std::move(*failure));
  }
  up->set_digests(body.md5_hex(), body.checksums());
  auto commit = [&] { return use_case.commit(*up); };
  Committed committed = co_await s.offload(commit, Pool::kDisk);
  co_return committed;
}

}  // namespace castor::api::s3
