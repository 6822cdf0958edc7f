#pragma once

#include <array>
#include <string_view>

#include "domain/error.h"

namespace castor {

// Where content is kept: `hot` (fast disks) or `cold` (cheap disks). Each class has its own root
// directory and its own blobs: the same content in both classes is stored twice.
enum class StorageClass { kHot, kCold };

inline constexpr std::array<StorageClass, 2> kAllStorageClasses = {StorageClass::kHot,
                                                                   StorageClass::kCold};

// Parses "hot" or "cold"; InvalidArgument otherwise.
Result<StorageClass> parse_storage_class(std::string_view text);
// "hot" or "cold".
std::string_view to_string(StorageClass storage_class);

}  // namespace castor
