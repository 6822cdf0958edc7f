#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// The SHA-256 digest of an object's content: the address of its blob.
class ContentHash {
 public:
  using Bytes = std::array<std::uint8_t, 32>;
  static constexpr std::string_view kPrefix = "sha256:";

  // Parses 64 hex digits (either case), bare or prefixed with "sha256:" (either case). Returns
  // InvalidArgument otherwise.
  static Result<ContentHash> parse(std::string_view text);
  static ContentHash from_bytes(const Bytes& digest) { return ContentHash(digest); }

  // 64 lowercase hex digits, as used in file names, ETags and X-Content-Hash.
  const std::string& hex() const { return hex_; }
  // "sha256:" + hex(), as shown in JSON.
  std::string to_string() const { return std::string(kPrefix) + hex_; }

  friend bool operator==(const ContentHash& a, const ContentHash& b) { return a.hex_ == b.hex_; }
  friend auto operator<=>(const ContentHash& a, const ContentHash& b) { return a.hex_ <=> b.hex_; }

 private:
  explicit ContentHash(const Bytes& digest);
  std::string hex_;
};

}  // namespace castor
