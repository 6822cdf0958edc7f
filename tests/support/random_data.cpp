#include "support/random_data.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <random>

#include "support/sha256.h"

namespace castor::testing {
namespace {

std::mt19937_64& engine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

}  // namespace

std::string random_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t pos = 0; pos < size; pos += sizeof(std::uint64_t)) {
    const std::uint64_t value = engine()();
    std::memcpy(bytes.data() + pos, &value, std::min(sizeof(value), size - pos));
  }
  return bytes;
}

RandomContent random_content(std::size_t size) {
  RandomContent content{random_bytes(size), ""};
  content.hash = sha256_hex(content.bytes);
  return content;
}

std::string unique_name(std::string_view prefix) {
  static std::atomic<unsigned> counter{0};
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string name(prefix);
  name += '-';
  name += std::to_string(++counter);
  name += '-';
  for (std::uint64_t value = engine()(), i = 0; i < 8; ++i, value >>= 4) {
    name.push_back(kHexDigits[value & 0xf]);
  }
  return name;
}

std::size_t random_between(std::size_t low, std::size_t high) {
  return std::uniform_int_distribution<std::size_t>(low, high)(engine());
}

}  // namespace castor::testing
