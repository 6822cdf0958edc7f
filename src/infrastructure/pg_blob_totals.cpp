#include "infrastructure/pg_blob_totals.h"

#include <pqxx/connection>
#include <pqxx/transaction>

#include "infrastructure/pg_errors.h"

namespace castor {

Result<BlobTotals> count_blobs_after(const std::string& database_url, StorageClass storage_class,
                                     const std::optional<ContentHash>& after) {
  return guarded([&]() -> Result<BlobTotals> {
    pqxx::connection conn(database_url);
    pqxx::read_transaction tx(conn);
    tx.exec0("SET LOCAL statement_timeout = '60s'");
    // '' sorts before every hex hash: "after nothing" is every row.
    auto row = tx.exec_params1(
        "SELECT count(*), COALESCE(sum(size_bytes), 0)::bigint FROM blobs "
        "WHERE storage_class = $1 AND content_hash > $2",
        std::string(to_string(storage_class)), after ? after->hex() : std::string());
    return BlobTotals{.blobs = row[0].as<std::uint64_t>(), .bytes = row[1].as<std::uint64_t>()};
  });
}

}  // namespace castor
