#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/error.h"
#include "domain/names.h"
#include "domain/object.h"
#include "domain/usage.h"

namespace castor {

// The usage counters and the quotas (migrations/013_usage_quotas.sql), seen through one
// transaction (see MetadataStore). Not thread-safe: it belongs to the transaction that handed it
// out. The counters are kept by the database itself, at the commit of every transaction that
// changes an object's status, class or content; a commit that would exceed a quota fails there
// with PermissionDenied, reason "quota_exceeded" (MetadataStore::transact returns it; for a
// kSingleStatement unit, the statement's repository call does). Nothing here writes counters.
// Infrastructure failures: Unavailable, Aborted (retry) or Internal.
class UsageRepository {
 public:
  virtual ~UsageRepository() = default;

  // The usage of namespace `ns` of `tenant` (zeros when it holds nothing). Reads a bounded number
  // of counter rows (classes x shards), never the objects.
  virtual Result<Usage> namespace_usage(const TenantId& tenant, const Namespace& ns) = 0;
  // The usage of `tenant` over all its namespaces: counter rows of each of its namespaces.
  virtual Result<Usage> tenant_usage(const TenantId& tenant) = 0;

  // The catalog (GET /v1/tenants): tenants whose id is greater than `after` (bytes; "" = from
  // the first) that have COMMITTED objects (the counters sum to more than 0) or a bucket row, in
  // id (byte) order, at most `limit` of them, each with its usage over all its namespaces. Reads
  // the counter rows of the tenants past `after` (a few per namespace), never the objects.
  virtual Result<std::vector<TenantUsage>> list_tenants(const std::string& after,
                                                        std::size_t limit) = 0;
  // The namespaces of `tenant` (GET /v1/namespaces) named after `after` (bytes; "" = from the
  // first) with COMMITTED objects or a bucket row, in name (byte) order, at most `limit` of them,
  // each with its usage; only those in `only` when it is not empty (a namespace-restricted
  // credential).
  virtual Result<std::vector<NamespaceUsage>> list_namespaces(
      const TenantId& tenant, const std::string& after, std::size_t limit,
      const std::vector<Namespace>& only) = 0;

  // The quota of `tenant` (ns nullopt) or of one of its namespaces; nullopt if none is set.
  virtual Result<std::optional<Quota>> find_quota(const TenantId& tenant,
                                                  const std::optional<Namespace>& ns) = 0;
  // Sets (creates or replaces) that quota. A quota limiting nothing is removed instead.
  virtual Status put_quota(const TenantId& tenant, const std::optional<Namespace>& ns,
                           const Quota& quota, Timestamp now) = 0;
  // Removes that quota; false if there was none.
  virtual Result<bool> remove_quota(const TenantId& tenant, const std::optional<Namespace>& ns) = 0;

  // The pre-check of an upload before its body is read: PermissionDenied (reason
  // "quota_exceeded", naming the quota, its limit and the usage) if adding `objects` objects of
  // `bytes` bytes to `ns` of `tenant` would exceed the tenant's or the namespace's quota as the
  // counters stand now. Takes no lock: the commit checks again, under the quota rows' locks.
  virtual Status check_quota(const TenantId& tenant, const Namespace& ns, std::uint64_t objects,
                             std::uint64_t bytes) = 0;
};

// The error a refused upload gets: PermissionDenied, reason "quota_exceeded".
inline Error quota_exceeded(std::string message) {
  return Error{ErrorCode::kPermissionDenied, std::move(message), "quota_exceeded"};
}

}  // namespace castor
