#pragma once

#include <cstddef>
#include <string_view>

namespace castor {

// Decodes one UTF-8 sequence at the start of `s` (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF). Returns its length and stores the code point, or returns 0 if it is invalid (or `s`
// is empty).
std::size_t decode_utf8(std::string_view s, char32_t& cp);

// Whether `s` is entirely valid UTF-8 (PostgreSQL's text columns take nothing else).
bool is_valid_utf8(std::string_view s);

}  // namespace castor
