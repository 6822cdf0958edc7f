#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "infrastructure/pg_statement.h"

#include "application/ports/upload_repository.h"

namespace castor {

// UploadRepository over the `upload_sessions` and `upload_parts` tables, inside one libpqxx
// transaction.
class PgUploadRepository final : public UploadRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgUploadRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Status insert(const UploadSession& session) override;
  Result<UploadSession> find(const UploadId& id, bool for_update) override;
  Status update(const UploadSession& session) override;
  Status remove(const UploadId& id) override;
  Result<std::size_t> count_open(const TenantId& tenant) override;
  Result<std::vector<UploadSession>> list_open(const UploadFilter& filter) override;
  Result<std::vector<UploadSession>> list_open_s3(const S3UploadFilter& filter) override;
  Result<std::vector<UploadSession>> lock_expired(Timestamp now, std::size_t limit) override;
  Result<std::vector<UploadPart>> parts(const UploadId& id) override;
  Result<std::optional<UploadPart>> put_part(const UploadId& id, const UploadPart& part) override;
  Result<std::vector<UploadPart>> remove_parts(const UploadId& id) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
