#pragma once

#include <memory>

#include "infrastructure/fs_blob_store.h"
#include "infrastructure/migrator.h"
#include "infrastructure/pg_metadata_store.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace castor::testing {

// An FsBlobStore with its classes under `dir` (hot/, cold/). Throws if it cannot be created.
inline std::unique_ptr<FsBlobStore> make_fs_blob_store(const TempDir& dir) {
  auto s = FsBlobStore::create(dir.path() / "hot", dir.path() / "cold");
  if (!s) {
    throw std::runtime_error("blob store: " + s.error().message);
  }
  return std::move(*s);
}

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
