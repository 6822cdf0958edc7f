// libFuzzer target: the credential parsers, through Authenticate::credential as the server calls
// it: API keys ("cst_<id>_<secret>", split and checked by OpenSslKeyMaterial against an in-memory
// store holding a live, a revoked and an expired key) and JWTs (JwtVerifier with an HS256 secret,
// an issuer and an audience).
//
// Two kinds of input:
//  - anything: presented as it is. Accepting it is a bug unless it is the live API key, or a JWT
//    whose HMAC really verifies (which a fuzzer does not find);
//  - "signed:<header JSON>\n<claims JSON>": the target signs it with the verifier's secret, so that
//    the checks after the signature (alg, crit, exp/nbf/iat, iss, aud, sub, tenant, scope) see
//    arbitrary JSON from libjwt.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "application/authenticate.h"
#include "domain/names.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_metadata_store.h"
#include "fuzz_check.h"
#include "infrastructure/api_key_secrets.h"
#include "infrastructure/jwt_verifier.h"
#include "infrastructure/system_services.h"

namespace {

using namespace castor;

constexpr std::string_view kSecret = "castor fuzz: a fixed 32-byte key";
constexpr std::string_view kKeySecret = "Y2FzdG9yIGZ1eno6IGEgZml4ZWQgMzItYnl0ZSBrZXk";  // 43 chars
constexpr std::string_view kLiveId = "fuzzlive0001";
constexpr std::string_view kSignedPrefix = "signed:";

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kAlphabet[(bits >> count) & 0x3f];
    }
  }
  if (count > 0) {
    out += kAlphabet[(bits << (6 - count)) & 0x3f];
  }
  return out;
}

// base64url(HMAC-SHA256(kSecret, signing_input)).
std::string hs256(std::string_view signing_input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &length);
  return base64url(std::string_view(reinterpret_cast<const char*>(mac), length));
}

// Whether `token` is header.payload.signature with a correct HS256 signature under kSecret.
bool really_signed(std::string_view token) {
  const auto dot = token.rfind('.');
  return dot != std::string_view::npos && token.substr(dot + 1) == hs256(token.substr(0, dot));
}

std::unique_ptr<JwtVerifier> make_verifier() {
  JwtSettings settings;
  settings.hs256_secret = std::string(kSecret);
  settings.issuer = "https://issuer.example";
  settings.audience = "castor";
  settings.now_seconds = [] { return std::int64_t{1704067200}; };  // FakeClock::kStart
  auto verifier = JwtVerifier::create(std::move(settings));
  CASTOR_FUZZ_CHECK(verifier.has_value());
  return std::move(*verifier);
}

struct World {
  World() {
    const Status s = metadata.transact([&](MetadataTransaction& tx) -> Status {
      const Timestamp now = testing::FakeClock::kStart;
      for (auto [id, revoked, expired] :
           {std::tuple{kLiveId, false, false},
            std::tuple{std::string_view("fuzzrevoked1"), true, false},
            std::tuple{std::string_view("fuzzexpired1"), false, true}}) {
        ApiKey key{.id = std::string(id),
                   .secret_hash = hash_secret(kKeySecret),
                   .tenant = *TenantId::parse("acme"),
                   .scopes = Scopes{Scope::kObjectsRead},
                   .description = "fuzz",
                   .created_by = "cli",
                   .created_at = now - std::chrono::hours(1),
                   .expires_at = std::nullopt,
                   .revoked_at = std::nullopt,
                   .last_used_at = std::nullopt};
        if (revoked) {
          key.revoked_at = now - std::chrono::minutes(1);
        }
        if (expired) {
          key.expires_at = now - std::chrono::minutes(1);
        }
        if (auto inserted = tx.api_keys().insert(key); !inserted) {
          return inserted;
        }
      }
      return {};
    });
    CASTOR_FUZZ_CHECK(s.has_value());
  }

  testing::MemoryMetadataStore metadata;
  OpenSslKeyMaterial material;
  testing::FakeClock clock;
  // Made before `auth`, which keeps a pointer to it.
  std::unique_ptr<JwtVerifier> verifier = make_verifier();
  // No cache and a touch on every use: each input sees the same state.
  Authenticate auth{metadata,
                    material,
                    verifier.get(),
                    clock,
                    std::chrono::milliseconds(0),
                    std::chrono::seconds(0)};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (input.starts_with(kSignedPrefix)) {
    std::string_view rest = input.substr(kSignedPrefix.size());
    const auto newline = rest.find('\n');
    const std::string_view header = rest.substr(0, newline);
    const std::string_view claims = newline == rest.npos ? "" : rest.substr(newline + 1);
    const std::string signing_input = base64url(header) + "." + base64url(claims);
    const std::string token = signing_input + "." + hs256(signing_input);
    if (auto principal = world.auth.credential(token)) {
      CASTOR_FUZZ_CHECK(principal->credential.starts_with("jwt:"));
      CASTOR_FUZZ_CHECK(principal->credential.size() > 4 && principal->credential.size() <= 260);
    } else {
      CASTOR_FUZZ_CHECK(principal.error().code == ErrorCode::kUnauthenticated);
    }
    return 0;
  }

  if (auto parts = split_api_key(input)) {
    CASTOR_FUZZ_CHECK("cst_" + parts->first + "_" + parts->second == input);
  }
  auto principal = world.auth.credential(input);
  if (principal) {
    if (input.starts_with("cst_")) {
      CASTOR_FUZZ_CHECK(input == "cst_" + std::string(kLiveId) + "_" + std::string(kKeySecret));
      CASTOR_FUZZ_CHECK(principal->credential == "key:" + std::string(kLiveId));
    } else {
      CASTOR_FUZZ_CHECK(really_signed(input));
    }
  } else {
    CASTOR_FUZZ_CHECK(principal.error().code == ErrorCode::kUnauthenticated);
  }
  return 0;
}
