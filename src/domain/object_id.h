#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// The identity of an object: a random (version 4) UUID, RFC 9562 section 5.4.
class ObjectId {
 public:
  using Bytes = std::array<std::uint8_t, 16>;

  // Parses the canonical 36-character form (8-4-4-4-12 hex digits, either case). Returns
  // InvalidArgument for anything else, including UUIDs of other versions.
  static Result<ObjectId> parse(std::string_view text);

  // Makes a v4 UUID from 16 random bytes (the version and variant bits are overwritten).
  static ObjectId from_random(Bytes random);

  // The canonical lowercase form, e.g. "0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f".
  std::string to_string() const;
  const Bytes& bytes() const { return bytes_; }

  friend bool operator==(const ObjectId&, const ObjectId&) = default;
  friend auto operator<=>(const ObjectId&, const ObjectId&) = default;

 private:
  explicit ObjectId(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

}  // namespace castor
