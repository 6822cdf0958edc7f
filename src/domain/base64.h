#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace castor {

// Base64 (RFC 4648 section 4: the standard alphabet, '=' padding), as S3 carries Content-MD5 and
// the x-amz-checksum-* values.
std::string base64_encode(std::span<const std::uint8_t> bytes);

// Decodes canonical base64 only: a length that is a multiple of 4, padding only at the end, pad
// bits zero, no whitespace or line breaks. nullopt otherwise (S3 answers InvalidDigest for such a
// Content-MD5).
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace castor
