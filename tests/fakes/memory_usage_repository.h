#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "application/ports/usage_repository.h"
#include "fakes/memory_bucket_repository.h"

namespace castor::testing {

// The quotas table of MemoryMetadataStore's state, by (tenant, namespace; "" for the tenant).
using QuotaTable = std::map<std::pair<std::string, std::string>, Quota>;

// UsageRepository over a transaction's copy of the fake's state. The usage is recounted from
// `objects` on every call (the reference the database's counters must equal), and check_quota
// compares it with `quotas`. The commit-time enforcement is the database's trigger: the fake does
// not refuse commits (tests/infrastructure/usage_pg_test.cpp covers it). The catalog listings
// take their names from `objects` and `buckets`. Refuses writes (Internal) when read-only.
std::unique_ptr<UsageRepository> memory_usage_repository(const std::map<ObjectId, Object>& objects,
                                                         const BucketTable& buckets,
                                                         QuotaTable& quotas, bool read_only);

}  // namespace castor::testing
