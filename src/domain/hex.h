#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace castor {

// Lowercase hex of `bytes`.
std::string to_hex(std::span<const std::uint8_t> bytes);

// The value of one hex digit (either case), or nullopt if `c` is not one.
std::optional<std::uint8_t> hex_digit(char c);

// Decodes `hex` (even length, either case) into `out`, which must have hex.size() / 2 bytes.
// Returns false on a non-hex character or a size mismatch.
bool from_hex(std::string_view hex, std::span<std::uint8_t> out);

}  // namespace castor
