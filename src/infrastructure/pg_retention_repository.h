#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "application/ports/retention_repository.h"
#include "infrastructure/pg_statement.h"

namespace castor {

// RetentionRepository over the `namespace_retention` table and the lock columns of `objects`
// (migrations/014_retention.sql), inside one libpqxx transaction.
class PgRetentionRepository final : public RetentionRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgRetentionRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Result<std::optional<NamespaceRetention>> find_namespace(const TenantId& tenant,
                                                           const Namespace& ns,
                                                           bool for_update) override;
  Status insert_namespace(const TenantId& tenant, const Namespace& ns,
                          const NamespaceRetention& config, Timestamp now) override;
  Status update_namespace(const TenantId& tenant, const Namespace& ns,
                          const NamespaceRetention& config, Timestamp now) override;
  Status remove_namespace(const TenantId& tenant, const Namespace& ns) override;
  Status update_object_lock(const Object& object) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
