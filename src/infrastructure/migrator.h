#pragma once

#include <string>
#include <vector>

#include "domain/error.h"

namespace castor {

// One schema migration: migrations/NNN_name.sql, compiled into the binary.
struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// The migrations in version order (generated from migrations/*.sql at build time).
const std::vector<Migration>& embedded_migrations();

// Applies the migrations the database lacks, in order, each in its own transaction, recorded in
// `schema_migrations`. A session advisory lock serialises concurrent callers (replicas starting
// together): the second waits, then finds nothing left to do. Returns the number applied, or
// Unavailable/Internal. Blocking.
Result<int> apply_migrations(const std::string& database_url);

// The highest version applied, or 0 on an empty database. Blocking.
Result<int> applied_migration_version(const std::string& database_url);

}  // namespace castor
