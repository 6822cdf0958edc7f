#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "application/ports/cursor_repository.h"
#include "infrastructure/pg_statement.h"

namespace castor {

// CursorRepository over the `cursors` table (migrations/016_cursors.sql), inside one libpqxx
// transaction.
class PgCursorRepository final : public CursorRepository {
 public:
  // Prepares this repository's statements on a new connection. Throws pqxx exceptions.
  static void prepare(pqxx::connection& conn);

  PgCursorRepository(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer) {}

  Result<std::optional<std::string>> get(std::string_view name) override;
  Status set(std::string_view name, const std::optional<std::string>& value) override;

 private:
  PgStatements sql_;
};

}  // namespace castor
