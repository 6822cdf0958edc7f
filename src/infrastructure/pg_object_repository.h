#pragma once

#include <vector>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction_base>

#include "infrastructure/pg_statement.h"

#include "application/ports/object_repository.h"

namespace castor {

// The columns every SELECT of whole objects reads (in this order), and such rows as Objects
// (DataLoss if a row breaks a domain rule): shared by the repositories of the objects table.
const char* object_columns();
Result<std::vector<Object>> objects_from_rows(const pqxx::result& rows);

// ObjectRepository over the `objects` table, inside one libpqxx transaction.
class PgObjectRepository final : public ObjectRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgObjectRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Status insert(const Object& object) override;
  Status insert_small(const Object& object, std::span<const std::byte> content) override;
  Result<Object> find(const ObjectId& id, bool for_update) override;
  Result<Object> find_by_key(const Namespace& ns, const TenantId& tenant, const ObjectKey& key,
                             bool for_update) override;
  Status update(const Object& object) override;
  Status remove(const ObjectId& id) override;
  Result<std::vector<Object>> list(const ListQuery& query) override;
  Result<bool> any_committed(const Namespace& ns, const TenantId& tenant) override;
  Result<std::vector<Object>> lock_batch(ObjectStatus status, Timestamp before,
                                         std::size_t limit) override;
  Result<std::vector<ObjectId>> using_content(StorageClass storage_class, const ContentHash& hash,
                                              std::size_t limit) override;
  Result<std::uint64_t> count_using_content(StorageClass storage_class,
                                            const ContentHash& hash) override;
  Result<std::size_t> purge_tombstones(Timestamp before, std::size_t limit) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
