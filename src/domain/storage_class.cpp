#include "domain/storage_class.h"

namespace castor {

Result<StorageClass> parse_storage_class(std::string_view text) {
  if (text == "hot") {
    return StorageClass::kHot;
  }
  if (text == "cold") {
    return StorageClass::kCold;
  }
  return invalid_argument("storage class must be 'hot' or 'cold'");
}

std::string_view to_string(StorageClass storage_class) {
  return storage_class == StorageClass::kHot ? "hot" : "cold";
}

}  // namespace castor
