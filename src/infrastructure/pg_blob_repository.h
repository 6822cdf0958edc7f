#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "infrastructure/pg_statement.h"

#include "application/ports/blob_repository.h"

namespace castor {

// BlobRepository over the `blobs` and `blob_grants` tables, inside one libpqxx transaction.
class PgBlobRepository final : public BlobRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgBlobRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Result<Blob> add_ref(StorageClass storage_class, const ContentHash& hash,
                       std::uint64_t size_bytes) override;
  Result<Blob> add_ref_inline(StorageClass storage_class, const ContentHash& hash,
                              std::span<const std::byte> content) override;
  Result<std::optional<std::vector<std::byte>>> inline_content(StorageClass storage_class,
                                                               const ContentHash& hash) override;
  Result<Blob> release(StorageClass storage_class, const ContentHash& hash) override;
  Result<std::optional<Blob>> find(StorageClass storage_class, const ContentHash& hash) override;
  Result<std::vector<ContentHash>> missing(StorageClass storage_class,
                                           const std::vector<ContentHash>& hashes) override;
  Result<std::vector<Blob>> lock_unreferenced(std::size_t limit,
                                              const std::optional<BlobAddress>& after,
                                              Timestamp now) override;
  Result<bool> remove_unreferenced(StorageClass storage_class, const ContentHash& hash,
                                   Timestamp now) override;
  Result<Blob> retain(StorageClass storage_class, const ContentHash& hash, std::uint64_t size_bytes,
                      Timestamp until) override;
  Result<bool> grant(const TenantId& tenant, StorageClass storage_class, const ContentHash& hash,
                     Timestamp now) override;
  Result<std::optional<Blob>> find_held(const TenantId& tenant, StorageClass storage_class,
                                        const ContentHash& hash) override;
  Result<std::optional<Blob>> retain_held(const TenantId& tenant, StorageClass storage_class,
                                          const ContentHash& hash, Timestamp until) override;
  Result<std::vector<ContentHash>> not_held(const TenantId& tenant, StorageClass storage_class,
                                            const std::vector<ContentHash>& hashes) override;
  Result<std::vector<Blob>> lock_held(const TenantId& tenant, StorageClass storage_class,
                                      const std::vector<ContentHash>& hashes) override;
  Result<std::size_t> add_refs(
      StorageClass storage_class,
      const std::vector<std::pair<ContentHash, std::uint64_t>>& refs) override;
  Status release_refs(StorageClass storage_class,
                      const std::vector<std::pair<ContentHash, std::uint64_t>>& refs) override;
  Result<std::uint64_t> count_live_refs(StorageClass storage_class,
                                        const ContentHash& hash) override;
  Result<std::vector<BlobAudit>> audit(StorageClass storage_class,
                                       const std::optional<ContentHash>& after,
                                       std::size_t limit) override;
  Result<std::vector<BlobAudit>> audit_rowless(StorageClass storage_class,
                                               std::size_t limit) override;
  Result<std::optional<Blob>> lock(StorageClass storage_class, const ContentHash& hash) override;
  Status set_ref_count(StorageClass storage_class, const ContentHash& hash,
                       std::uint64_t size_bytes, std::uint64_t ref_count) override;
  Result<std::vector<Blob>> unverified_since(Timestamp since, std::size_t limit) override;
  Result<bool> record_verification(StorageClass storage_class, const ContentHash& hash,
                                   Timestamp now, bool intact) override;

 private:
  // The statements of pg_blob_integrity.cpp.
  static void prepare_integrity(pqxx::connection& conn);

  PgStatements sql_;
};

}  // namespace castor
