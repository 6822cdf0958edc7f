#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "application/ports/media_types.h"

namespace castor {

// The extension -> media type table of a mime.types file (Debian's media-types package installs
// /etc/mime.types: lines "type/subtype ext1 ext2 ...", '#' comments). Immutable once loaded;
// thread-safe.
class MimeTypesFile final : public MediaTypes {
 public:
  // Parses the text of a mime.types file. Malformed lines are skipped; for an extension listed
  // twice the first entry wins.
  static MimeTypesFile parse(std::string_view text);
  // Loads `path`; an empty table when it cannot be read (castor then stores
  // application/octet-stream for uploads without a type).
  static MimeTypesFile load(const std::filesystem::path& path = "/etc/mime.types");

  std::optional<std::string> for_name(std::string_view name) const override;
  std::size_t size() const { return by_extension_.size(); }

 private:
  std::unordered_map<std::string, std::string> by_extension_;  // lower-case extension -> type
};

}  // namespace castor
