#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace castor {

// Maps a file name's extension to a media type ("weights.json" -> "application/json"), for
// uploads that do not say what they carry. Implementations are immutable after construction and
// thread-safe.
class MediaTypes {
 public:
  virtual ~MediaTypes() = default;
  // The media type registered for the extension of `name` (the part after its last '.', compared
  // case-insensitively; a '/' ends the search, so "a.d/b" has none); nullopt when there is none.
  virtual std::optional<std::string> for_name(std::string_view name) const = 0;
};

}  // namespace castor
