// Search over PostgreSQL (docs/SEARCH.md): every filter against a model of the rows, every sort
// order in both directions paginated to exhaustion against one ORDER BY of the whole result,
// natural listing order, the by-content listing, and the plans of prefix, containment and text
// queries on 200,000 rows (no Seq Scan; the search indexes of migrations/012_search.sql).
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "application/list_objects.h"
#include "application/search/search_objects.h"
#include "infrastructure/pg_object_search_repository.h"
#include "pg_fixture.h"

namespace castor::testing {
namespace {

const TenantId kA = *TenantId::parse("tenant-a");
const TenantId kB = *TenantId::parse("tenant-b");
const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

// One row as the test wrote it (the model the filters are checked against). Metadata values are
// strings, as user metadata is before helper meta's JSON values; containment works either way.
struct Row {
  std::string id;
  std::string ns;
  std::string tenant;
  std::string key;  // "" = keyless
  std::string storage_class;
  std::string status;
  std::string hash;
  std::uint64_t size = 0;
  std::string content_type;
  std::int64_t created_us = 0;
  std::int64_t updated_us = 0;
  std::string family;  // metadata {"family":family,"tag":tag}
  std::string tag;
};

std::string uuid_of(std::mt19937_64& rng) {
  char buf[37];
  std::uint64_t a = rng(), b = rng();
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(b >> 52),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

void insert_rows(const std::string& url, const std::vector<Row>& rows) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  for (const Row& r : rows) {
    const std::string meta = "{\"family\":\"" + r.family + "\",\"tag\":\"" + r.tag + "\"}";
    tx.exec_params(
        "INSERT INTO objects (id, namespace, tenant_id, key, storage_class, status, content_hash, "
        "size_bytes, content_type, created_at, updated_at, metadata) VALUES ($1::uuid, $2, $3, "
        "NULLIF($4, ''), $5, $6, $7, $8::bigint, $9, castor_ts($10::bigint), "
        "castor_ts($11::bigint), $12::jsonb)",
        r.id, r.ns, r.tenant, r.key, r.storage_class, r.status, r.hash, r.size, r.content_type,
        r.created_us, r.updated_us, meta);
  }
  tx.commit();
}

std::vector<Row> random_rows(std::mt19937_64& rng, std::size_t n) {
  const std::vector<std::string> families{"llama", "mistral", "gpt", "Llama-Large"};
  const std::vector<std::string> types{"text/plain", "application/json", "image/png"};
  const std::vector<std::string> spaces{"docs", "models"};
  std::vector<Row> rows;
  for (std::size_t i = 0; i < n; ++i) {
    Row r;
    r.id = uuid_of(rng);
    r.ns = spaces[rng() % spaces.size()];
    r.tenant = rng() % 4 == 0 ? kB.str() : kA.str();
    const auto k = rng() % 20;
    // Duplicate sort values on purpose (size, type, dates): ties are broken by id.
    r.key = k == 0 ? ""
                   : (k < 10 ? "dir" + std::to_string(k % 3) + "/file" : "f_x%") +
                         std::to_string(rng() % 40) + "-" + std::to_string(i);
    r.storage_class = rng() % 3 == 0 ? "cold" : "hot";
    r.status = rng() % 10 == 0 ? (rng() % 2 ? "WRITING" : "DELETED") : "COMMITTED";
    r.hash = rng() % 5 == 0 ? kHashA : (rng() % 2 ? kHashB : std::string(64, 'c'));
    r.size = rng() % 50;
    r.content_type = types[rng() % types.size()];
    r.created_us = 1'700'000'000'000'000 + static_cast<std::int64_t>(rng() % 20) * 1'000'000;
    r.updated_us = r.created_us + static_cast<std::int64_t>(rng() % 5) * 1'000'000;
    r.family = families[rng() % families.size()];
    r.tag = "t" + std::to_string(rng() % 7);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<std::string> ids_of(const std::vector<Object>& objects) {
  std::vector<std::string> out;
  for (const Object& o : objects) {
    out.push_back(o.id().to_string());
  }
  return out;
}

// Every page of `request` followed to the end (limit 7).
std::vector<std::string> all_pages(SearchObjects& search, SearchObjects::Request request) {
  std::vector<std::string> out;
  request.limit = 7;
  for (int guard = 0; guard < 1000; ++guard) {
    auto page = search.search(request);
    INFO((page ? std::string() : page.error().message));
    REQUIRE(page);
    REQUIRE(page->objects.size() <= 7);
    for (const std::string& id : ids_of(page->objects)) {
      out.push_back(id);
    }
    if (!page->next_cursor) {
      REQUIRE(page->objects.size() <= 7);
      return out;
    }
    request.cursor = page->next_cursor;
  }
  FAIL("pagination did not end");
  return out;
}

SearchObjects::Request request_for(const TenantId& tenant) {
  return SearchObjects::Request{.filter = {.tenant = tenant}};
}

}  // namespace

TEST_CASE("search: each filter selects exactly the matching COMMITTED rows of the tenant",
          "[pg][search]") {
  PgFixture f;
  std::mt19937_64 rng(12);
  const std::vector<Row> rows = random_rows(rng, 400);
  insert_rows(f.db.url(), rows);
  SearchObjects search(*f.store);

  struct Case {
    const char* name;
    std::function<void(SearchFilter&)> set;
    std::function<bool(const Row&)> match;
  };
  const std::int64_t t0 = 1'700'000'005'000'000, t1 = 1'700'000'012'000'000;
  auto ts = [](std::int64_t us) { return Timestamp(std::chrono::microseconds(us)); };
  const std::vector<Case> cases{
      {"none", [](SearchFilter&) {}, [](const Row&) { return true; }},
      {"namespace", [](SearchFilter& s) { s.ns = *Namespace::parse("docs"); },
       [](const Row& r) { return r.ns == "docs"; }},
      {"key_prefix", [](SearchFilter& s) { s.key_prefix = "dir1/"; },
       [](const Row& r) { return r.key.starts_with("dir1/"); }},
      {"key_prefix with namespace",
       [](SearchFilter& s) {
         s.key_prefix = "dir2/file1";
         s.ns = *Namespace::parse("models");
       },
       [](const Row& r) { return r.key.starts_with("dir2/file1") && r.ns == "models"; }},
      {"key_prefix with LIKE metacharacters", [](SearchFilter& s) { s.key_prefix = "f_x%1"; },
       [](const Row& r) { return r.key.starts_with("f_x%1"); }},
      {"key_contains", [](SearchFilter& s) { s.key_contains = "le3"; },
       [](const Row& r) { return r.key.find("le3") != std::string::npos; }},
      {"key_contains metacharacter", [](SearchFilter& s) { s.key_contains = "_x%"; },
       [](const Row& r) { return r.key.find("_x%") != std::string::npos; }},
      {"content_type", [](SearchFilter& s) { s.content_type = "image/png"; },
       [](const Row& r) { return r.content_type == "image/png"; }},
      {"storage_class", [](SearchFilter& s) { s.storage_class = StorageClass::kCold; },
       [](const Row& r) { return r.storage_class == "cold"; }},
      {"size_range",
       [](SearchFilter& s) {
         s.size_min = 10;
         s.size_max = 20;
       },
       [](const Row& r) { return r.size >= 10 && r.size <= 20; }},
      {"created_at_range",
       [&](SearchFilter& s) {
         s.created_from = ts(t0);
         s.created_to = ts(t1);
       },
       [&](const Row& r) { return r.created_us >= t0 && r.created_us < t1; }},
      {"updated_at_range from only", [&](SearchFilter& s) { s.updated_from = ts(t1); },
       [&](const Row& r) { return r.updated_us >= t1; }},
      {"metadata containment", [](SearchFilter& s) { s.metadata = R"({"family":"llama"})"; },
       [](const Row& r) { return r.family == "llama"; }},
      {"metadata containment, two members",
       [](SearchFilter& s) { s.metadata = R"({"family":"gpt","tag":"t3"})"; },
       [](const Row& r) { return r.family == "gpt" && r.tag == "t3"; }},
      {"query over metadata, case-insensitive", [](SearchFilter& s) { s.text = "LLAMA"; },
       [](const Row& r) { return r.family == "llama" || r.family == "Llama-Large"; }},
      {"query over the key", [](SearchFilter& s) { s.text = "DIR0/"; },
       [](const Row& r) { return r.key.starts_with("dir0/"); }},
      {"everything at once",
       [](SearchFilter& s) {
         s.ns = *Namespace::parse("docs");
         s.key_prefix = "dir";
         s.storage_class = StorageClass::kHot;
         s.size_max = 30;
         s.metadata = R"({"tag":"t1"})";
       },
       [](const Row& r) {
         return r.ns == "docs" && r.key.starts_with("dir") && r.storage_class == "hot" &&
                r.size <= 30 && r.tag == "t1";
       }},
  };
  for (const Case& c : cases) {
    for (const TenantId& tenant : {kA, kB}) {
      {
        INFO(c.name << " " << tenant.str());
        SearchObjects::Request req = request_for(tenant);
        c.set(req.filter);
        std::multiset<std::string> expected;
        for (const Row& r : rows) {
          if (r.tenant == tenant.str() && r.status == "COMMITTED" && c.match(r)) {
            expected.insert(r.id);
          }
        }
        const auto got = all_pages(search, req);
        CHECK(std::multiset<std::string>(got.begin(), got.end()) == expected);
        req.count = true;
        req.limit = 3;
        auto page = search.search(req);
        INFO((page ? std::string() : page.error().message));
        REQUIRE(page);
        REQUIRE(page->total);
        CHECK(*page->total == expected.size());
      }
    }
  }
}

TEST_CASE("search: every sort order, both directions, paginated equals one ORDER BY",
          "[pg][search]") {
  PgFixture f;
  std::mt19937_64 rng(99);
  insert_rows(f.db.url(), random_rows(rng, 300));
  SearchObjects search(*f.store);
  pqxx::connection conn(f.db.url());
  const std::vector<std::pair<SearchSort, std::string>> sorts{
      {SearchSort::kKey, "COALESCE(key, '')"},
      {SearchSort::kCreatedAt, "created_at"},
      {SearchSort::kUpdatedAt, "updated_at"},
      {SearchSort::kSizeBytes, "size_bytes"},
      {SearchSort::kContentType, "content_type"}};
  for (const auto& [sort, column] : sorts) {
    for (bool desc : {false, true}) {
      for (bool filtered : {false, true}) {
        {
          INFO(SearchObjects::sort_name(sort)
               << (desc ? " desc" : " asc") << (filtered ? " filtered" : ""));
          SearchObjects::Request req = request_for(kA);
          req.sort = sort;
          req.descending = desc;
          std::string where = "tenant_id = 'tenant-a' AND status = 'COMMITTED'";
          if (filtered) {
            req.filter.metadata = R"({"family":"mistral"})";
            where += " AND metadata @> '{\"family\":\"mistral\"}'";
          }
          const std::string dir = desc ? " DESC" : "";
          std::vector<std::string> expected;
          pqxx::nontransaction tx(conn);
          for (const auto& row : tx.exec("SELECT id::text FROM objects WHERE " + where +
                                         " ORDER BY " + column + dir + ", objects.id" + dir)) {
            expected.push_back(row[0].as<std::string>());
          }
          REQUIRE(expected.size() > 20);
          CHECK(all_pages(search, req) == expected);
        }
      }
    }
  }
}

TEST_CASE("search: cursors are bound to their query; bad input is InvalidArgument",
          "[pg][search]") {
  PgFixture f;
  std::mt19937_64 rng(5);
  insert_rows(f.db.url(), random_rows(rng, 60));
  SearchObjects search(*f.store);
  SearchObjects::Request req = request_for(kA);
  req.limit = 2;
  auto page = search.search(req);
  INFO((page ? std::string() : page.error().message));
  REQUIRE(page);
  REQUIRE(page->next_cursor);
  auto invalid = [&](SearchObjects::Request r) {
    auto p = search.search(r);
    REQUIRE_FALSE(p);
    CHECK(p.error().code == ErrorCode::kInvalidArgument);
  };
  SearchObjects::Request other = req;
  other.cursor = page->next_cursor;
  other.sort = SearchSort::kSizeBytes;
  invalid(other);  // another order
  other = req;
  other.cursor = page->next_cursor;
  other.filter.tenant = kB;
  invalid(other);  // another tenant
  other = req;
  other.cursor = page->next_cursor;
  other.filter.content_type = "text/plain";
  invalid(other);  // another filter
  other = req;
  other.cursor = "zz";
  invalid(other);
  other = req;
  other.limit = 0;
  invalid(other);
  other.limit = 1001;
  invalid(other);
  other = req;
  other.filter.size_min = 5;
  other.filter.size_max = 4;
  invalid(other);
  other = req;
  other.filter.key_contains = "";
  invalid(other);
  // The same query with a different limit keeps its cursor.
  other = req;
  other.cursor = page->next_cursor;
  other.limit = 50;
  CHECK(search.search(other));
}

TEST_CASE("listing in natural order: digit runs compare as numbers, keyset-paginated",
          "[pg][search][natural]") {
  PgFixture f;
  std::vector<Row> rows;
  std::mt19937_64 rng(3);
  for (const char* key : {"file10", "file2", "file1", "file20", "file100", "a9", "a10", "b",
                          "file2a", "file02", ""}) {
    Row r{.id = uuid_of(rng),
          .ns = "docs",
          .tenant = kA.str(),
          .key = key,
          .storage_class = "hot",
          .status = "COMMITTED",
          .hash = kHashA,
          .size = 1,
          .content_type = "text/plain",
          .created_us = 1,
          .updated_us = 1,
          .family = "x",
          .tag = "y"};
    rows.push_back(r);
  }
  insert_rows(f.db.url(), rows);
  ListObjects list(*f.store);
  const Namespace docs = *Namespace::parse("docs");
  std::vector<std::string> keys;
  std::optional<std::string> cursor;
  do {
    auto page = list.list(docs, kA, "", 3, cursor, ListObjects::Order::kNatural);
    INFO((page ? std::string() : page.error().message));
    REQUIRE(page);
    for (const Object& o : page->objects) {
      keys.push_back(o.key() ? o.key()->str() : "");
    }
    cursor = page->next_cursor;
  } while (cursor);
  // "file02" and "file2" are numerically equal: the collation is deterministic, so their bytes
  // decide ("file02" < "file2").
  CHECK(keys == std::vector<std::string>{"", "a9", "a10", "b", "file1", "file02", "file2", "file2a",
                                         "file10", "file20", "file100"});
  auto prefixed = list.list(docs, kA, "file1", 10, std::nullopt, ListObjects::Order::kNatural);
  INFO((prefixed ? std::string() : prefixed.error().message));
  REQUIRE(prefixed);
  std::vector<std::string> p;
  for (const Object& o : prefixed->objects) {
    p.push_back(o.key()->str());
  }
  CHECK(p == std::vector<std::string>{"file1", "file10", "file100"});
}

TEST_CASE("listing by content hash: the tenant's COMMITTED objects with it, any namespace",
          "[pg][search]") {
  PgFixture f;
  std::mt19937_64 rng(77);
  const std::vector<Row> rows = random_rows(rng, 200);
  insert_rows(f.db.url(), rows);
  ListObjects list(*f.store);
  std::vector<std::string> expected;
  for (const Row& r : rows) {
    if (r.tenant == kA.str() && r.status == "COMMITTED" && r.hash == kHashA) {
      expected.push_back(r.id);
    }
  }
  std::sort(expected.begin(), expected.end());
  REQUIRE(expected.size() > 5);
  std::vector<std::string> got;
  std::optional<std::string> cursor;
  do {
    auto page = list.list_by_content(kA, *ContentHash::parse(kHashA), 4, cursor);
    INFO((page ? std::string() : page.error().message));
    REQUIRE(page);
    for (const std::string& id : ids_of(page->objects)) {
      got.push_back(id);
    }
    cursor = page->next_cursor;
  } while (cursor);
  CHECK(got == expected);
  auto none = list.list_by_content(kA, *ContentHash::parse(std::string(64, 'd')), 4, std::nullopt);
  INFO((none ? std::string() : none.error().message));
  REQUIRE(none);
  CHECK(none->objects.empty());
}

TEST_CASE("search plans: prefix, containment and text queries use an index (200k rows)",
          "[pg][search][plan][slow]") {
  PgFixture f;
  pqxx::connection conn(f.db.url());
  {
    pqxx::work tx(conn);
    // A bulk load: without the usage triggers (docs/USAGE_AND_QUOTAS.md), which this test does
    // not look at.
    tx.exec("SET LOCAL castor.usage_tracking = 'off'");
    // Two tenants, keys k0000000 .., metadata with 1,000 families and a serial number; ids are
    // md5s made v4 UUIDs (castor reads nothing else).
    tx.exec(
        "INSERT INTO objects (id, namespace, tenant_id, key, storage_class, status, content_hash, "
        "size_bytes, content_type, created_at, updated_at, metadata) "
        "SELECT overlay(overlay(md5(i::text) placing '4' from 13) placing '8' from 17)::uuid, "
        "'docs', CASE WHEN i % 10 = 0 THEN 'tenant-b' ELSE 'tenant-a' "
        "END, 'k' || lpad(i::text, 7, '0'), 'hot', 'COMMITTED', md5(i::text) || md5(i::text), "
        "i % 5000, 'text/plain', now() - i * interval '1 second', now(), "
        "jsonb_build_object('family', 'fam' || lpad((i % 1000)::text, 5, '0'), 'serial', "
        "'sn-' || i) FROM generate_series(0, 199999) AS i");
    tx.commit();
  }
  {
    pqxx::nontransaction tx(conn);
    tx.exec("ANALYZE objects");
  }
  auto plan_of = [&](SearchFilter filter, SearchSort sort = SearchSort::kKey) {
    SearchQuery q{std::move(filter), sort, false, 101, std::nullopt};
    const auto st = PgObjectSearchRepository::search_statement(q);
    pqxx::nontransaction tx(conn);
    std::string plan;
    for (const auto& row : tx.exec_params("EXPLAIN (COSTS OFF) " + st.sql,
                                          pqxx::prepare::make_dynamic_params(st.params))) {
      plan += row[0].as<std::string>() + "\n";
    }
    return plan;
  };
  SearchFilter base{.tenant = kA};
  {  // prefix in a namespace: the listing index's key range
    SearchFilter s = base;
    s.ns = *Namespace::parse("docs");
    s.key_prefix = "k01234";
    const std::string plan = plan_of(s);
    INFO(plan);
    CHECK(plan.find("Seq Scan") == std::string::npos);
    CHECK(plan.find("objects_listing") != std::string::npos);
  }
  {  // prefix across namespaces: trigrams of the key
    SearchFilter s = base;
    s.key_prefix = "k01234";
    const std::string plan = plan_of(s);
    INFO(plan);
    CHECK(plan.find("Seq Scan") == std::string::npos);
    CHECK(plan.find("objects_key_trgm") != std::string::npos);
  }
  {  // key_contains: trigrams of the key
    SearchFilter s = base;
    s.key_contains = "12345";
    const std::string plan = plan_of(s);
    INFO(plan);
    CHECK(plan.find("Seq Scan") == std::string::npos);
    CHECK(plan.find("objects_key_trgm") != std::string::npos);
  }
  {  // metadata containment: the jsonb_path_ops GIN index
    SearchFilter s = base;
    s.metadata = R"({"family":"fam00017"})";
    const std::string plan = plan_of(s, SearchSort::kCreatedAt);
    INFO(plan);
    CHECK(plan.find("Seq Scan") == std::string::npos);
    CHECK(plan.find("objects_metadata") != std::string::npos);
  }
  {  // text query: trigrams of key + metadata
    SearchFilter s = base;
    s.text = "SN-12345";
    const std::string plan = plan_of(s, SearchSort::kSizeBytes);
    INFO(plan);
    CHECK(plan.find("Seq Scan") == std::string::npos);
    CHECK(plan.find("objects_search_text") != std::string::npos);
  }
  {  // and they answer correctly
    SearchObjects search(*f.store);
    SearchObjects::Request r = request_for(kA);
    r.filter.metadata = R"({"family":"fam00017"})";
    r.count = true;
    auto page = search.search(r);
    INFO((page ? std::string() : page.error().message));
    REQUIRE(page);
    CHECK(*page->total == 200);  // i % 1000 == 17: 200 of them, none a multiple of 10
    r = request_for(kA);
    r.filter.text = "SN-123456";
    auto text = search.search(r);
    INFO((text ? std::string() : text.error().message));
    REQUIRE(text);
    REQUIRE(text->objects.size() == 1);
    CHECK(text->objects[0].key()->str() == "k0123456");
  }
}

}  // namespace castor::testing
