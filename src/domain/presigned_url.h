#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// The text of castor's presigned URLs (docs/PRESIGNED_URLS.md), without the cryptography. A URL
// is a request target the issuer may GET/HEAD, plus parameters appended by the signer:
//   <path>?<query>&X-Castor-Expires=<unix s>&X-Castor-Credential=<credential>
//   [&X-Castor-Tenant=<tenant or *>&X-Castor-Namespaces=<ns,ns>]&X-Castor-Signature=<hex>
// The signature, always the LAST parameter, is HMAC-SHA256 over presign_string_to_sign(): the
// path exactly as sent (still percent-encoded) and the query exactly as sent minus the signature
// parameter, so that any change to either is detected without canonicalising anything.

inline constexpr std::string_view kPresignSignatureParam = "X-Castor-Signature";
inline constexpr std::string_view kPresignExpiresParam = "X-Castor-Expires";
inline constexpr std::string_view kPresignCredentialParam = "X-Castor-Credential";
inline constexpr std::string_view kPresignTenantParam = "X-Castor-Tenant";
inline constexpr std::string_view kPresignNamespacesParam = "X-Castor-Namespaces";

// What the signer appends (before the signature).
struct PresignParams {
  std::int64_t expires = 0;  // seconds since the Unix epoch
  std::string credential;    // Principal::credential: "key:<id>" or "jwt:<sub>"
  // A JWT's restriction, carried signed (a key's is re-read from the key instead): the tenant
  // ("*" for every tenant) and the namespaces (comma-separated, "" = unrestricted).
  std::optional<std::string> tenant = std::nullopt;
  std::optional<std::string> namespaces = std::nullopt;
};

// "CASTOR-PRESIGN-V1\n<path>\n<query without the signature>": what the HMAC covers.
std::string presign_string_to_sign(std::string_view path, std::string_view unsigned_query);

// `target` (path[?query], as the client will send it) with `params` appended: the URL before its
// signature, i.e. exactly the request target whose presign_string_to_sign() gets signed.
// InvalidArgument if `target` already carries an X-Castor-* parameter or a fragment.
Result<std::string> presign_unsigned_target(std::string_view target, const PresignParams& params);

// A presigned request target taken apart.
struct PresignedTarget {
  std::string path;            // as sent
  std::string unsigned_query;  // the query as sent, minus the trailing signature parameter
  std::string signature_hex;   // the signature parameter's value
  PresignParams params;        // decoded
};

// Splits a request target that carries X-Castor-Signature. PermissionDenied, reason
// "signature_mismatch", unless the signature is the last parameter and appears once, and the
// expiry and credential parameters appear exactly once (with a decimal expiry).
Result<PresignedTarget> parse_presigned_target(std::string_view target);

// Percent-encodes `text` for a query value: everything but A-Z a-z 0-9 - . _ ~ (RFC 3986).
std::string presign_query_escape(std::string_view text);

}  // namespace castor
