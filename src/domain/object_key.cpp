#include "domain/object_key.h"

#include <cstdint>

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

}  // namespace castor
