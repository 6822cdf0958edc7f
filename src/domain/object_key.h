#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// A caller-chosen name for an object, unique among the live objects of a (namespace, tenant).
// 1 to 1024 bytes of valid UTF-8 with no control characters (C0, DEL or C1); may contain '/'.
class ObjectKey {
 public:
  static constexpr std::size_t kMaxBytes = 1024;

  // Returns InvalidArgument if `text` is empty, longer than kMaxBytes, not valid UTF-8, or holds a
  // control character.
  static Result<ObjectKey> parse(std::string_view text);

  const std::string& str() const { return value_; }

  friend bool operator==(const ObjectKey&, const ObjectKey&) = default;
  friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;

 private:
  explicit ObjectKey(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

}  // namespace castor
