#include "infrastructure/s3/content_keys.h"

namespace castor {
namespace {

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string ContentKeys::content_key(const ContentHash& hash) const {
  const std::string& h = hash.hex();
  std::string key;
  key.reserve(prefix_.size() + 6 + h.size());
  key.append(prefix_).append(h, 0, 2).append("/").append(h, 2, 2).append("/").append(h);
  return key;
}

std::string ContentKeys::temp_key(const ObjectId& object) const {
  return temp_prefix() + object.to_string();
}

std::string ContentKeys::quarantine_key(const ContentHash& hash, std::int64_t unix_seconds) const {
  return prefix_ + ".quarantine/" + hash.hex() + "." + std::to_string(unix_seconds);
}

std::string ContentKeys::last_content_key() const {
  return prefix_ + "ff/ff/" + std::string(64, 'f');
}

std::optional<ContentHash> ContentKeys::parse_content_key(std::string_view key) const {
  if (!key.starts_with(prefix_)) {
    return std::nullopt;
  }
  key.remove_prefix(prefix_.size());
  // xx/yy/{64 hex}
  if (key.size() != 6 + 64 || key[2] != '/' || key[5] != '/') {
    return std::nullopt;
  }
  const std::string_view name = key.substr(6);
  if (!is_lower_hex(name) || name.substr(0, 2) != key.substr(0, 2) ||
      name.substr(2, 2) != key.substr(3, 2)) {
    return std::nullopt;
  }
  auto hash = ContentHash::parse(name);
  if (!hash) {
    return std::nullopt;
  }
  return *hash;
}

std::optional<std::string> ContentKeys::temp_object(std::string_view key) const {
  const std::string prefix = temp_prefix();
  if (!key.starts_with(prefix) || key.size() == prefix.size()) {
    return std::nullopt;
  }
  return std::string(key.substr(prefix.size()));
}

}  // namespace castor
