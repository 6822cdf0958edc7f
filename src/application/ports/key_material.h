#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace castor {

// A freshly generated API key: `token` ("cst_<id>_<secret>") is what the caller keeps.
struct NewKeyMaterial {
  std::string id;
  std::string secret;
  std::string token;
};

// The cryptography behind API keys and S3 credentials (a CSPRNG, SHA-256, constant-time
// comparison). Thread-safe.
class KeyMaterial {
 public:
  virtual ~KeyMaterial() = default;
  // A new key with at least 256 bits of secret from a CSPRNG.
  virtual NewKeyMaterial generate() = 0;
  // (id, secret) of a token shaped "cst_<id>_<secret>", or nullopt.
  virtual std::optional<std::pair<std::string, std::string>> split(std::string_view token) = 0;
  // Lowercase hex SHA-256 of `secret`.
  virtual std::string hash_secret(std::string_view secret) = 0;
  // Compares in time independent of the contents.
  virtual bool equal(std::string_view a, std::string_view b) = 0;
  // Fills `out` with bytes from a CSPRNG (the material of S3 credentials).
  virtual void random_bytes(std::span<std::uint8_t> out) = 0;
};

}  // namespace castor
