#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "application/ports/bucket_repository.h"

namespace castor::testing {

// The buckets table of MemoryMetadataStore's state, by (tenant, name).
using BucketTable = std::map<std::pair<std::string, std::string>, Bucket>;

// BucketRepository over `table` (a transaction's copy of the state). The fake's transactions are
// serial, so its row locks are granted at once and lock nothing. Refuses writes (Internal) when
// read-only, as ensure does when it would insert.
std::unique_ptr<BucketRepository> memory_bucket_repository(BucketTable& table, bool read_only);

}  // namespace castor::testing
