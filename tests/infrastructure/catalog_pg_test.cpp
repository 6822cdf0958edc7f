// The catalog (GET /v1/tenants, /v1/namespaces) and the URL signing key on a real database:
// names come from the usage counters and the buckets table, in byte order, page by page; a
// deleted namespace's last object takes it out of the list unless it is a bucket; and the
// signing key is created once and shared by every process.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "application/buckets.h"
#include "application/catalog/read_catalog.h"
#include "application/delete_object.h"
#include "application/upload_object.h"
#include "infrastructure/pg_url_signing_key.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "support/temp_dir.h"

namespace castor::testing {
namespace {

struct Catalog : PgFixture {
  Object put(const std::string& tenant, const std::string& ns, const std::string& content) {
    auto up = uploads.begin({.ns = *Namespace::parse(ns),
                             .tenant = *TenantId::parse(tenant),
                             .key = std::nullopt,
                             .storage_class = StorageClass::kHot,
                             .content_type = {},
                             .expected_hash = {}},
                            content.size());
    REQUIRE(up);
    REQUIRE((*up)->write(std::as_bytes(std::span(content.data(), content.size()))));
    auto o = uploads.commit(**up);
    REQUIRE(o);
    return *o;
  }

  std::vector<std::string> tenants(std::size_t limit) {
    std::vector<std::string> out;
    std::optional<std::string> cursor;
    do {
      auto page = catalog.tenants(everyone, limit, cursor);
      REQUIRE(page);
      REQUIRE(page->entries.size() <= limit);
      for (const auto& t : page->entries) {
        out.push_back(t.tenant.str() + " " + std::to_string(t.total.objects) + " " +
                      std::to_string(t.total.logical_bytes) + " " +
                      std::to_string(t.total.physical_bytes));
      }
      cursor = page->next_cursor;
    } while (cursor);
    return out;
  }

  std::vector<std::string> namespaces(const Principal& p, const std::string& tenant,
                                      std::size_t limit) {
    std::vector<std::string> out;
    std::optional<std::string> cursor;
    do {
      auto page = catalog.namespaces(p, *TenantId::parse(tenant), limit, cursor);
      REQUIRE(page);
      REQUIRE(page->entries.size() <= limit);
      for (const auto& n : page->entries) {
        out.push_back(n.ns.str() + " " + std::to_string(n.usage.hot.objects) + " " +
                      std::to_string(n.usage.total.logical_bytes) + " " +
                      std::to_string(n.usage.total.physical_bytes));
      }
      cursor = page->next_cursor;
    } while (cursor);
    return out;
  }

  TempDir dir;
  std::unique_ptr<FsBlobStore> files = make_fs_blob_store(dir);
  PgMetadataStore& metadata = *PgFixture::store;
  SystemClock clock;
  RandomIdGenerator ids;
  UploadObject uploads{metadata, *files, clock, ids, 1 << 20};
  DeleteObject remove{metadata, clock};
  ManageBuckets buckets{metadata, clock};
  ReadCatalog catalog{metadata};
  Principal everyone{"key:all", std::nullopt, Scopes{Scope::kObjectsRead}};
};

TEST_CASE_METHOD(Catalog, "pg catalog: tenants and namespaces in byte order, by pages", "[pg]") {
  put("b-tenant", "docs", "hello");
  put("a-tenant", "docs", "hello");
  put("a-tenant", "docs", "hello");  // same content: physical bytes count it once
  put("a-tenant", "z", "12");
  put("a-tenant", "n10", "x");
  put("a-tenant", "n2", "y");
  REQUIRE(buckets.create(*TenantId::parse("c-tenant"), "empty"));
  REQUIRE(buckets.create(*TenantId::parse("a-tenant"), "bucket"));

  const std::vector<std::string> all = {"a-tenant 5 14 9", "b-tenant 1 5 5", "c-tenant 0 0 0"};
  CHECK(tenants(1) == all);
  CHECK(tenants(2) == all);
  CHECK(tenants(1000) == all);

  const std::vector<std::string> spaces = {"bucket 0 0 0", "docs 2 10 5", "n10 1 1 1", "n2 1 1 1",
                                           "z 1 2 2"};
  CHECK(namespaces(everyone, "a-tenant", 2) == spaces);
  CHECK(namespaces(everyone, "a-tenant", 1000) == spaces);
  const Principal restricted{"key:r",
                             *TenantId::parse("a-tenant"),
                             Scopes{Scope::kObjectsRead},
                             {*Namespace::parse("n2"), *Namespace::parse("z")}};
  CHECK(namespaces(restricted, "a-tenant", 1) == std::vector<std::string>{"n2 1 1 1", "z 1 2 2"});
  CHECK(namespaces(everyone, "nobody", 10).empty());
}

TEST_CASE_METHOD(Catalog, "pg catalog: a namespace whose objects are all deleted leaves the list",
                 "[pg]") {
  const Object only = put("t", "gone", "bye");
  put("t", "kept", "stay");
  // Native uploads make bucket rows; drop them to see the counters alone.
  {
    pqxx::connection conn(db.url());
    pqxx::work tx(conn);
    tx.exec("DELETE FROM buckets");
    tx.commit();
  }
  CHECK(namespaces(everyone, "t", 10) == std::vector<std::string>{"gone 1 3 3", "kept 1 4 4"});
  REQUIRE(remove.by_id(*TenantId::parse("t"), only.id()));
  CHECK(namespaces(everyone, "t", 10) == std::vector<std::string>{"kept 1 4 4"});
}

TEST_CASE_METHOD(Catalog, "pg url signing key: created once, then the same for every process",
                 "[pg]") {
  OpenSslKeyMaterial random;
  auto first = load_url_signing_key(db.url(), random);
  REQUIRE(first);
  CHECK(first->size() == 32);
  auto second = load_url_signing_key(db.url(), random);
  REQUIRE(second);
  CHECK(*second == *first);
  auto unreachable = load_url_signing_key("postgresql://nobody@/nodb?host=/nonexistent", random);
  REQUIRE(!unreachable);
}

}  // namespace
}  // namespace castor::testing
