#include "domain/object_key.h"

#include <cstdint>
#include <string>

#include "domain/utf8.h"

namespace castor {
namespace {

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

}  // namespace

Result<ObjectKey> ObjectKey::parse(std::string_view text) {
  if (text.empty() || text.size() > kMaxBytes) {
    return invalid_argument("key must be 1 to 1024 bytes");
  }
  for (std::string_view rest = text; !rest.empty();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(rest, cp);
    if (len == 0) {
      return invalid_argument("key must be valid UTF-8");
    }
    if (is_control(cp)) {
      return invalid_argument("key must not contain control characters");
    }
    rest.remove_prefix(len);
  }
  return ObjectKey(std::string(text));
}

namespace {

// Decodes `text` into code points; false if it is not valid UTF-8 (overlong forms, surrogates
// and values past U+10FFFF included).
bool decode_utf8(std::string_view text, std::u32string& out) {
  for (std::size_t i = 0; i < text.size();) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    int extra = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
      cp = b0;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      extra = 1, cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      extra = 2, cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      extra = 3, cp = b0 & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= text.size()) {
      return false;  // truncated sequence (for extra == 0 this never holds)
    }
    for (int k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((b & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (b & 0x3F);
    }
    const char32_t min = extra == 1 ? 0x80 : extra == 2 ? 0x800 : extra == 3 ? 0x10000 : 0;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    out.push_back(cp);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

void encode_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::optional<std::string> key_prefix_end(std::string_view prefix) {
  std::u32string points;
  if (!decode_utf8(prefix, points)) {
    return std::nullopt;
  }
  while (!points.empty() && points.back() == 0x10FFFF) {
    points.pop_back();
  }
  if (points.empty()) {
    return std::nullopt;
  }
  char32_t& last = points.back();
  last = last == 0xD7FF ? 0xE000 : last + 1;
  std::string end;
  for (char32_t cp : points) {
    encode_utf8(cp, end);
  }
  return end;
}

}  // namespace castor
