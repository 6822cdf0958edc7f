#include "domain/object_id.h"

#include "domain/hex.h"

namespace castor {

Result<ObjectId> ObjectId::parse(std::string_view text) {
  auto bad = [&] { return invalid_argument("object id must be a UUID v4"); };
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return bad();
  }
  std::string digits;
  digits.reserve(32);
  for (char c : text) {
    if (c != '-') {
      digits.push_back(c);
    }
  }
  Bytes bytes{};
  if (!from_hex(digits, bytes)) {
    return bad();
  }
  const bool version4 = (bytes[6] >> 4) == 4;
  const bool rfc_variant = (bytes[8] >> 6) == 0b10;
  if (!version4 || !rfc_variant) {
    return bad();
  }
  return ObjectId(bytes);
}

ObjectId ObjectId::from_random(Bytes random) {
  random[6] = static_cast<std::uint8_t>((random[6] & 0x0f) | 0x40);
  random[8] = static_cast<std::uint8_t>((random[8] & 0x3f) | 0x80);
  return ObjectId(random);
}

std::string ObjectId::to_string() const {
  std::string hex = to_hex(bytes_);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20);
}

}  // namespace castor
