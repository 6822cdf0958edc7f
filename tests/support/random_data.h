#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace castor::testing {

// `size` random bytes (all 256 values occur). Thread-safe.
std::string random_bytes(std::size_t size);

// Random bytes and their SHA-256, as test content.
struct RandomContent {
  std::string bytes;
  std::string hash;  // lowercase hex SHA-256 of bytes
};
RandomContent random_content(std::size_t size);

// A name unique within this process and very likely across processes, valid as a castor
// namespace or tenant ([a-z0-9][a-z0-9._-]{0,62}): "<prefix>-<counter>-<random hex>". `prefix`
// must itself be a valid name of at most 40 characters. Thread-safe.
std::string unique_name(std::string_view prefix);

// A random integer in [low, high]. Thread-safe.
std::size_t random_between(std::size_t low, std::size_t high);

}  // namespace castor::testing
