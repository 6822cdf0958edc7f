#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/sigv4_crypto.h"
#include "infrastructure/s3/s3_backend_settings.h"
#include "infrastructure/s3/s3_request_url.h"

typedef void CURL;  // NOLINT: as curl/curl.h declares it

namespace castor {

// The largest response body kept in memory: XML documents (a ListObjectsV2 page of 1000 keys is
// about 300 KiB) and error bodies. A longer body fails the attempt.
inline constexpr std::size_t kMaxS3ResponseBody = std::size_t{8} << 20;

// One S3 request as CurlS3Client builds it, independent of the attempt that sends it.
struct S3BackendCall {
  std::string operation = {};  // the S3 API operation ("PutObject"), for messages
  std::string method = {};     // "GET", "HEAD", "PUT", "POST" or "DELETE"
  std::string key = {};        // unescaped; ignored when bucket_level
  bool bucket_level = false;
  std::vector<S3QueryParam> query = {};
  std::vector<std::string> headers = {};  // extra "Name: value" fields; all of them are signed
  std::span<const std::byte> body = {};   // the request body (PUT, POST); not owned
  // GetObject: the body goes here instead of S3Reply::body, and the request carries
  // "Range: bytes=range_offset-(range_offset + sink.size() - 1)". Not owned.
  std::span<std::byte> sink = {};
  std::uint64_t range_offset = 0;
  // CopyObject, UploadPartCopy, CompleteMultipartUpload: S3 may answer 200 and then an <Error>
  // body; such a reply is a failure.
  bool error_in_200 = false;
};

// What one attempt got back.
struct S3Reply {
  long status = 0;             // HTTP status of the final response (0: none)
  std::string body;            // the body (not a sink's), up to kMaxS3ResponseBody bytes
  std::size_t sink_bytes = 0;  // bytes written into S3BackendCall::sink
  bool sink_full = false;      // the sink filled up (the rest of a 200 was not wanted)
  std::optional<std::uint64_t> content_length;
  std::string etag;           // as sent, quotes included
  std::string last_modified;  // the Last-Modified header (IMF-fixdate)
};

// One attempt: a curl result code (CURLE_OK = 0 when an HTTP response arrived whole) with its
// text, and the reply.
struct S3Attempt {
  int curl_code = 0;
  std::string curl_error;
  S3Reply reply;
};

// Sends `call` once on `handle` (reset first; its connections are kept), signed with
// CURLOPT_AWS_SIGV4 under `settings`' region and credentials, with the timeouts of `settings`.
// curl 7.88 sorts the signed headers as whole "name:value" lines, so a header whose name extends
// another's with '-' (x-amz-copy-source-range after x-amz-copy-source) comes out of order and S3
// refuses the signature: such calls are signed with castor's own signer (domain/sigv4_signer.h)
// over `crypto` instead. Never logs headers. Blocks.
S3Attempt perform_s3_attempt(CURL* handle, const S3BackendCall& call, const S3UrlBuilder& urls,
                             const S3BackendSettings& settings, const Sigv4Crypto& crypto);

// Content-MD5 of `body` (RFC 1864: base64 of the MD5 digest, OpenSSL); empty if OpenSSL refuses
// MD5 (a FIPS-only configuration), in which case the request goes without it.
std::string s3_content_md5(std::span<const std::byte> body);

// Whether curl 7.88 would sign `headers` ("Name: value") in the wrong order (see above).
bool curl_sigv4_misorders(const std::vector<std::string>& headers);

}  // namespace castor
