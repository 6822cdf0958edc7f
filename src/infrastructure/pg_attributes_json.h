#pragma once

#include <string>
#include <string_view>

#include "domain/error.h"
#include "domain/object_attributes.h"

namespace castor {

// ObjectAttributes as the objects and upload_sessions tables store them, in two JSONB columns:
//   metadata:   {"<name>": <any JSON value>, ...}              (user metadata)
//   attributes: {"headers": {...}, "checksums": {...}}         (stored headers, checksums)
// JSONB keeps no member order; reading restores ObjectAttributes' orders.
struct AttributesJson {
  std::string metadata;
  std::string attributes;
};

AttributesJson attributes_to_json(const ObjectAttributes& attributes);

// DataLoss if either column is not what attributes_to_json() writes.
Result<ObjectAttributes> attributes_from_json(std::string_view metadata,
                                              std::string_view attributes);

}  // namespace castor
