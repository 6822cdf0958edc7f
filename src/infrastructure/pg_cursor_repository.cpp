#include "infrastructure/pg_cursor_repository.h"

#include <string>

#include "infrastructure/pg_errors.h"

namespace castor {

void PgCursorRepository::prepare(pqxx::connection& conn) {
  conn.prepare("cursor_get", "SELECT value FROM cursors WHERE name = $1");
  conn.prepare("cursor_set",
               "INSERT INTO cursors (name, value, updated_at) VALUES ($1, $2, now()) "
               "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()");
}

Result<std::optional<std::string>> PgCursorRepository::get(std::string_view name) {
  return guarded([&]() -> Result<std::optional<std::string>> {
    auto rows = sql_.exec("cursor_get", std::string(name));
    if (rows.empty() || rows[0][0].is_null()) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(rows[0][0].as<std::string>());
  });
}

Status PgCursorRepository::set(std::string_view name, const std::optional<std::string>& value) {
  if (value && value->size() > 1024) {
    return invalid_argument("a cursor value is at most 1024 bytes");
  }
  return guarded([&]() -> Status {
    sql_.exec("cursor_set", std::string(name), value);
    return {};
  });
}

}  // namespace castor
