#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "infrastructure/pg_statement.h"

#include "application/ports/s3_credential_repository.h"

namespace castor {

// S3CredentialRepository over the `s3_credentials` table, inside one libpqxx transaction. The
// sealed secret crosses the wire as hex (decode/encode in SQL), so no binary parameters are
// needed.
class PgS3CredentialRepository final : public S3CredentialRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgS3CredentialRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Status insert(const S3Credential& credential) override;
  Result<S3Credential> find(const std::string& access_key_id) override;
  Result<std::vector<S3Credential>> list() override;
  Result<bool> revoke(const std::string& access_key_id, Timestamp now) override;
  Status touch(const std::string& access_key_id, Timestamp now) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
