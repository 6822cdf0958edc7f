#include "domain/content_hash.h"

#include "domain/hex.h"

namespace castor {

ContentHash::ContentHash(const Bytes& digest) : hex_(to_hex(digest)) {}

Result<ContentHash> ContentHash::parse(std::string_view text) {
  if (text.size() > kPrefix.size()) {
    bool prefixed = true;
    for (std::size_t i = 0; i < kPrefix.size(); ++i) {
      prefixed = prefixed && (text[i] | 0x20) == kPrefix[i];  // ASCII case-insensitive
    }
    if (prefixed) {
      text.remove_prefix(kPrefix.size());
    }
  }
  Bytes digest{};
  if (!from_hex(text, digest)) {
    return invalid_argument("content hash must be 64 hex digits, optionally prefixed 'sha256:'");
  }
  return ContentHash(digest);
}

}  // namespace castor
