#include "support/sha256.h"

#include <array>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

namespace castor::testing {
namespace {

// An incremental SHA-256 over an EVP_MD_CTX; throws on OpenSSL failure (tests only).
class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("EVP_DigestInit_ex(sha256) failed");
    }
  }

  void update(std::string_view data) {
    if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
      throw std::runtime_error("EVP_DigestUpdate failed");
    }
  }

  std::string hex_digest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length) != 1) {
      throw std::runtime_error("EVP_DigestFinal_ex failed");
    }
    static constexpr char kHexDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
      hex.push_back(kHexDigits[digest[i] >> 4]);
      hex.push_back(kHexDigits[digest[i] & 0x0f]);
    }
    return hex;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

}  // namespace

std::string sha256_hex(std::string_view data) {
  Hasher hasher;
  hasher.update(data);
  return hasher.hex_digest();
}

std::string sha256_file_hex(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot open " + path.string());
  }
  Hasher hasher;
  std::array<char, 64 * 1024> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    hasher.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) {
    throw std::runtime_error("cannot read " + path.string());
  }
  return hasher.hex_digest();
}

}  // namespace castor::testing
