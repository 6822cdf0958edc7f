#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "application/ports/token_verifier.h"
#include "domain/error.h"
#include "domain/principal.h"

namespace castor {

// How JwtVerifier checks tokens. Exactly one of `hs256_secret` and `public_key_pem` is set.
struct JwtSettings {
  // The shared HMAC secret (JWT_SECRET): tokens must be HS256. At least 32 bytes (RFC 7518
  // §3.2: a key as long as the hash output).
  std::string hs256_secret;
  // A PEM public key ("-----BEGIN PUBLIC KEY-----", SubjectPublicKeyInfo; the contents of
  // JWT_PUBLIC_KEY_FILE): an RSA key of at least 2048 bits means RS256, an EC P-256 key means
  // ES256. Other key types and curves are refused.
  std::string public_key_pem;
  // When set, the `iss` claim must equal it.
  std::optional<std::string> issuer;
  // When set, the `aud` claim (a string or an array of strings) must be or contain it. When not
  // set, `aud` is not looked at.
  std::optional<std::string> audience;
  // Clock skew tolerated both ways on exp, nbf and iat. 0 to 1 day.
  std::chrono::seconds leeway{30};
  // Seconds since the Unix epoch; defaults to the system clock. Tests inject a fixed time. Must be
  // thread-safe.
  std::function<std::int64_t()> now_seconds;
};

// TokenVerifier for JWTs (RFC 7519) signed with HS256, RS256 or ES256, over libjwt 1.10.
//
// A token is accepted only if all of these hold:
//  - it is three base64url segments and its header's `alg` is exactly the configured algorithm
//    (so `alg: none` and algorithm confusion, e.g. HS256 keyed with the RSA public key, fail);
//    a `crit` header is refused, as no extensions are understood;
//  - its signature verifies with the configured key;
//  - `exp` (an integer, required) is not past, `nbf` (if present) is not in the future and `iat`
//    (if present) is not in the future, each give or take the leeway;
//  - `iss` and `aud` match when configured;
//  - `sub` is a non-empty string of at most 256 bytes without control characters;
//  - `tenant` is a valid tenant name, or "*" for every tenant;
//  - `scope`, if present, is a string of known scope names separated by spaces (absent means no
//    scope: the token authenticates but is allowed nothing).
// The principal is {credential "jwt:<sub>", the tenant (nullopt for "*"), the scopes}.
//
// Thread-safe: the verifier is immutable after create() and every call decodes afresh.
class JwtVerifier final : public TokenVerifier {
 public:
  // The algorithms a verifier can be pinned to.
  enum class Algorithm { kHs256, kRs256, kEs256 };

  // A verifier for `settings`. InvalidArgument (naming the setting, never echoing the secret) if
  // neither or both of the secret and the public key are set, the secret is shorter than 32
  // bytes, the PEM is not a public key, the key is neither RSA (>= 2048 bits) nor EC P-256, or
  // the leeway is out of range.
  static Result<std::unique_ptr<JwtVerifier>> create(JwtSettings settings);

  // See the class comment. Unauthenticated with a short reason on any failure.
  Result<Principal> verify(std::string_view token) override;

  // The algorithm every token must use ("HS256", "RS256" or "ES256").
  std::string_view algorithm_name() const;

 private:
  JwtVerifier(JwtSettings settings, Algorithm algorithm);

  JwtSettings settings_;
  Algorithm algorithm_;
};

}  // namespace castor
