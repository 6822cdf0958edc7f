#include "infrastructure/crc64_nvme.h"

#include <array>
#include <bit>
#include <cstring>

namespace castor {
namespace {

constexpr std::uint64_t kReflectedPolynomial = 0x9A6C9329AC4BC9B5;  // 0xAD93D23594C93659 reversed

using Tables = std::array<std::array<std::uint64_t, 256>, 8>;

// tables[0][b]: the CRC register after shifting byte b through it; tables[k][b]: the same byte
// followed by k zero bytes, so that eight bytes are folded with eight lookups.
constexpr Tables make_tables() {
  Tables t{};
  for (std::uint64_t b = 0; b < 256; ++b) {
    std::uint64_t c = b;
    for (int bit = 0; bit < 8; ++bit) {
      c = (c & 1) != 0 ? (c >> 1) ^ kReflectedPolynomial : c >> 1;
    }
    t[0][b] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t b = 0; b < 256; ++b) {
      const std::uint64_t prev = t[k - 1][b];
      t[k][b] = (prev >> 8) ^ t[0][prev & 0xFF];
    }
  }
  return t;
}

constexpr Tables kTables = make_tables();

}  // namespace

std::uint64_t crc64_nvme_update(std::uint64_t crc, const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t r = ~crc;
  if constexpr (std::endian::native == std::endian::little) {
    for (; size >= 8; size -= 8, p += 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      r ^= word;
      r = kTables[7][r & 0xFF] ^ kTables[6][(r >> 8) & 0xFF] ^ kTables[5][(r >> 16) & 0xFF] ^
          kTables[4][(r >> 24) & 0xFF] ^ kTables[3][(r >> 32) & 0xFF] ^
          kTables[2][(r >> 40) & 0xFF] ^ kTables[1][(r >> 48) & 0xFF] ^ kTables[0][r >> 56];
    }
  }
  for (; size > 0; --size, ++p) {
    r = kTables[0][(r ^ *p) & 0xFF] ^ (r >> 8);
  }
  return ~r;
}

}  // namespace castor
