#include "domain/sigv4.h"

#include <algorithm>
#include <utility>

#include "domain/hex.h"

namespace castor {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

Status check_time(const Sigv4Auth& auth, std::int64_t now) {
  if (auth.kind == Sigv4AuthKind::kHeader) {
    const std::int64_t skew =
        now > auth.request_time ? now - auth.request_time : auth.request_time - now;
    if (skew > kSigv4MaxClockSkewSeconds) {
      return sigv4_error(s3_error::kRequestTimeTooSkewed,
                         "The difference between the request time and the current time is too "
                         "large.");
    }
    return {};
  }
  if (now < auth.request_time - kSigv4MaxClockSkewSeconds) {
    return sigv4_error(s3_error::kAccessDenied, "Request is not valid yet");
  }
  if (now > auth.request_time + auth.expires_seconds) {
    return sigv4_error(s3_error::kAccessDenied, "Request has expired");
  }
  return {};
}

// S3 refuses a request with an x-amz-* header left out of SignedHeaders (its HeadersNotSigned),
// except x-amz-content-sha256.
Status check_amz_headers_signed(const Sigv4Request& request, const Sigv4Auth& auth) {
  std::vector<std::string> unsigned_names;
  for (const HttpField& field : request.headers) {
    std::string name = lowercase(field.name);
    if (!name.starts_with("x-amz-") || name == "x-amz-content-sha256" ||
        std::binary_search(auth.signed_headers.begin(), auth.signed_headers.end(), name) ||
        std::find(unsigned_names.begin(), unsigned_names.end(), name) != unsigned_names.end()) {
      continue;
    }
    unsigned_names.push_back(std::move(name));
  }
  if (unsigned_names.empty()) {
    return {};
  }
  std::string message = "There were headers present in the request which were not signed: ";
  for (std::size_t i = 0; i < unsigned_names.size(); ++i) {
    message.append(i == 0 ? "" : ", ").append(unsigned_names[i].substr(0, 64));
  }
  return sigv4_error(s3_error::kAccessDenied, std::move(message));
}

}  // namespace

Error sigv4_error(const char* s3_code, std::string message) {
  const std::string_view code = s3_code;
  const bool forbidden =
      code == s3_error::kAccessDenied || code == s3_error::kSignatureDoesNotMatch ||
      code == s3_error::kInvalidAccessKeyId || code == s3_error::kRequestTimeTooSkewed;
  return {forbidden ? ErrorCode::kUnauthenticated : ErrorCode::kInvalidArgument, std::move(message),
          std::string(code)};
}

Error invalid_access_key_id() {
  return sigv4_error(s3_error::kInvalidAccessKeyId,
                     "The AWS Access Key Id you provided does not exist in our records.");
}

Result<Sigv4Verified> verify_sigv4(const Sigv4Request& request, const Sigv4Auth& auth,
                                   std::string_view secret_key, std::int64_t now_unix,
                                   const Sigv4Crypto& crypto, Sigv4Diagnostics* diagnostics) {
  if (auto status = check_time(auth, now_unix); !status) {
    return std::move(status).error();
  }
  if (auto status = check_amz_headers_signed(request, auth); !status) {
    return std::move(status).error();
  }
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  auto uri = canonical_uri(path);
  if (!uri) {
    return std::move(uri).error();
  }
  const std::string query =
      canonical_query(auth.query, auth.kind == Sigv4AuthKind::kPresigned ? "X-Amz-Signature" : "");
  const std::string canonical = canonical_request(
      request.method, *uri, query, canonical_headers(request.headers, auth.signed_headers),
      join_signed_headers(auth.signed_headers), auth.payload_hash);
  const Sigv4Credential& cred = auth.credential;
  std::string scope = credential_scope(cred.date, cred.region, cred.service);
  std::string string_to_sign = sigv4_string_to_sign(auth.amz_date, scope, canonical, crypto);
  const Sha256Digest key =
      sigv4_signing_key(secret_key, cred.date, cred.region, cred.service, crypto);
  const Sha256Digest expected = crypto.hmac_sha256(digest_bytes(key), string_to_sign);
  if (diagnostics != nullptr) {
    diagnostics->canonical_request = canonical;
    diagnostics->string_to_sign = string_to_sign;
  }
  if (!signature_matches(expected, auth.signature)) {
    return sigv4_error(s3_error::kSignatureDoesNotMatch,
                       "The request signature we calculated does not match the signature you "
                       "provided. Check your key and signing method.");
  }
  Sigv4Verified verified;
  verified.access_key_id = cred.access_key_id;
  verified.region = cred.region;
  verified.amz_date = auth.amz_date;
  verified.scope = std::move(scope);
  verified.payload_mode = auth.payload_mode;
  if (auth.payload_mode == PayloadMode::kSha256) {
    verified.payload_sha256 = lowercase(auth.payload_hash);
  }
  verified.signing_key = key;
  verified.seed_signature = digest_hex(expected);
  return verified;
}

Status check_payload_sha256(const Sigv4Verified& verified, const Sha256Digest& body_sha256) {
  if (verified.payload_mode != PayloadMode::kSha256 ||
      digest_hex(body_sha256) == verified.payload_sha256) {
    return {};
  }
  return sigv4_error(s3_error::kXAmzContentSha256Mismatch,
                     "The provided 'x-amz-content-sha256' header does not match what was "
                     "computed.");
}

}  // namespace castor
