#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/content_hash.h"
#include "domain/error.h"
#include "domain/storage_class.h"

namespace castor {

// How many blob rows a storage class has, and their bytes (the sum of size_bytes).
struct BlobTotals {
  std::uint64_t blobs = 0;
  std::uint64_t bytes = 0;
};

// The blob rows of `storage_class` whose content hash comes after `after` (all when nullopt), and
// their bytes: what `castor migrate-storage` has left to walk, for its progress lines. One exact
// aggregate over the blobs table's primary key range, on a connection of its own (opened and
// closed here) under a 60 s statement timeout. Unavailable when the database cannot be reached,
// Internal on other database errors. Blocking.
Result<BlobTotals> count_blobs_after(const std::string& database_url, StorageClass storage_class,
                                     const std::optional<ContentHash>& after);

}  // namespace castor
