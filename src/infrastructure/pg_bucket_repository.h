#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "infrastructure/pg_statement.h"

#include "application/ports/bucket_repository.h"

namespace castor {

// BucketRepository over the `buckets` table (migrations/007_buckets.sql), inside one libpqxx
// transaction. The row locks are PostgreSQL's: FOR KEY SHARE (ensure, require) and FOR UPDATE
// (find with for_update, remove).
class PgBucketRepository final : public BucketRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgBucketRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Status insert(const Bucket& bucket) override;
  Result<Bucket> find(const Namespace& name, const TenantId& tenant, bool for_update) override;
  Result<Bucket> ensure(const Namespace& name, const TenantId& tenant, Timestamp now) override;
  Result<Bucket> require(const Namespace& name, const TenantId& tenant) override;
  Result<std::vector<Bucket>> list(const BucketQuery& query) override;
  Status remove(const Namespace& name, const TenantId& tenant) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
