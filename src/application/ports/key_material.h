#pragma once

#include <optional>
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

// The cryptography behind API keys (a CSPRNG, SHA-256, constant-time comparison). Thread-safe.
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
};

}  // namespace castor
