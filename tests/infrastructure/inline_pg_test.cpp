// The small-object path on a real database: the one statement of insert_small (bucket, blob row
// with content, grant, object), its atomicity under concurrency, and the row as a place content is
// read from and collected with.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "application/collect_garbage.h"
#include "application/delete_object.h"
#include "application/download_object.h"
#include "application/upload_object.h"
#include "infrastructure/checksummers.h"
#include "infrastructure/fs_blob_store.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "support/temp_dir.h"

namespace castor::testing {
namespace {

constexpr StorageClass kHot = StorageClass::kHot;
const TenantId kTenant = *TenantId::parse("t");

struct Stack : PgFixture {
  Result<Object> put(UploadObject& use_case, const std::string& content,
                     std::optional<std::string> key = std::nullopt, const char* ns = "ns") {
    std::optional<ObjectKey> k;
    if (key) {
      k = *ObjectKey::parse(*key);
    }
    auto up = use_case.begin({.ns = *Namespace::parse(ns),
                              .tenant = kTenant,
                              .key = std::move(k),
                              .storage_class = kHot,
                              .content_type = {},
                              .expected_hash = {}},
                             content.size());
    if (!up) {
      return std::move(up).error();
    }
    // No Catch2 assertion here: the concurrency test calls this from several threads, and Catch2's
    // assertion handling is not thread-safe.
    if (auto w = (*up)->write(std::as_bytes(std::span(content.data(), content.size()))); !w) {
      use_case.abort(**up);
      return std::move(w).error();
    }
    return use_case.commit(**up);
  }

  std::string read(const Object& o) {
    auto d = download.by_id(kTenant, o.id(), true);
    REQUIRE(d);
    std::string out(d->content->size(), '\0');
    REQUIRE(d->content->read_at(0, std::as_writable_bytes(std::span(out.data(), out.size()))));
    return out;
  }

  // One row of SQL as text ("" for NULL).
  std::string query(const std::string& statement) {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    auto r = tx.exec(statement);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  }

  TempDir dir;
  std::unique_ptr<FsBlobStore> files = make_fs_blob_store(dir);
  PgMetadataStore& metadata = *PgFixture::store;
  SystemClock clock;
  RandomIdGenerator ids;
  Checksummers checksummers;
  UploadObject small{
      metadata, *files, clock, ids, 1 << 20, nullptr, {.max_bytes = 1024, .sha256 = &checksummers}};
  UploadObject large{metadata, *files, clock, ids, 1 << 20};
  DownloadObject download{metadata, *files};
  DeleteObject remove{metadata, clock};
};

}  // namespace

TEST_CASE("a small object is one row of content, committed with its object and bucket",
          "[pg][inline]") {
  Stack s;
  auto o = s.put(s.small, "tokenizer.json bytes", "tok.json", "fresh-bucket");
  REQUIRE(o);
  CHECK(s.read(*o) == "tokenizer.json bytes");
  const std::string hash = o->content_hash()->hex();
  CHECK(s.query("SELECT convert_from(content, 'UTF8') FROM blobs WHERE content_hash = '" + hash +
                "'") == "tokenizer.json bytes");
  CHECK(s.query("SELECT ref_count FROM blobs WHERE content_hash = '" + hash + "'") == "1");
  CHECK(s.query("SELECT count(*) FROM buckets WHERE name = 'fresh-bucket'") == "1");
  CHECK(s.query("SELECT count(*) FROM blob_grants WHERE tenant_id = 't' AND content_hash = '" +
                hash + "'") == "1");
  CHECK(s.query("SELECT status FROM objects WHERE id = '" + o->id().to_string() + "'") ==
        "COMMITTED");
  CHECK_FALSE(*s.files->exists(kHot, *o->content_hash()));

  // The same key again: refused, and nothing of it stays (no second reference).
  auto again = s.put(s.small, "other bytes", "tok.json", "fresh-bucket");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kAlreadyExists);
  CHECK(s.query("SELECT count(*) FROM blobs") == "1");
}

TEST_CASE("small and large paths share one blob per content", "[pg][inline]") {
  Stack s;
  auto a = s.put(s.large, "same bytes");  // a file
  auto b = s.put(s.small, "same bytes");  // a reference, and the bytes in the row too
  auto c = s.put(s.large, "same bytes");  // the row holds them: no second file is placed
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  const std::string hash = a->content_hash()->hex();
  CHECK(s.query("SELECT ref_count FROM blobs WHERE content_hash = '" + hash + "'") == "3");
  CHECK(s.query("SELECT octet_length(content) FROM blobs WHERE content_hash = '" + hash + "'") ==
        "10");
  CHECK(s.read(*a) == "same bytes");
  CHECK(s.read(*b) == "same bytes");
}

TEST_CASE("concurrent small uploads of one content count every reference", "[pg][inline]") {
  Stack s;
  constexpr int kThreads = 8;
  constexpr int kEach = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Distinct keys in one new namespace: the first uploads race to create its bucket.
        if (!s.put(s.small, "popular", "k-" + std::to_string(t) + "-" + std::to_string(i),
                   "racing")) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(failures == 0);
  CHECK(s.query("SELECT ref_count FROM blobs") == std::to_string(kThreads * kEach));
  CHECK(s.query("SELECT count(*) FROM objects WHERE status = 'COMMITTED'") ==
        std::to_string(kThreads * kEach));
  CHECK(s.query("SELECT count(*) FROM buckets") == "1");
}

TEST_CASE("the collector removes an unreferenced small blob's row and content", "[pg][inline]") {
  Stack s;
  auto o = s.put(s.small, "temporary");
  REQUIRE(o);
  REQUIRE(s.remove.by_id(kTenant, o->id()));
  CollectGarbage gc(s.metadata, *s.files, s.clock, std::chrono::seconds(3600));
  for (int i = 0; i < 2; ++i) {
    REQUIRE(gc.run_once());
  }
  CHECK(s.query("SELECT count(*) FROM blobs") == "0");
}

}  // namespace castor::testing
