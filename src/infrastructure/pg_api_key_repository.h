#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "infrastructure/pg_statement.h"

#include "application/ports/api_key_repository.h"

namespace castor {

// ApiKeyRepository over the `api_keys` table, inside one libpqxx transaction.
class PgApiKeyRepository final : public ApiKeyRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgApiKeyRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Status insert(const ApiKey& key) override;
  Result<ApiKey> find(const std::string& id) override;
  Result<ApiKey> find_for_update(const std::string& id) override;
  Result<std::vector<ApiKey>> list() override;
  Result<std::vector<ApiKey>> list_tenant(const TenantId& tenant) override;
  Status update(const ApiKey& key) override;
  Result<bool> revoke(const std::string& id, Timestamp now) override;
  Status touch(const std::string& id, Timestamp now) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
