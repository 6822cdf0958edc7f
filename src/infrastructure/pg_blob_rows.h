#pragma once

// Row helpers shared by the PgBlobRepository sources (internal to src/infrastructure).

#include <cstdint>
#include <string>

#include <pqxx/row>

#include "domain/blob.h"

namespace castor {

// A storage class as its SQL parameter ('hot', 'cold').
inline std::string class_param(StorageClass c) { return std::string(to_string(c)); }

// A blob from a row of (size_bytes, ref_count) or (size_bytes, ref_count, stored_inline).
inline Blob blob_from(StorageClass c, const ContentHash& hash, const pqxx::row& row) {
  return Blob(c, hash, row[0].as<std::uint64_t>(), row[1].as<std::uint64_t>(),
              row.size() > 2 && row[2].as<bool>());
}

}  // namespace castor
