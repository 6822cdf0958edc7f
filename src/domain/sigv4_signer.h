#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/error.h"
#include "domain/sigv4_canonical.h"
#include "domain/sigv4_crypto.h"

namespace castor {

// The client side of AWS Signature Version 4 for S3, built on the same canonical request the
// verifier uses (sigv4_canonical.h): for tests, tools and any castor client that speaks S3.

// Who signs: an access key id, its secret, and the region of the credential scope.
struct Sigv4SigningCredentials {
  std::string access_key_id;
  std::string secret_key;
  std::string region = "us-east-1";
};

// An Authorization header value ("Authenticating Requests: Using the Authorization Header"):
// "AWS4-HMAC-SHA256 Credential=AKID/date/region/s3/aws4_request, SignedHeaders=...,
// Signature=...". Every header of `request` is signed (names lowercased, repeats joined), so it
// must already carry host, x-amz-date (equal to `amz_date`, YYYYMMDDTHHMMSSZ) and
// x-amz-content-sha256 (equal to `payload_hash`). `signature`, when given, receives the signature
// (the seed of aws-chunked chunk signatures). InvalidArgument when host is missing, `amz_date` is
// malformed or the request-target has a bad escape.
Result<std::string> sign_authorization(const Sigv4Request& request,
                                       const Sigv4SigningCredentials& credentials,
                                       std::string_view amz_date, std::string_view payload_hash,
                                       const Sigv4Crypto& crypto, std::string* signature = nullptr);

// A presigned request-target ("Authenticating Requests: Using Query Parameters"): the target of
// `request` with X-Amz-Algorithm, -Credential, -Date, -Expires (`expires_seconds`), -SignedHeaders
// (every header of `request`, host at least) and -Signature appended; the payload is
// UNSIGNED-PAYLOAD. Same errors as sign_authorization().
Result<std::string> presign_target(const Sigv4Request& request,
                                   const Sigv4SigningCredentials& credentials,
                                   std::string_view amz_date, std::int64_t expires_seconds,
                                   const Sigv4Crypto& crypto);

}  // namespace castor
