#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"
#include "domain/sigv4_crypto.h"

namespace castor {

// The building blocks of AWS Signature Version 4 as Amazon S3 applies them: the canonical
// request, the string to sign, the signing key and the chunk/trailer strings of aws-chunked
// uploads. Sections named below are from the S3 API Reference, "Authenticating Requests (AWS
// Signature Version 4)", and the IAM guide's "Create a signed AWS API request".
// All functions are pure and thread-safe.

// One header field of a request as received: the name in any case, the value as the HTTP parser
// gave it (leading and trailing whitespace may remain).
struct HttpField {
  std::string_view name;
  std::string_view value;
};

// What SigV4 covers of an HTTP request, free of any HTTP framework. Views into the caller's
// request; they must outlive the call they are passed to.
struct Sigv4Request {
  std::string_view method;  // as sent, e.g. "GET"
  // The origin-form request-target as sent: percent-encoded path, then optionally '?' and the raw
  // query, e.g. "/bucket/my%20key?list-type=2&prefix=a".
  std::string_view target;
  std::vector<HttpField> headers;  // every field; a name may repeat
};

// One query parameter after percent-decoding ('+' decodes to a space, as in HTML forms).
struct QueryParam {
  std::string name;
  std::string value;
};

// UriEncode() of "Create a canonical request": every byte but the unreserved A-Z a-z 0-9 - . _ ~
// becomes %XY with uppercase hex; '/' stays literal unless `encode_slash`.
std::string sigv4_uri_encode(std::string_view bytes, bool encode_slash);

// Decodes %XY escapes (either case) of `text`; a '+' becomes a space when `plus_is_space`.
// Returns InvalidArgument (reason "InvalidURI") for a '%' not followed by two hex digits.
Result<std::string> percent_decode(std::string_view text, bool plus_is_space);

// The CanonicalURI of S3 for the raw (percent-encoded) path of a request-target: the path decoded
// once and encoded once with UriEncode ('/' kept), so "/a%20b" and "/a b" both give "/a%20b".
// S3 neither encodes twice nor normalises the path ("." "..", "//" stay). An empty path is "/".
// Errors: InvalidURI for a bad escape, or a path that does not start with '/'.
Result<std::string> canonical_uri(std::string_view raw_path);

// The parameters of a raw query string ("a=1&b&c=") in order, decoded. A parameter without '='
// has an empty value; empty pieces ("a=1&&b") are skipped. Errors: InvalidURI for a bad escape.
Result<std::vector<QueryParam>> parse_query(std::string_view raw_query);

// The CanonicalQueryString: each name and value UriEncoded ('/' too), sorted by encoded name then
// encoded value, joined as "name=value" with '&' (an empty value gives "name="). Parameters named
// `exclude` (exact match) are left out: X-Amz-Signature of a presigned URL.
std::string canonical_query(const std::vector<QueryParam>& params, std::string_view exclude = {});

// A header value as SigV4 canonicalises it ("Trimall"): leading and trailing spaces and tabs
// removed, every inner run of spaces and tabs replaced by one space.
std::string trim_header_value(std::string_view value);

// The CanonicalHeaders for `signed_headers` (lowercase, sorted): one "name:value\n" line per name,
// the values of repeated fields trimmed and joined with ','. A signed name the request lacks
// gives "name:\n" (its signature then cannot match one computed over a value).
std::string canonical_headers(const std::vector<HttpField>& headers,
                              const std::vector<std::string>& signed_headers);

// The signed header names joined with ';' ("host;range;x-amz-date").
std::string join_signed_headers(const std::vector<std::string>& signed_headers);

// The CanonicalRequest: method, canonical URI, canonical query, canonical headers, signed
// headers and payload hash (the x-amz-content-sha256 value), separated by '\n'.
std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash);

// The credential scope "YYYYMMDD/region/service/aws4_request".
std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service);

// The StringToSign: "AWS4-HMAC-SHA256\n" + timestamp (YYYYMMDDTHHMMSSZ) + "\n" + scope + "\n" +
// lowercase hex SHA-256 of the canonical request.
std::string sigv4_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view canonical_request, const Sigv4Crypto& crypto);

// The signing key: HMAC chain of "AWS4" + secret over date (YYYYMMDD), region, service and
// "aws4_request" ("Calculate the signature", derivation of the signing key).
Sha256Digest sigv4_signing_key(std::string_view secret_key, std::string_view date,
                               std::string_view region, std::string_view service,
                               const Sigv4Crypto& crypto);

// The signature: lowercase hex HMAC-SHA256 of `string_to_sign` under `signing_key`.
std::string sigv4_signature(const Sha256Digest& signing_key, std::string_view string_to_sign,
                            const Sigv4Crypto& crypto);

// The string to sign of one aws-chunked chunk ("Transferring Payload in Multiple Chunks"):
// "AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, previous signature (the seed signature for the
// first chunk), SHA-256 of the empty string, lowercase hex SHA-256 of the chunk data.
std::string chunk_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view previous_signature,
                                 std::string_view chunk_sha256_hex);

// The string to sign of the trailer chunk ("Signature calculations for trailing headers"):
// "AWS4-HMAC-SHA256-TRAILER", timestamp, scope, the final (zero-length) chunk's signature, and the
// lowercase hex SHA-256 of the canonical trailers ("name:value\n" per trailer).
std::string trailer_string_to_sign(std::string_view amz_date, std::string_view scope,
                                   std::string_view previous_signature,
                                   std::string_view trailers_sha256_hex);

// Whether `given_hex` (64 hex digits, either case) names the same 32 bytes as `expected`. The
// comparison of the bytes takes the same time wherever they differ; a malformed `given_hex` is
// simply unequal.
bool signature_matches(const Sha256Digest& expected, std::string_view given_hex);

// Lowercase hex of a digest.
std::string digest_hex(const Sha256Digest& digest);

}  // namespace castor
