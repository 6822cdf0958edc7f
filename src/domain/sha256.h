#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace castor {

// SHA-256 (FIPS 180-4) in plain C++, for the small digests the domain computes itself (a bundle's
// Merkle tree). Content is hashed by the blob store (OpenSSL), not by this. Not thread-safe; cheap
// to create.
class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256();
  // Appends `data` to the message.
  void update(std::span<const std::uint8_t> data);
  void update(std::string_view data);
  // The digest of everything appended; the object must not be used afterwards.
  Digest finish();

  // The digest of `data` in one call.
  static Digest of(std::string_view data);
  static Digest of(std::span<const std::uint8_t> data);

 private:
  void block(const std::uint8_t* p);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;  // bytes appended
};

}  // namespace castor
