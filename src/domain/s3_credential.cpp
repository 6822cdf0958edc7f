#include "domain/s3_credential.h"

#include <span>

#include "domain/base64.h"

namespace castor {
namespace {

constexpr std::string_view kPrefix = "CK";
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kBase32Chars = S3Credential::kIdLength - kPrefix.size();  // 18

}  // namespace

std::string s3_access_key_id(const std::array<std::uint8_t, S3Credential::kIdRandomBytes>& random) {
  std::string id(kPrefix);
  std::uint32_t buffer = 0;  // bits not yet emitted, in the low `bits` bits
  int bits = 0;
  std::size_t next = 0;
  while (id.size() < S3Credential::kIdLength) {
    if (bits < 5) {
      buffer = (buffer << 8) | random[next++];
      bits += 8;
    }
    bits -= 5;
    id += kBase32[(buffer >> bits) & 31];
  }
  static_assert(kBase32Chars * 5 <= S3Credential::kIdRandomBytes * 8);
  return id;
}

std::string s3_secret_access_key(
    const std::array<std::uint8_t, S3Credential::kSecretRandomBytes>& random) {
  static_assert(S3Credential::kSecretRandomBytes % 3 == 0, "no padding");
  return base64_encode(std::span<const std::uint8_t>(random));
}

bool is_s3_access_key_id(std::string_view text) {
  return text.size() == S3Credential::kIdLength && text.starts_with(kPrefix) &&
         text.substr(kPrefix.size()).find_first_not_of(kBase32) == std::string_view::npos;
}

}  // namespace castor
