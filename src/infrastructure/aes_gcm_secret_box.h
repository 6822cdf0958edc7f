#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "application/ports/secret_box.h"

namespace castor {

// SecretBox with AES-256-GCM (NIST SP 800-38D) through OpenSSL's EVP interface. Sealed layout:
//   version (1 byte, 0x01) | nonce (12 random bytes) | ciphertext (as long as the plaintext) |
//   tag (16 bytes)
// The version byte is authenticated too (it is part of the associated data), so a future layout
// can be told apart. The master key stays in this object only (cleansed on destruction); messages
// never quote it or any plaintext. Thread-safe (every call has its own cipher context).
class AesGcmSecretBox final : public SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  static constexpr std::size_t kNonceBytes = 12;
  static constexpr std::size_t kTagBytes = 16;
  static constexpr std::uint8_t kVersion = 1;
  // Bytes a sealed value has beyond its plaintext.
  static constexpr std::size_t kOverhead = 1 + kNonceBytes + kTagBytes;

  // A box over the master key in the file at `path` (S3_MASTER_KEY_FILE): exactly 32 raw bytes,
  // or 64 hex digits, either optionally followed by one newline ("\n" or "\r\n"). InvalidArgument
  // naming the path (never the contents) when the file cannot be read or has another size or
  // shape.
  static Result<std::unique_ptr<AesGcmSecretBox>> create(const std::filesystem::path& path);
  // A box over `key` (tests, and create()).
  explicit AesGcmSecretBox(std::span<const std::uint8_t, kKeyBytes> key);
  ~AesGcmSecretBox() override;

  // Aborts the process if OpenSSL fails to encrypt or to draw a nonce (out of memory, a broken
  // CSPRNG): there is no safe way on.
  std::string seal(std::string_view plaintext, std::string_view associated_data) override;
  Result<std::string> open(std::string_view sealed, std::string_view associated_data) override;

 private:
  std::array<std::uint8_t, kKeyBytes> key_;
};

}  // namespace castor
