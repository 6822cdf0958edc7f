// ReadCatalog on the in-memory fakes: GET /v1/tenants and /v1/namespaces as the web console sees
// them: byte order, keyset pages, what each kind of credential sees, and bad limits and cursors.
#include "application/catalog/read_catalog.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "application/buckets.h"
#include "fakes/fake_store.h"

namespace castor {
namespace {

TenantId tenant(std::string_view name) { return *TenantId::parse(name); }
Namespace ns(std::string_view name) { return *Namespace::parse(name); }

Principal everyone() { return {"key:all", std::nullopt, Scopes{Scope::kObjectsRead}}; }
Principal bound(std::string_view t, std::vector<Namespace> namespaces = {}) {
  return {"key:t", tenant(t), Scopes{Scope::kObjectsRead}, std::move(namespaces)};
}

struct World : testing::FakeStore {
  ReadCatalog catalog{metadata};
  ManageBuckets buckets{metadata, clock};

  // Every page of tenants, following the cursors.
  std::vector<std::string> all_tenants(const Principal& p, std::size_t limit,
                                       std::size_t* pages = nullptr) {
    std::vector<std::string> out;
    std::optional<std::string> cursor;
    std::size_t n = 0;
    do {
      auto page = catalog.tenants(p, limit, cursor);
      REQUIRE(page);
      CHECK(page->entries.size() <= limit);
      for (const TenantUsage& t : page->entries) {
        out.push_back(t.tenant.str());
      }
      cursor = page->next_cursor;
      ++n;
    } while (cursor);
    if (pages != nullptr) {
      *pages = n;
    }
    return out;
  }

  std::vector<std::string> all_namespaces(const Principal& p, const TenantId& t,
                                          std::size_t limit) {
    std::vector<std::string> out;
    std::optional<std::string> cursor;
    do {
      auto page = catalog.namespaces(p, t, limit, cursor);
      REQUIRE(page);
      CHECK(page->entries.size() <= limit);
      for (const NamespaceUsage& n : page->entries) {
        out.push_back(n.ns.str());
      }
      cursor = page->next_cursor;
    } while (cursor);
    return out;
  }
};

TEST_CASE("catalog: tenants with objects or buckets, in byte order, page by page", "[unit]") {
  World w;
  w.put(ns("docs"), tenant("beta"), "a.txt", "hello");
  w.put(ns("docs"), tenant("alpha"), "b.txt", "hello world");
  w.put(ns("img"), tenant("alpha"), "c.png", "png!");
  REQUIRE(w.buckets.create(tenant("gamma"), "empty"));  // a bucket, no objects yet
  w.put(ns("x"), tenant("a-1"), "k", "1");

  std::size_t pages = 0;
  CHECK(w.all_tenants(everyone(), 2, &pages) ==
        std::vector<std::string>{"a-1", "alpha", "beta", "gamma"});
  CHECK(pages == 2);  // 2 + 2, and the second page says it is the last
  CHECK(w.all_tenants(everyone(), 1000) ==
        std::vector<std::string>{"a-1", "alpha", "beta", "gamma"});

  auto first = w.catalog.tenants(everyone(), 1000, std::nullopt);
  REQUIRE(first);
  CHECK(!first->next_cursor);
  REQUIRE(first->entries.size() == 4);
  const TenantUsage& alpha = first->entries[1];
  CHECK(alpha.tenant.str() == "alpha");
  CHECK(alpha.total.objects == 2);
  CHECK(alpha.total.logical_bytes == 15);
  CHECK(first->entries[3].total == UsageFigures{});  // gamma: a bucket without objects

  // After a cursor: strictly greater names.
  auto after = w.catalog.tenants(everyone(), 10, std::string("alpha"));
  REQUIRE(after);
  REQUIRE(after->entries.size() == 2);
  CHECK(after->entries[0].tenant.str() == "beta");
}

TEST_CASE("catalog: a tenant-bound credential sees its own tenant only, even empty", "[unit]") {
  World w;
  w.put(ns("docs"), tenant("alpha"), "a", "abc");
  CHECK(w.all_tenants(bound("alpha"), 100) == std::vector<std::string>{"alpha"});
  CHECK(w.all_tenants(bound("nobody"), 100) == std::vector<std::string>{"nobody"});
  auto past = w.catalog.tenants(bound("alpha"), 100, std::string("alpha"));
  REQUIRE(past);
  CHECK(past->entries.empty());
  CHECK(!past->next_cursor);
}

TEST_CASE("catalog: namespaces of a tenant, paginated, restricted credentials", "[unit]") {
  World w;
  for (const char* name : {"n3", "n1", "n2", "n10"}) {
    w.put(ns(name), tenant("alpha"), "k", name);
  }
  w.put(ns("other"), tenant("beta"), "k", "x");
  REQUIRE(w.buckets.create(tenant("alpha"), "bucket-only"));

  CHECK(w.all_namespaces(everyone(), tenant("alpha"), 2) ==
        std::vector<std::string>{"bucket-only", "n1", "n10", "n2", "n3"});
  CHECK(w.all_namespaces(bound("alpha"), tenant("alpha"), 1000) ==
        std::vector<std::string>{"bucket-only", "n1", "n10", "n2", "n3"});
  // A namespace-restricted credential sees its namespaces only.
  CHECK(w.all_namespaces(bound("alpha", {ns("n2"), ns("n3"), ns("zz")}), tenant("alpha"), 1) ==
        std::vector<std::string>{"n2", "n3"});

  auto page = w.catalog.namespaces(everyone(), tenant("alpha"), 1000, std::nullopt);
  REQUIRE(page);
  REQUIRE(page->entries.size() == 5);
  CHECK(page->entries[1].ns.str() == "n1");
  CHECK(page->entries[1].usage.hot.objects == 1);
  CHECK(page->entries[1].usage.hot.logical_bytes == 2);
  CHECK(page->entries[1].usage.cold == UsageFigures{});
  CHECK(page->entries[0].usage == Usage{});  // the bucket without objects

  // Another tenant's namespaces: refused.
  auto other = w.catalog.namespaces(bound("alpha"), tenant("beta"), 10, std::nullopt);
  REQUIRE(!other);
  CHECK(other.error().code == ErrorCode::kPermissionDenied);
}

TEST_CASE("catalog: bad limits, cursors and scopes are refused", "[unit]") {
  World w;
  for (std::size_t limit : {std::size_t{0}, std::size_t{1001}}) {
    auto t = w.catalog.tenants(everyone(), limit, std::nullopt);
    REQUIRE(!t);
    CHECK(t.error().code == ErrorCode::kInvalidArgument);
    auto n = w.catalog.namespaces(everyone(), tenant("a"), limit, std::nullopt);
    REQUIRE(!n);
    CHECK(n.error().code == ErrorCode::kInvalidArgument);
  }
  auto bad_cursor = w.catalog.tenants(everyone(), 10, std::string("Not A Name!"));
  REQUIRE(!bad_cursor);
  CHECK(bad_cursor.error().code == ErrorCode::kInvalidArgument);

  Principal writer{"key:w", std::nullopt, Scopes{Scope::kObjectsWrite}};
  auto no_read = w.catalog.tenants(writer, 10, std::nullopt);
  REQUIRE(!no_read);
  CHECK(no_read.error().code == ErrorCode::kPermissionDenied);

  Principal restricted_everyone{"key:r", std::nullopt, Scopes{Scope::kObjectsRead}, {ns("a")}};
  auto refused = w.catalog.tenants(restricted_everyone, 10, std::nullopt);
  REQUIRE(!refused);
  CHECK(refused.error().code == ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace castor
