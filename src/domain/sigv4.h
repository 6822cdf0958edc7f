#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"
#include "domain/sigv4_canonical.h"
#include "domain/sigv4_crypto.h"

namespace castor {

// Verification of AWS Signature Version 4 as Amazon S3 does it, for the Authorization header
// ("Authenticating Requests: Using the Authorization Header") and for presigned URLs
// ("Authenticating Requests: Using Query Parameters"). No HTTP framework: the front end passes a
// Sigv4Request and maps each Error's `reason` (an S3 error code, below) to its XML error.
//
// Use: parse_sigv4_auth() → look the access key id up (unknown: invalid_access_key_id()) →
// verify_sigv4() with its secret → for aws-chunked bodies an AwsChunkedDecoder (aws_chunked.h),
// otherwise check_payload_sha256() once the body is read.

// S3 error codes carried in Error::reason. Codes 403 in S3: AccessDenied, SignatureDoesNotMatch,
// InvalidAccessKeyId, RequestTimeTooSkewed (ErrorCode::kUnauthenticated here); the others are 400
// (ErrorCode::kInvalidArgument).
namespace s3_error {
inline constexpr char kAccessDenied[] = "AccessDenied";
inline constexpr char kSignatureDoesNotMatch[] = "SignatureDoesNotMatch";
inline constexpr char kInvalidAccessKeyId[] = "InvalidAccessKeyId";
inline constexpr char kRequestTimeTooSkewed[] = "RequestTimeTooSkewed";
inline constexpr char kAuthorizationHeaderMalformed[] = "AuthorizationHeaderMalformed";
inline constexpr char kAuthorizationQueryParametersError[] = "AuthorizationQueryParametersError";
inline constexpr char kInvalidArgument[] = "InvalidArgument";
inline constexpr char kInvalidRequest[] = "InvalidRequest";
inline constexpr char kInvalidUri[] = "InvalidURI";
inline constexpr char kXAmzContentSha256Mismatch[] = "XAmzContentSHA256Mismatch";
inline constexpr char kIncompleteBody[] = "IncompleteBody";
inline constexpr char kMalformedTrailerError[] = "MalformedTrailerError";
}  // namespace s3_error

// How far a header-signed request's time may be from the server's, and how far before its
// X-Amz-Date a presigned URL is accepted: 15 minutes, in seconds.
inline constexpr std::int64_t kSigv4MaxClockSkewSeconds = 15 * 60;
// The longest X-Amz-Expires S3 accepts: 7 days, in seconds.
inline constexpr std::int64_t kSigv4MaxPresignedExpiresSeconds = 7 * 24 * 3600;

// What x-amz-content-sha256 says about the body ("Authenticating Requests: Using the
// Authorization Header", its table of x-amz-content-sha256 values).
enum class PayloadMode {
  kSha256,                    // 64 hex digits: the SHA-256 of the whole body
  kUnsigned,                  // UNSIGNED-PAYLOAD
  kStreamingSigned,           // STREAMING-AWS4-HMAC-SHA256-PAYLOAD (aws-chunked, chunk signatures)
  kStreamingSignedTrailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER (+ signed trailer)
  kStreamingUnsignedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER (aws-chunked, no signatures)
};

// Whether the body of `mode` is aws-chunked framed (aws_chunked.h).
inline bool is_streaming(PayloadMode mode) {
  return mode == PayloadMode::kStreamingSigned || mode == PayloadMode::kStreamingSignedTrailer ||
         mode == PayloadMode::kStreamingUnsignedTrailer;
}

// The mode an x-amz-content-sha256 value names. InvalidArgument (reason InvalidArgument) for any
// other value, SigV4a's STREAMING-AWS4-ECDSA-P256-SHA256-* included.
Result<PayloadMode> parse_payload_mode(std::string_view value);

// The parts of the Credential: "AKID/20130524/us-east-1/s3/aws4_request".
struct Sigv4Credential {
  std::string access_key_id;  // 1..128 printable ASCII characters
  std::string date;           // YYYYMMDD
  std::string region;         // any region, 1..64 printable ASCII characters
  std::string service;        // always "s3"
};

enum class Sigv4AuthKind { kHeader, kPresigned };

// The authentication a request carries, parsed and checked for form (not yet for its signature or
// time).
struct Sigv4Auth {
  Sigv4AuthKind kind = Sigv4AuthKind::kHeader;
  Sigv4Credential credential;
  std::vector<std::string> signed_headers;  // lowercase, strictly ascending, "host" among them
  std::string signature;                    // 64 hex digits as sent
  std::string amz_date;                     // the timestamp signed, YYYYMMDDTHHMMSSZ
  std::int64_t request_time = 0;            // amz_date in Unix seconds
  std::int64_t expires_seconds = 0;         // X-Amz-Expires, presigned only (0..604800)
  std::string payload_hash;                 // the payload hash line of the canonical request
  PayloadMode payload_mode = PayloadMode::kUnsigned;
  std::vector<QueryParam> query;  // the request's decoded query parameters, in order
};

// Finds and parses the SigV4 authentication of `request`: the Authorization header, or the
// X-Amz-* query parameters of a presigned URL. nullopt for an anonymous request (neither).
// Header auth needs x-amz-content-sha256 and a valid x-amz-date or Date (whose day must match the
// credential's). Errors (reason):
//   InvalidArgument: both mechanisms at once; an Authorization scheme other than AWS*; a bad
//     x-amz-content-sha256; x-amz-date or x-amz-content-sha256 given twice.
//   InvalidRequest: SigV2 (Authorization "AWS ..." or AWSAccessKeyId=) or SigV4a; header auth
//     without x-amz-content-sha256.
//   AuthorizationHeaderMalformed: a missing, repeated or unknown component (Credential,
//     SignedHeaders, Signature); a Credential that is not AKID/YYYYMMDD/region/s3/aws4_request;
//     SignedHeaders not lowercase, not sorted, repeated or without host; a Signature not 64 hex
//     digits; a credential date other than the request's.
//   AuthorizationQueryParametersError: the same for presigned URLs, plus a missing or repeated
//     X-Amz-* parameter, an X-Amz-Algorithm other than AWS4-HMAC-SHA256, an X-Amz-Date not in
//     ISO 8601 basic format, X-Amz-Expires not a number, negative or above 604800.
//   AccessDenied: header auth without a valid x-amz-date or Date.
//   InvalidURI: a bad percent escape in the query.
Result<std::optional<Sigv4Auth>> parse_sigv4_auth(const Sigv4Request& request);

// The outcome of a successful verification: who signed, and what the body decoder needs.
struct Sigv4Verified {
  std::string access_key_id;
  std::string region;
  std::string amz_date;  // YYYYMMDDTHHMMSSZ
  std::string scope;     // YYYYMMDD/region/s3/aws4_request
  PayloadMode payload_mode = PayloadMode::kUnsigned;
  std::string payload_sha256;  // lowercase hex, only for PayloadMode::kSha256
  Sha256Digest signing_key{};  // for aws-chunked chunk signatures; a secret: do not log
  std::string seed_signature;  // the request's signature, lowercase hex
};

// The canonical request and string to sign verify_sigv4() computed: what S3 returns inside a
// SignatureDoesNotMatch error to help a client find its mistake. Contains no secret.
struct Sigv4Diagnostics {
  std::string canonical_request;
  std::string string_to_sign;
};

// Verifies `auth` (from parse_sigv4_auth(request)) with the secret key of its access key id, at
// server time `now_unix` (Unix seconds). Checks, in order:
//   1. time: header auth within ±15 minutes of now, else RequestTimeTooSkewed; presigned not
//      before X-Amz-Date − 15 minutes ("Request is not valid yet") and not after X-Amz-Date +
//      X-Amz-Expires ("Request has expired"), else AccessDenied, as S3 answers;
//   2. every x-amz-* header of the request is signed (x-amz-content-sha256 may be left out, as S3
//      allows), else AccessDenied "There were headers present in the request which were not
//      signed: <names>";
//   3. the signature, over the canonical request S3 builds (sigv4_canonical.h), compared in
//      constant time, else SignatureDoesNotMatch. InvalidURI for a bad escape in the path.
// `diagnostics`, when given, receives the canonical request and string to sign once computed.
Result<Sigv4Verified> verify_sigv4(const Sigv4Request& request, const Sigv4Auth& auth,
                                   std::string_view secret_key, std::int64_t now_unix,
                                   const Sigv4Crypto& crypto,
                                   Sigv4Diagnostics* diagnostics = nullptr);

// For PayloadMode::kSha256: whether the body's SHA-256 (computed by the caller while reading it)
// is the one signed; XAmzContentSHA256Mismatch if not. Other modes: always OK.
Status check_payload_sha256(const Sigv4Verified& verified, const Sha256Digest& body_sha256);

// The error for an access key id the caller does not know (S3's InvalidAccessKeyId, 403).
Error invalid_access_key_id();

// The error of an S3 code: kUnauthenticated for the 403 codes above, kInvalidArgument otherwise.
Error sigv4_error(const char* s3_code, std::string message);

}  // namespace castor
