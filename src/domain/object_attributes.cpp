#include "domain/object_attributes.h"

namespace castor {

std::optional<std::string_view> ObjectAttributes::find(const Pairs& pairs, std::string_view name) {
  for (const auto& [n, v] : pairs) {
    if (n == name) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

std::size_t ObjectAttributes::metadata_bytes() const {
  std::size_t total = 0;
  for (const auto& [n, v] : metadata) {
    total += n.size() + v.size();
  }
  return total;
}

namespace {

constexpr std::size_t kMaxHeaderValueBytes = 8192;

bool printable(std::string_view value) {
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return false;
    }
  }
  return true;
}

Status check_pairs(const ObjectAttributes::Pairs& pairs, std::string_view what) {
  for (const auto& [n, v] : pairs) {
    if (n.empty() || v.size() > kMaxHeaderValueBytes || !printable(n) || !printable(v)) {
      return invalid_argument(std::string(what) + " '" + n.substr(0, 64) +
                              "' is empty, too long or not printable");
    }
  }
  return {};
}

}  // namespace

Status check_attributes(const ObjectAttributes& attributes) {
  if (attributes.metadata_bytes() > kMaxUserMetadataBytes) {
    Error e = invalid_argument("user metadata is over " + std::to_string(kMaxUserMetadataBytes) +
                               " bytes");
    e.reason = "MetadataTooLarge";
    return e;
  }
  if (auto s = check_pairs(attributes.metadata, "metadata"); !s) {
    return s;
  }
  return check_pairs(attributes.headers, "header");
}

}  // namespace castor
