#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "infrastructure/pg_statement.h"

#include "application/ports/usage_repository.h"

namespace castor {

// UsageRepository over the tables of migrations/013_usage_quotas.sql (usage_counters, quotas),
// inside one libpqxx transaction. The counters are summed over their shards at read; the
// pre-check is the database's castor_quota_check() without its lock.
class PgUsageRepository final : public UsageRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgUsageRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Result<Usage> namespace_usage(const TenantId& tenant, const Namespace& ns) override;
  Result<Usage> tenant_usage(const TenantId& tenant) override;
  Result<std::vector<TenantUsage>> list_tenants(const std::string& after,
                                                std::size_t limit) override;
  Result<std::vector<NamespaceUsage>> list_namespaces(const TenantId& tenant,
                                                      const std::string& after, std::size_t limit,
                                                      const std::vector<Namespace>& only) override;
  Result<std::optional<Quota>> find_quota(const TenantId& tenant,
                                          const std::optional<Namespace>& ns) override;
  Status put_quota(const TenantId& tenant, const std::optional<Namespace>& ns, const Quota& quota,
                   Timestamp now) override;
  Result<bool> remove_quota(const TenantId& tenant, const std::optional<Namespace>& ns) override;
  Status check_quota(const TenantId& tenant, const Namespace& ns, std::uint64_t objects,
                     std::uint64_t bytes) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
