#include "infrastructure/api_key_secrets.h"

#include <array>
#include <cstdint>
#include <cstdlib>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "domain/hex.h"

namespace castor {
namespace {

constexpr std::string_view kPrefix = "cst_";
constexpr std::size_t kIdLength = 12;
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kSecretLength = 43;  // ceil(32 * 8 / 6), unpadded
constexpr std::string_view kIdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void fill_random(std::uint8_t* out, std::size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    std::abort();
  }
}

// kIdLength characters drawn uniformly from kIdAlphabet: bytes >= 252 (7 * 36) are rejected so
// that `byte % 36` has no bias.
std::string random_id() {
  std::string id;
  std::array<std::uint8_t, 32> buf{};
  while (id.size() < kIdLength) {
    fill_random(buf.data(), buf.size());
    for (std::uint8_t b : buf) {
      if (b < 252 && id.size() < kIdLength) {
        id += kIdAlphabet[b % kIdAlphabet.size()];
      }
    }
  }
  return id;
}

// Unpadded base64url (RFC 4648 §5) of `bytes`.
std::string base64url(const std::uint8_t* bytes, std::size_t size) {
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kBase64Url[(n >> 18) & 63];
    out += kBase64Url[(n >> 12) & 63];
    out += kBase64Url[(n >> 6) & 63];
    out += kBase64Url[n & 63];
  }
  if (size - i == 1) {
    const std::uint32_t n = bytes[i] << 16;
    out += kBase64Url[(n >> 18) & 63];
    out += kBase64Url[(n >> 12) & 63];
  } else if (size - i == 2) {
    const std::uint32_t n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += kBase64Url[(n >> 18) & 63];
    out += kBase64Url[(n >> 12) & 63];
    out += kBase64Url[(n >> 6) & 63];
  }
  return out;
}

bool all_of(std::string_view text, std::string_view alphabet) {
  return text.find_first_not_of(alphabet) == std::string_view::npos;
}

}  // namespace

GeneratedKey generate_api_key() {
  std::array<std::uint8_t, kSecretBytes> bytes{};
  fill_random(bytes.data(), bytes.size());
  GeneratedKey key;
  key.id = random_id();
  key.secret = base64url(bytes.data(), bytes.size());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  key.token.reserve(kPrefix.size() + kIdLength + 1 + kSecretLength);
  key.token.append(kPrefix).append(key.id).append("_").append(key.secret);
  return key;
}

std::optional<std::pair<std::string, std::string>> split_api_key(std::string_view token) {
  if (token.size() != kPrefix.size() + kIdLength + 1 + kSecretLength ||
      token.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  const std::string_view id = token.substr(kPrefix.size(), kIdLength);
  const std::string_view secret = token.substr(kPrefix.size() + kIdLength + 1);
  if (token[kPrefix.size() + kIdLength] != '_' || !all_of(id, kIdAlphabet) ||
      !all_of(secret, kBase64Url)) {
    return std::nullopt;
  }
  return std::pair(std::string(id), std::string(secret));
}

std::string hash_secret(std::string_view secret) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int size = 0;
  if (EVP_Digest(secret.data(), secret.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    std::abort();  // SHA-256 from the default provider does not fail short of memory corruption
  }
  return to_hex(digest);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace castor
