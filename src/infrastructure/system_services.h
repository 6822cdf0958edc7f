#pragma once

#include "application/ports/clock.h"
#include "application/ports/id_generator.h"
#include "application/ports/key_material.h"

namespace castor {

// The system's real-time clock, truncated to microseconds.
class SystemClock final : public Clock {
 public:
  Timestamp now() override;
};

// UUID v4 ids from OpenSSL's CSPRNG (RAND_bytes). Aborts the process if the CSPRNG fails, as
// there is no safe way on without one.
class RandomIdGenerator final : public IdGenerator {
 public:
  ObjectId next() override;
};

// API key and S3 credential material from OpenSSL: RAND_bytes, SHA-256, CRYPTO_memcmp (see
// api_key_secrets.h). random_bytes aborts the process if the CSPRNG fails.
class OpenSslKeyMaterial final : public KeyMaterial {
 public:
  NewKeyMaterial generate() override;
  std::optional<std::pair<std::string, std::string>> split(std::string_view token) override;
  std::string hash_secret(std::string_view secret) override;
  bool equal(std::string_view a, std::string_view b) override;
  void random_bytes(std::span<std::uint8_t> out) override;
};

// `bytes` random bytes from OpenSSL's CSPRNG as lowercase hex (request ids).
std::string random_hex(std::size_t bytes);

}  // namespace castor
