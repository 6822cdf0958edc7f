#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "infrastructure/pg_statement.h"

#include "application/ports/blob_repository.h"

namespace castor {

// BlobRepository over the `blobs` table, inside one libpqxx transaction.
class PgBlobRepository final : public BlobRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgBlobRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Result<Blob> add_ref(StorageClass storage_class, const ContentHash& hash,
                       std::uint64_t size_bytes) override;
  Result<Blob> release(StorageClass storage_class, const ContentHash& hash) override;
  Result<std::optional<Blob>> find(StorageClass storage_class, const ContentHash& hash) override;
  Result<std::vector<ContentHash>> missing(StorageClass storage_class,
                                           const std::vector<ContentHash>& hashes) override;
  Result<std::vector<Blob>> lock_unreferenced(std::size_t limit) override;
  Result<bool> remove_unreferenced(StorageClass storage_class, const ContentHash& hash) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
