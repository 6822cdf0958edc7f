#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "infrastructure/pg_statement.h"

#include "application/ports/bundle_repository.h"

namespace castor {

// BundleRepository over the `bundles` and `bundle_files` tables, inside one libpqxx transaction.
class PgBundleRepository final : public BundleRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgBundleRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Status insert(const BundleSummary& summary, const std::string& metadata,
                const std::vector<BundleFile>& files) override;
  Result<std::vector<BundleSummary>> list(const TenantId& tenant,
                                          const std::optional<BundleCursor>& after,
                                          std::size_t limit) override;
  Result<std::optional<Bundle>> find(const TenantId& tenant, const BundleId& id) override;
  Result<std::optional<Removed>> remove(const TenantId& tenant, const BundleId& id) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
