#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

namespace castor {

// A SHA-256 digest: 32 bytes (the same type as bundle.h's Sha256Digest).
using Sha256Digest = std::array<std::uint8_t, 32>;

// An incremental SHA-256 (FIPS 180-4). Not thread-safe: one per stream.
class Sha256Hasher {
 public:
  virtual ~Sha256Hasher() = default;
  // Adds `data` to the message.
  virtual void update(std::string_view data) = 0;
  // The digest of everything added since construction or the last finish(); starts a new message.
  virtual Sha256Digest finish() = 0;
};

// The primitives AWS Signature Version 4 needs. The domain computes no hashes itself: the server
// passes OpenSSL's (infrastructure/openssl_hmac.h), tests may pass the same. Implementations are
// thread-safe (const methods without shared state) and never fail.
class Sigv4Crypto {
 public:
  virtual ~Sigv4Crypto() = default;
  // SHA-256 of `data`.
  virtual Sha256Digest sha256(std::string_view data) const = 0;
  // HMAC-SHA256 (RFC 2104) of `data` under `key` (any length, raw bytes).
  virtual Sha256Digest hmac_sha256(std::string_view key, std::string_view data) const = 0;
  // A fresh incremental SHA-256, owned by the caller.
  virtual std::unique_ptr<Sha256Hasher> new_sha256() const = 0;
};

// The bytes of a digest as a string_view (for use as an HMAC key). Valid while `digest` lives.
inline std::string_view digest_bytes(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace castor
