#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "infrastructure/pg_statement.h"

#include "application/ports/segment_repository.h"

namespace castor {

// SegmentRepository over the `blob_segments` table (and the segment blobs' ref_count in `blobs`),
// inside one libpqxx transaction.
class PgSegmentRepository final : public SegmentRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgSegmentRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Result<std::vector<Segment>> segments(StorageClass storage_class,
                                        const ContentHash& hash) override;
  Status attach(StorageClass storage_class, const ContentHash& hash,
                const std::vector<Segment>& segments) override;
  Result<std::vector<Segment>> detach(StorageClass storage_class, const ContentHash& hash) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
