#pragma once

#include <string>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "application/ports/object_search_repository.h"
#include "infrastructure/pg_statement.h"

namespace castor {

// ObjectSearchRepository over the `objects` table and the indexes of migrations/012_search.sql,
// inside one libpqxx transaction. A search's SQL is assembled per call from fixed fragments, one
// per present filter, each value a parameter (docs/SEARCH.md shows the plans); the listings are
// prepared statements.
class PgObjectSearchRepository final : public ObjectSearchRepository {
 public:
  // Prepares the listing statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  // The SQL search() runs for `query` and its parameters, in order (for EXPLAIN in tests and
  // docs). Every value is a parameter; the text varies only in which fixed fragments it holds.
  struct Statement {
    std::string sql;
    std::vector<std::string> params;
  };
  static Statement search_statement(const SearchQuery& query);

  PgObjectSearchRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Result<std::vector<Object>> search(const SearchQuery& query) override;
  Result<std::uint64_t> count(const SearchFilter& filter) override;
  Result<std::vector<Object>> list_natural(const ListQuery& query) override;
  Result<std::vector<Object>> list_by_content(const TenantId& tenant, const ContentHash& hash,
                                              std::size_t limit,
                                              const std::optional<ObjectId>& after) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
