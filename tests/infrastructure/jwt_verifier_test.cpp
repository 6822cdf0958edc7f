#include "infrastructure/jwt_verifier.h"

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <catch2/catch.hpp>

namespace castor {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;
const std::string kSecret = "castor-test-secret-0123456789abcdef";  // 35 bytes

// Claim name → claim value as JSON text ("\"alice\"", "1700000000", "[\"a\"]").
using Claims = std::map<std::string, std::string>;

Claims default_claims() {
  return {{"sub", "\"alice\""},
          {"tenant", "\"acme\""},
          {"scope", "\"objects:read objects:write\""},
          {"iat", std::to_string(kNow)},
          {"exp", std::to_string(kNow + 3600)}};
}

std::string to_json(const Claims& claims) {
  std::string out = "{";
  for (const auto& [name, value] : claims) {
    if (out.size() > 1) {
      out += ',';
    }
    out.append("\"").append(name).append("\":").append(value);
  }
  return out + "}";
}

std::string base64url(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  for (char& c : out) {
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  return out;
}

std::vector<std::string> segments(const std::string& token) {
  std::vector<std::string> out(1);
  for (char c : token) {
    if (c == '.') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};

// A token signed by libjwt with `alg` and `key` (a secret, or a private key PEM), carrying
// `claims` and, if given, extra header fields as a JSON object.
std::string mint(jwt_alg_t alg, std::string_view key, const Claims& claims,
                 const char* headers_json = nullptr) {
  jwt_t* raw = nullptr;
  REQUIRE(jwt_new(&raw) == 0);
  std::unique_ptr<jwt_t, JwtFree> jwt(raw);
  REQUIRE(jwt_add_grants_json(jwt.get(), to_json(claims).c_str()) == 0);
  if (headers_json != nullptr) {
    REQUIRE(jwt_add_headers_json(jwt.get(), headers_json) == 0);
  }
  REQUIRE(jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char*>(key.data()),
                      static_cast<int>(key.size())) == 0);
  char* encoded = jwt_encode_str(jwt.get());
  REQUIRE(encoded != nullptr);
  std::string token(encoded);
  std::free(encoded);
  return token;
}

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair to_pem(EVP_PKEY* key) {
  REQUIRE(key != nullptr);
  KeyPair pair;
  for (bool is_private : {true, false}) {
    BIO* bio = BIO_new(BIO_s_mem());
    REQUIRE(bio != nullptr);
    const int ok = is_private
                       ? PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr)
                       : PEM_write_bio_PUBKEY(bio, key);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    (is_private ? pair.private_pem : pair.public_pem).assign(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    REQUIRE(ok == 1);
  }
  EVP_PKEY_free(key);
  return pair;
}

const KeyPair& rsa_key() {
  static const KeyPair key = to_pem(EVP_RSA_gen(2048));
  return key;
}
const KeyPair& other_rsa_key() {
  static const KeyPair key = to_pem(EVP_RSA_gen(2048));
  return key;
}
const KeyPair& ec_key() {
  static const KeyPair key = to_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  return key;
}

JwtSettings hs256_settings() {
  JwtSettings settings;
  settings.hs256_secret = kSecret;
  settings.now_seconds = [] { return kNow; };
  return settings;
}

JwtSettings public_key_settings(const KeyPair& key) {
  JwtSettings settings;
  settings.public_key_pem = key.public_pem;
  settings.now_seconds = [] { return kNow; };
  return settings;
}

std::unique_ptr<JwtVerifier> make_verifier(JwtSettings settings) {
  auto verifier = JwtVerifier::create(std::move(settings));
  REQUIRE(verifier);
  return std::move(*verifier);
}

// `token` is refused with Unauthenticated, a message containing `why`, and nothing of the token.
void check_rejected(JwtVerifier& verifier, const std::string& token, std::string_view why) {
  INFO("token: " << token);
  const auto result = verifier.verify(token);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ErrorCode::kUnauthenticated);
  INFO("message: " << result.error().message);
  CHECK(result.error().message.find(why) != std::string::npos);
  for (const std::string& part : segments(token)) {
    if (part.size() >= 8) {
      CHECK(result.error().message.find(part) == std::string::npos);
    }
  }
  CHECK(result.error().message.find(kSecret) == std::string::npos);
}

void check_invalid_settings(JwtSettings settings, std::string_view why) {
  const auto result = JwtVerifier::create(std::move(settings));
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ErrorCode::kInvalidArgument);
  INFO("message: " << result.error().message);
  CHECK(result.error().message.find(why) != std::string::npos);
  CHECK(result.error().message.find(kSecret.substr(0, 10)) == std::string::npos);
}

}  // namespace

TEST_CASE("JwtVerifier accepts a valid HS256 token and returns its principal", "[unit]") {
  auto verifier = make_verifier(hs256_settings());
  CHECK(verifier->algorithm_name() == "HS256");
  const auto principal = verifier->verify(mint(JWT_ALG_HS256, kSecret, default_claims()));
  REQUIRE(principal);
  CHECK(principal->credential == "jwt:alice");
  REQUIRE(principal->tenant);
  CHECK(principal->tenant->str() == "acme");
  CHECK(principal->scopes == Scopes{Scope::kObjectsRead, Scope::kObjectsWrite});
}

TEST_CASE("JwtVerifier accepts valid RS256 and ES256 tokens", "[unit]") {
  auto rs = make_verifier(public_key_settings(rsa_key()));
  CHECK(rs->algorithm_name() == "RS256");
  auto principal = rs->verify(mint(JWT_ALG_RS256, rsa_key().private_pem, default_claims()));
  REQUIRE(principal);
  CHECK(principal->credential == "jwt:alice");

  auto es = make_verifier(public_key_settings(ec_key()));
  CHECK(es->algorithm_name() == "ES256");
  principal = es->verify(mint(JWT_ALG_ES256, ec_key().private_pem, default_claims()));
  REQUIRE(principal);
  CHECK(principal->tenant->str() == "acme");
}

TEST_CASE("JwtVerifier refuses signatures made with another key", "[unit]") {
  auto hs = make_verifier(hs256_settings());
  check_rejected(*hs, mint(JWT_ALG_HS256, "another-secret-another-secret-0123", default_claims()),
                 "signature");
  auto rs = make_verifier(public_key_settings(rsa_key()));
  check_rejected(*rs, mint(JWT_ALG_RS256, other_rsa_key().private_pem, default_claims()),
                 "signature");
  auto es = make_verifier(public_key_settings(ec_key()));
  const KeyPair other_ec = to_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check_rejected(*es, mint(JWT_ALG_ES256, other_ec.private_pem, default_claims()), "signature");
}

TEST_CASE("JwtVerifier refuses a tampered payload or signature", "[unit]") {
  auto verifier = make_verifier(hs256_settings());
  const std::string token = mint(JWT_ALG_HS256, kSecret, default_claims());
  const auto parts = segments(token);
  REQUIRE(parts.size() == 3);

  Claims escalated = default_claims();
  escalated["tenant"] = "\"*\"";
  escalated["scope"] = "\"admin\"";
  check_rejected(*verifier, parts[0] + "." + base64url(to_json(escalated)) + "." + parts[2],
                 "signature");

  std::string signature = parts[2];
  char& c = signature[signature.size() / 2];
  c = c == 'A' ? 'B' : 'A';
  check_rejected(*verifier, parts[0] + "." + parts[1] + "." + signature, "signature");

  auto rs = make_verifier(public_key_settings(rsa_key()));
  const auto rs_parts = segments(mint(JWT_ALG_RS256, rsa_key().private_pem, default_claims()));
  check_rejected(*rs, rs_parts[0] + "." + base64url(to_json(escalated)) + "." + rs_parts[2],
                 "signature");
}

TEST_CASE("JwtVerifier refuses alg none", "[unit]") {
  const std::string payload = base64url(to_json(default_claims()));
  REQUIRE(base64url(R"({"alg":"none"})") == "eyJhbGciOiJub25lIn0");
  for (const JwtSettings& settings :
       {hs256_settings(), public_key_settings(rsa_key()), public_key_settings(ec_key())}) {
    auto verifier = make_verifier(settings);
    check_rejected(*verifier, std::string("eyJhbGciOiJub25lIn0.") + payload + ".", "not signed");
    // With a made-up signature, or in the header shape libjwt itself writes.
    check_rejected(*verifier, std::string("eyJhbGciOiJub25lIn0.") + payload + ".c2lnbmF0dXJl",
                   "invalid token");
    check_rejected(*verifier, base64url(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".",
                   "not signed");
    check_rejected(*verifier, base64url(R"({"alg":"None"})") + "." + payload + ".AAAA",
                   "invalid token");
  }
}

TEST_CASE("JwtVerifier pins the algorithm: no confusion between HMAC and public keys", "[unit]") {
  // The classic attack: HS256 keyed with the (public) RSA key text. libjwt verifies the HMAC with
  // the configured PEM as secret, so the verifier must refuse the algorithm itself.
  auto rs = make_verifier(public_key_settings(rsa_key()));
  check_rejected(*rs, mint(JWT_ALG_HS256, rsa_key().public_pem, default_claims()),
                 "algorithm HS256 is not accepted (expected RS256)");
  auto es = make_verifier(public_key_settings(ec_key()));
  check_rejected(*es, mint(JWT_ALG_HS256, ec_key().public_pem, default_claims()),
                 "algorithm HS256 is not accepted (expected ES256)");
  // An RSA key also cannot stand in for the EC one and vice versa.
  check_rejected(*es, mint(JWT_ALG_RS256, rsa_key().private_pem, default_claims()), "invalid");
  check_rejected(*rs, mint(JWT_ALG_ES256, ec_key().private_pem, default_claims()), "invalid");
  // A sibling HMAC algorithm with the right secret is still the wrong algorithm.
  auto hs = make_verifier(hs256_settings());
  check_rejected(*hs, mint(JWT_ALG_HS512, kSecret, default_claims()),
                 "algorithm HS512 is not accepted (expected HS256)");
  check_rejected(*hs, mint(JWT_ALG_RS256, rsa_key().private_pem, default_claims()), "invalid");
}

TEST_CASE("JwtVerifier refuses malformed tokens", "[unit]") {
  auto verifier = make_verifier(hs256_settings());
  const std::string good = mint(JWT_ALG_HS256, kSecret, default_claims());
  for (const std::string& token : {
           std::string(),
           std::string("abc"),
           std::string("a.b"),
           std::string("a.b.c.d"),
           std::string("..."),
           std::string(".b.c"),
           std::string("x.y.z"),
           good + "=",
           good + ".",
           std::string(" ") + good,
           good.substr(0, good.size() - 1) + "+",
           std::string(9000, 'a') + ".b.c",
           base64url("not json") + "." + base64url(to_json(default_claims())) + ".AAAA",
           std::string("eyJhbGciOiJIUzI1NiJ9.") + base64url("[1,2]") + ".AAAA",
       }) {
    check_rejected(*verifier, token, "");
  }
  std::string with_nul = good;
  with_nul.insert(10, 1, '\0');
  check_rejected(*verifier, with_nul, "malformed");
  // A crit header names extensions this verifier does not implement.
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, default_claims(), R"({"crit":["exp"]})"),
                 "crit");
}

TEST_CASE("JwtVerifier requires an integer exp that is not past", "[unit]") {
  auto verifier = make_verifier(hs256_settings());
  Claims claims = default_claims();
  claims["exp"] = std::to_string(kNow - 31);  // past, beyond the 30 s leeway
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "expired");
  claims["exp"] = std::to_string(kNow - 30);
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "expired");
  claims["exp"] = std::to_string(kNow - 29);  // within the leeway
  CHECK(verifier->verify(mint(JWT_ALG_HS256, kSecret, claims)));

  claims.erase("exp");
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "no exp claim");
  claims["exp"] = std::string("\"").append(std::to_string(kNow + 3600)).append("\"");
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "exp claim is not an integer");
  claims["exp"] = std::to_string(kNow + 3600) + ".5";
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "exp claim is not an integer");
  claims["exp"] = "null";
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "exp claim is not an integer");
}

TEST_CASE("JwtVerifier honours nbf and iat, with the leeway both ways", "[unit]") {
  auto verifier = make_verifier(hs256_settings());
  Claims claims = default_claims();
  claims["nbf"] = std::to_string(kNow + 31);
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "not valid yet");
  claims["nbf"] = std::to_string(kNow + 30);
  CHECK(verifier->verify(mint(JWT_ALG_HS256, kSecret, claims)));
  claims["nbf"] = std::to_string(kNow - 100);
  CHECK(verifier->verify(mint(JWT_ALG_HS256, kSecret, claims)));
  claims["nbf"] = "\"soon\"";
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "nbf claim is not an integer");

  claims = default_claims();
  claims["iat"] = std::to_string(kNow + 3000);
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "issued in the future");
  claims["iat"] = std::to_string(kNow + 20);
  CHECK(verifier->verify(mint(JWT_ALG_HS256, kSecret, claims)));
  claims.erase("iat");
  CHECK(verifier->verify(mint(JWT_ALG_HS256, kSecret, claims)));
}

TEST_CASE("JwtVerifier applies the configured leeway", "[unit]") {
  JwtSettings settings = hs256_settings();
  settings.leeway = std::chrono::seconds(0);
  auto strict = make_verifier(settings);
  settings.leeway = std::chrono::seconds(300);
  auto lenient = make_verifier(settings);

  Claims claims = default_claims();
  claims["exp"] = std::to_string(kNow - 60);
  const std::string expired_a_minute_ago = mint(JWT_ALG_HS256, kSecret, claims);
  check_rejected(*strict, expired_a_minute_ago, "expired");
  CHECK(lenient->verify(expired_a_minute_ago));
  claims["exp"] = std::to_string(kNow);
  check_rejected(*strict, mint(JWT_ALG_HS256, kSecret, claims), "expired");
  claims["exp"] = std::to_string(kNow + 1);
  CHECK(strict->verify(mint(JWT_ALG_HS256, kSecret, claims)));

  claims = default_claims();
  claims["nbf"] = std::to_string(kNow + 60);
  const std::string starts_in_a_minute = mint(JWT_ALG_HS256, kSecret, claims);
  check_rejected(*strict, starts_in_a_minute, "not valid yet");
  CHECK(lenient->verify(starts_in_a_minute));

  // The clock is read at every call.
  std::atomic<std::int64_t> now{kNow};
  settings = hs256_settings();
  settings.now_seconds = [&now] { return now.load(); };
  auto moving = make_verifier(settings);
  const std::string token = mint(JWT_ALG_HS256, kSecret, default_claims());  // exp = kNow + 3600
  CHECK(moving->verify(token));
  now = kNow + 3600 + 30;
  check_rejected(*moving, token, "expired");
}

TEST_CASE("JwtVerifier checks iss when configured", "[unit]") {
  JwtSettings settings = hs256_settings();
  settings.issuer = "https://login.example.com";
  auto verifier = make_verifier(settings);
  Claims claims = default_claims();
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "issuer");
  claims["iss"] = "\"https://evil.example.com\"";
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "issuer");
  claims["iss"] = "\"https://login.example.com\"";
  CHECK(verifier->verify(mint(JWT_ALG_HS256, kSecret, claims)));
  // Without the setting, iss is not looked at.
  claims["iss"] = "\"https://evil.example.com\"";
  CHECK(make_verifier(hs256_settings())->verify(mint(JWT_ALG_HS256, kSecret, claims)));
}

TEST_CASE("JwtVerifier checks aud, a string or an array, when configured", "[unit]") {
  JwtSettings settings = hs256_settings();
  settings.audience = "castor";
  auto verifier = make_verifier(settings);
  Claims claims = default_claims();
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "no aud claim");
  for (const char* good :
       {R"("castor")", R"(["castor"])", R"(["other","castor"])", R"(["\u0063astor","x"])"}) {
    INFO(good);
    claims["aud"] = good;
    CHECK(verifier->verify(mint(JWT_ALG_HS256, kSecret, claims)));
  }
  for (const char* bad :
       {R"("other")", R"(["other"])", R"([])", R"("castor2")", R"(["castor "])", R"("Castor")"}) {
    INFO(bad);
    claims["aud"] = bad;
    check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "audience does not match");
  }
  for (const char* wrong_type : {"5", R"(["castor",5])", R"({"aud":"castor"})", "true"}) {
    INFO(wrong_type);
    claims["aud"] = wrong_type;
    check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "aud claim");
  }
  // Escapes in the array (libjwt prints control characters escaped) are decoded before comparing.
  settings.audience = "tab\there \x01 \xc3\xa9 \"q\" \\";
  auto escaped = make_verifier(settings);
  claims["aud"] = R"(["x", "tab\there \u0001 \u00e9 \"q\" \\"])";
  CHECK(escaped->verify(mint(JWT_ALG_HS256, kSecret, claims)));
  claims["aud"] = R"(["x", "tab\there \u0002 \u00e9 \"q\" \\"])";
  check_rejected(*escaped, mint(JWT_ALG_HS256, kSecret, claims), "audience does not match");
  // Without the setting, aud is not looked at.
  claims["aud"] = R"("other")";
  CHECK(make_verifier(hs256_settings())->verify(mint(JWT_ALG_HS256, kSecret, claims)));
}

TEST_CASE("JwtVerifier maps the tenant claim, with * for every tenant", "[unit]") {
  auto verifier = make_verifier(hs256_settings());
  Claims claims = default_claims();
  claims["tenant"] = R"("*")";
  claims["scope"] = R"("admin")";
  auto principal = verifier->verify(mint(JWT_ALG_HS256, kSecret, claims));
  REQUIRE(principal);
  CHECK_FALSE(principal->tenant.has_value());
  CHECK(principal->scopes == Scopes{Scope::kAdmin});

  for (const char* bad :
       {R"("Acme")", R"("acme/other")", R"("")", R"("-acme")", R"("**")", "7", R"(["acme"])"}) {
    INFO(bad);
    claims["tenant"] = bad;
    check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "tenant");
  }
  claims.erase("tenant");
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "no tenant claim");
}

TEST_CASE("JwtVerifier parses scope and refuses unknown scope names", "[unit]") {
  auto verifier = make_verifier(hs256_settings());
  Claims claims = default_claims();
  claims["scope"] = R"("objects:read objects:destroy")";
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "objects:destroy");
  claims["scope"] = R"("objects:read\nx")";
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "unknown scope");
  claims["scope"] = R"(["objects:read"])";
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "scope claim is not a string");

  claims["scope"] = R"("objects:delete  objects:read")";
  auto principal = verifier->verify(mint(JWT_ALG_HS256, kSecret, claims));
  REQUIRE(principal);
  CHECK(principal->scopes == Scopes{Scope::kObjectsDelete, Scope::kObjectsRead});
  // No scope claim: authenticated, but allowed nothing.
  claims.erase("scope");
  principal = verifier->verify(mint(JWT_ALG_HS256, kSecret, claims));
  REQUIRE(principal);
  CHECK(principal->scopes.empty());
}

TEST_CASE("JwtVerifier requires a sane sub", "[unit]") {
  auto verifier = make_verifier(hs256_settings());
  Claims claims = default_claims();
  claims.erase("sub");
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "no sub claim");
  claims["sub"] = R"("")";
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "no sub claim");
  claims["sub"] = "42";
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "no sub claim");
  claims["sub"] = R"("alice\nINFO forged log line")";
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "control characters");
  claims["sub"] = std::string("\"").append(257, 'a').append("\"");
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "longer than 256");
  claims["sub"] = R"("service-account:builder@example.com")";
  auto principal = verifier->verify(mint(JWT_ALG_HS256, kSecret, claims));
  REQUIRE(principal);
  CHECK(principal->credential == "jwt:service-account:builder@example.com");
}

TEST_CASE("JwtVerifier::create refuses bad settings", "[unit]") {
  JwtSettings neither;
  check_invalid_settings(neither, "exactly one");
  JwtSettings both = hs256_settings();
  both.public_key_pem = rsa_key().public_pem;
  check_invalid_settings(both, "exactly one");
  JwtSettings short_secret;
  short_secret.hs256_secret = "castor-test-secret";
  check_invalid_settings(short_secret, "at least 32 bytes");
  JwtSettings negative_leeway = hs256_settings();
  negative_leeway.leeway = std::chrono::seconds(-1);
  check_invalid_settings(negative_leeway, "leeway");

  JwtSettings key;
  key.public_key_pem = "not a key";
  check_invalid_settings(key, "not a PEM public key");
  key.public_key_pem = rsa_key().private_pem;  // a private key is not what is configured
  check_invalid_settings(key, "not a PEM public key");
  key.public_key_pem = to_pem(EVP_RSA_gen(1024)).public_pem;
  check_invalid_settings(key, "at least 2048 bits");
  key.public_key_pem = to_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")).public_pem;
  check_invalid_settings(key, "P-256");
  key.public_key_pem = to_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")).public_pem;
  check_invalid_settings(key, "RSA (RS256) or EC P-256 (ES256)");

  // Without an injected clock the system clock is used.
  JwtSettings real_clock;
  real_clock.hs256_secret = kSecret;
  auto verifier = make_verifier(real_clock);
  Claims claims = default_claims();
  claims.erase("iat");
  check_rejected(*verifier, mint(JWT_ALG_HS256, kSecret, claims), "expired");  // 2023
}

TEST_CASE("JwtVerifier verifies from many threads at once", "[unit]") {
  auto verifier = make_verifier(public_key_settings(ec_key()));
  const std::string good = mint(JWT_ALG_ES256, ec_key().private_pem, default_claims());
  const std::string forged = mint(JWT_ALG_HS256, ec_key().public_pem, default_claims());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (!verifier->verify(good) || verifier->verify(forged)) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(failures == 0);
}

}  // namespace castor
