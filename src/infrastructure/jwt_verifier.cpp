#include "infrastructure/jwt_verifier.h"

#include <charconv>
#include <cstdlib>
#include <utility>
#include <vector>

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "domain/hex.h"
#include "domain/names.h"

namespace castor {
namespace {

// Longer tokens are refused before any parsing: real ones are a few hundred bytes.
constexpr std::size_t kMaxTokenBytes = 8192;
constexpr std::size_t kMaxSubBytes = 256;
constexpr std::size_t kMinSecretBytes = 32;
constexpr int kMinRsaBits = 2048;
constexpr std::chrono::seconds kMaxLeeway{86400};

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

// Strings that libjwt allocates with malloc and the caller frees.
struct MallocFree {
  void operator()(char* p) const { std::free(p); }
};
using MallocString = std::unique_ptr<char, MallocFree>;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

Error unauthenticated(std::string message) {
  return {ErrorCode::kUnauthenticated, std::move(message)};
}

jwt_alg_t to_libjwt(JwtVerifier::Algorithm algorithm) {
  switch (algorithm) {
    case JwtVerifier::Algorithm::kHs256:
      return JWT_ALG_HS256;
    case JwtVerifier::Algorithm::kRs256:
      return JWT_ALG_RS256;
    case JwtVerifier::Algorithm::kEs256:
      return JWT_ALG_ES256;
  }
  return JWT_ALG_INVAL;
}

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Printable ASCII only: safe to echo into messages that end up in logs.
bool is_printable(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  return true;
}

// Checks the compact serialization: three base64url segments, none empty. Refusing anything
// else here keeps odd inputs (padding, '+', '/', whitespace, NULs) away from libjwt's decoder.
Status check_shape(std::string_view token) {
  if (token.empty()) {
    return unauthenticated("empty token");
  }
  if (token.size() > kMaxTokenBytes) {
    return unauthenticated("token is too long");
  }
  int dots = 0;
  std::size_t segment_start = 0;
  for (std::size_t i = 0; i <= token.size(); ++i) {
    if (i == token.size() || token[i] == '.') {
      if (i == segment_start) {
        return unauthenticated(dots == 2 ? "token is not signed" : "malformed token");
      }
      ++dots;
      segment_start = i + 1;
    } else if (!is_base64url(token[i])) {
      return unauthenticated("malformed token");
    }
  }
  if (dots != 3) {  // counts segment ends: three segments
    return unauthenticated("malformed token");
  }
  return {};
}

// The JSON text of claim `name` as libjwt prints it (`123`, `"abc"`, `["a","b"]`), or nullopt
// if the claim is absent.
std::optional<std::string> claim_json(jwt_t* jwt, const char* name) {
  MallocString raw(jwt_get_grants_json(jwt, name));
  if (!raw) {
    return std::nullopt;
  }
  return std::string(raw.get());
}

// An integer claim (a NumericDate): nullopt if absent; Unauthenticated if it is present but not
// an integer that fits in 64 bits.
Result<std::optional<std::int64_t>> integer_claim(jwt_t* jwt, const char* name) {
  const std::optional<std::string> json = claim_json(jwt, name);
  if (!json) {
    return std::optional<std::int64_t>();
  }
  std::int64_t value = 0;
  const char* begin = json->data();
  const char* end = begin + json->size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) {
    return unauthenticated(std::string(name).append(" claim is not an integer"));
  }
  return std::optional<std::int64_t>(value);
}

// Decodes a JSON array of strings (as libjwt prints an `aud` array). nullopt if `json` is
// anything else, including an array holding a non-string.
std::optional<std::vector<std::string>> parse_string_array(std::string_view json) {
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const boost::json::value& item : value.get_array()) {
    if (!item.is_string()) {
      return std::nullopt;
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

// Whether the `aud` claim is, or is an array containing, `audience`.
Status check_audience(jwt_t* jwt, const std::string& audience) {
  if (const char* aud = jwt_get_grant(jwt, "aud"); aud != nullptr) {
    if (audience == aud) {
      return {};
    }
    return unauthenticated("token audience does not match");
  }
  const std::optional<std::string> json = claim_json(jwt, "aud");
  if (!json) {
    return unauthenticated("token has no aud claim");
  }
  const auto list = parse_string_array(*json);
  if (!list) {
    return unauthenticated("aud claim is neither a string nor an array of strings");
  }
  for (const std::string& a : *list) {
    if (a == audience) {
      return {};
    }
  }
  return unauthenticated("token audience does not match");
}

// The algorithm a public key is for: RS256 for RSA of at least kMinRsaBits, ES256 for EC P-256.
Result<JwtVerifier::Algorithm> algorithm_for_key(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return internal_error("out of memory reading the JWT public key");
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) {
    return invalid_argument("JWT public key is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  }
  switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
        return invalid_argument("JWT public key: RSA keys must have at least 2048 bits");
      }
      return JwtVerifier::Algorithm::kRs256;
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t length = 0;
      const int ok = EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group,
                                                    sizeof(group), &length);
      ERR_clear_error();
      if (ok != 1 || std::string_view(group, length) != SN_X9_62_prime256v1) {
        return invalid_argument("JWT public key: EC keys must be on curve P-256 (ES256)");
      }
      return JwtVerifier::Algorithm::kEs256;
    }
    default:
      return invalid_argument("JWT public key must be an RSA (RS256) or EC P-256 (ES256) key");
  }
}

std::int64_t system_now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<JwtVerifier>> JwtVerifier::create(JwtSettings settings) {
  const bool has_secret = !settings.hs256_secret.empty();
  const bool has_key = !settings.public_key_pem.empty();
  if (has_secret == has_key) {
    return invalid_argument("set exactly one of the JWT secret and the JWT public key");
  }
  if (settings.leeway < std::chrono::seconds(0) || settings.leeway > kMaxLeeway) {
    return invalid_argument("JWT leeway must be between 0 and 86400 seconds");
  }
  Algorithm algorithm = Algorithm::kHs256;
  if (has_secret) {
    if (settings.hs256_secret.size() < kMinSecretBytes) {
      return invalid_argument("JWT secret must be at least 32 bytes long");
    }
  } else {
    auto detected = algorithm_for_key(settings.public_key_pem);
    if (!detected) {
      return std::move(detected).error();
    }
    algorithm = *detected;
  }
  if (!settings.now_seconds) {
    settings.now_seconds = system_now_seconds;
  }
  return std::unique_ptr<JwtVerifier>(new JwtVerifier(std::move(settings), algorithm));
}

JwtVerifier::JwtVerifier(JwtSettings settings, Algorithm algorithm)
    : settings_(std::move(settings)), algorithm_(algorithm) {}

std::string_view JwtVerifier::algorithm_name() const {
  switch (algorithm_) {
    case Algorithm::kHs256:
      return "HS256";
    case Algorithm::kRs256:
      return "RS256";
    case Algorithm::kEs256:
      return "ES256";
  }
  return "?";
}

Result<Principal> JwtVerifier::verify(std::string_view token) {
  if (auto shape = check_shape(token); !shape) {
    return std::move(shape).error();
  }
  const std::string text(token);
  const std::string& key =
      algorithm_ == Algorithm::kHs256 ? settings_.hs256_secret : settings_.public_key_pem;
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                            static_cast<int>(key.size()));
  JwtPtr jwt(raw);
  if (rc != 0 || !jwt) {
    ERR_clear_error();  // libjwt leaves OpenSSL's per-thread error queue dirty on failures
    return unauthenticated("invalid token (malformed, or the signature does not verify)");
  }
  // libjwt verifies with whatever algorithm the header names; only the configured one counts.
  if (const jwt_alg_t alg = jwt_get_alg(jwt.get()); alg != to_libjwt(algorithm_)) {
    const char* name = jwt_alg_str(alg);
    return unauthenticated(std::string("token algorithm ")
                               .append(name != nullptr ? name : "?")
                               .append(" is not accepted (expected ")
                               .append(algorithm_name())
                               .append(")"));
  }
  if (MallocString crit(jwt_get_headers_json(jwt.get(), "crit")); crit) {
    return unauthenticated("token has a crit header, which is not supported");
  }

  const std::int64_t now = settings_.now_seconds();
  const std::int64_t leeway = settings_.leeway.count();
  auto exp = integer_claim(jwt.get(), "exp");
  if (!exp) {
    return std::move(exp).error();
  }
  if (!*exp) {
    return unauthenticated("token has no exp claim");
  }
  if (now - leeway >= **exp) {
    return unauthenticated("token has expired");
  }
  auto nbf = integer_claim(jwt.get(), "nbf");
  if (!nbf) {
    return std::move(nbf).error();
  }
  if (*nbf && **nbf > now + leeway) {
    return unauthenticated("token is not valid yet (nbf)");
  }
  auto iat = integer_claim(jwt.get(), "iat");
  if (!iat) {
    return std::move(iat).error();
  }
  if (*iat && **iat > now + leeway) {
    return unauthenticated("token was issued in the future (iat)");
  }

  if (settings_.issuer) {
    const char* iss = jwt_get_grant(jwt.get(), "iss");
    if (iss == nullptr || *settings_.issuer != iss) {
      return unauthenticated("token issuer does not match");
    }
  }
  if (settings_.audience) {
    if (auto s = check_audience(jwt.get(), *settings_.audience); !s) {
      return std::move(s).error();
    }
  }

  const char* sub = jwt_get_grant(jwt.get(), "sub");
  if (sub == nullptr || *sub == '\0') {
    return unauthenticated("token has no sub claim (a non-empty string)");
  }
  const std::string_view subject(sub);
  if (subject.size() > kMaxSubBytes) {
    return unauthenticated("token sub claim is longer than 256 bytes");
  }
  for (char c : subject) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return unauthenticated("token sub claim contains control characters");
    }
  }

  Principal principal;
  principal.credential = std::string("jwt:").append(subject);

  const char* tenant = jwt_get_grant(jwt.get(), "tenant");
  if (tenant == nullptr) {
    return unauthenticated(claim_json(jwt.get(), "tenant") ? "token tenant claim is not a string"
                                                           : "token has no tenant claim");
  }
  if (std::string_view(tenant) != "*") {
    auto parsed = TenantId::parse(tenant);
    if (!parsed) {
      return unauthenticated("token tenant claim is not a valid tenant name");
    }
    principal.tenant = std::move(*parsed);
  }

  if (const char* scope = jwt_get_grant(jwt.get(), "scope"); scope != nullptr) {
    auto scopes = Scopes::parse(scope);
    if (!scopes) {
      const std::string& why = scopes.error().message;
      return unauthenticated(is_printable(why) && why.size() <= 200
                                 ? std::string("token scope claim: ").append(why)
                                 : std::string("token scope claim names an unknown scope"));
    }
    principal.scopes = *scopes;
  } else if (claim_json(jwt.get(), "scope")) {
    return unauthenticated("token scope claim is not a string");
  }
  return principal;
}

}  // namespace castor
