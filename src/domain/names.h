#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// Returns true if `text` matches [a-z0-9][a-z0-9._-]{0,62}: the shape of namespace and tenant
// names.
bool is_valid_name(std::string_view text);

// A validated name; `Tag::kWhat` names the kind in error messages.
template <class Tag>
class Name {
 public:
  // Returns InvalidArgument unless `text` matches [a-z0-9][a-z0-9._-]{0,62}.
  static Result<Name> parse(std::string_view text) {
    if (!is_valid_name(text)) {
      return invalid_argument(std::string(Tag::kWhat) + " must match [a-z0-9][a-z0-9._-]{0,62}");
    }
    return Name(std::string(text));
  }

  const std::string& str() const { return value_; }

  friend bool operator==(const Name&, const Name&) = default;
  friend auto operator<=>(const Name&, const Name&) = default;

 private:
  explicit Name(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

struct NamespaceTag {
  static constexpr const char* kWhat = "namespace";
};
struct TenantTag {
  static constexpr const char* kWhat = "tenant";
};

// The namespace an object lives in (a team's or application's area).
using Namespace = Name<NamespaceTag>;
// The tenant that owns an object; the unit of isolation.
using TenantId = Name<TenantTag>;

}  // namespace castor
