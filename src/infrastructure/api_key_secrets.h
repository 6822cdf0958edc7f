#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace castor {

// The material of a freshly generated API key. Only `id` and hash_secret(`secret`) are stored;
// `token` is shown to the operator once and never kept or logged.
struct GeneratedKey {
  // 12 characters from [a-z0-9] (about 62 bits): names the key in listings, logs and audit lines,
  // and finds its row.
  std::string id;
  // 43 characters of unpadded base64url ([A-Za-z0-9_-]) encoding 32 random bytes (256 bits).
  std::string secret;
  // What the client sends: "cst_" + id + "_" + secret (60 characters).
  std::string token;
};

// A new key from OpenSSL's CSPRNG (RAND_bytes). Aborts the process if the CSPRNG fails, as there
// is no safe way on without one. Thread-safe.
GeneratedKey generate_api_key();

// Splits a client-sent token into (id, secret) if it has exactly the shape generate_api_key()
// produces ("cst_", 12 of [a-z0-9], "_", 43 of [A-Za-z0-9_-]); nullopt otherwise. Checks only
// the shape: the caller looks the id up and compares hash_secret(secret) with the stored hash.
std::optional<std::pair<std::string, std::string>> split_api_key(std::string_view token);

// The SHA-256 of `secret` as 64 lowercase hex characters: what is stored instead of the secret
// (a plain hash suffices for 256-bit random secrets; there is nothing to brute-force). Aborts
// the process if OpenSSL cannot compute SHA-256 (out of memory). Thread-safe.
std::string hash_secret(std::string_view secret);

// Whether `a` and `b` are equal, in time that depends only on their lengths (CRYPTO_memcmp), so
// comparing a stored hash with a computed one leaks nothing through timing. False if the lengths
// differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace castor
