#pragma once

#include <compare>
#include <optional>
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

// The end of the range of keys that start with `prefix`, in byte (= code point) order: the
// smallest valid UTF-8 string greater than every string that starts with `prefix`, so that
// `prefix <= key < end` selects exactly those keys. It is `prefix` with its last code point
// raised by one (skipping surrogates; a trailing U+10FFFF is dropped and the one before raised).
// nullopt when no such string exists (an empty prefix, or one of U+10FFFF only: every key from
// `prefix` on matches) or when `prefix` is not valid UTF-8.
std::optional<std::string> key_prefix_end(std::string_view prefix);

}  // namespace castor
