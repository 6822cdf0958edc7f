#pragma once

#include <memory>

#include "infrastructure/migrator.h"
#include "infrastructure/pg_metadata_store.h"
#include "support/test_database.h"

namespace castor::testing {

// A fresh, migrated database and a PgMetadataStore on it, per test case.
struct PgFixture {
  PgFixture() : db(TestDatabase::create("castor_pg")) {
    auto applied = apply_migrations(db.url());
    if (!applied) {
      throw std::runtime_error("migrations failed: " + applied.error().message);
    }
    store = std::make_unique<PgMetadataStore>(db.url(), 4);
  }

  TestDatabase db;
  std::unique_ptr<PgMetadataStore> store;
};

}  // namespace castor::testing
