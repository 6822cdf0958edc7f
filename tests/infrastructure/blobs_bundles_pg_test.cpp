// The blob, possession and bundle SQL against a real PostgreSQL, and bundle creation racing the
// collector over one database and storage root.
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "application/blobs/preflight_blobs.h"
#include "application/blobs/store_blob.h"
#include "application/bundles/create_bundle.h"
#include "application/bundles/delete_bundle.h"
#include "application/bundles/read_bundles.h"
#include "application/check_integrity.h"
#include "application/collect_garbage.h"
#include "application/upload_object.h"
#include "infrastructure/fs_blob_store.h"
#include "infrastructure/openssl_sha256.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "support/sha256.h"
#include "support/temp_dir.h"

namespace castor::testing {
namespace {

constexpr StorageClass kHot = StorageClass::kHot;
const TenantId kA = *TenantId::parse("tenant-a");
const TenantId kB = *TenantId::parse("tenant-b");

ContentHash hash_of(const std::string& content) { return *ContentHash::parse(sha256_hex(content)); }

Timestamp now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

// One "process": its own pool and use cases over the shared database and storage root.
struct Replica {
  Replica(const std::string& url, BlobStore& blobs, std::chrono::seconds grace)
      : metadata(url, 3),
        store(metadata, blobs, clock, ids, 1 << 20, grace),
        create(metadata, blobs, clock, ids, openssl_sha256),
        remove(metadata),
        gc(metadata, blobs, clock, std::chrono::seconds(3600)) {}

  PgMetadataStore metadata;
  SystemClock clock;
  RandomIdGenerator ids;
  StoreBlob store;
  CreateBundle create;
  DeleteBundle remove;
  CollectGarbage gc;
};

Result<StoreBlob::Stored> put_blob(StoreBlob& store, const TenantId& tenant,
                                   const std::string& content) {
  auto up = store.begin({tenant, kHot, hash_of(content), content.size()}, content.size());
  if (!up) {
    return std::move(up).error();
  }
  if (auto s = (*up)->write(std::as_bytes(std::span(content.data(), content.size()))); !s) {
    return std::move(s).error();
  }
  return store.commit(**up);
}

BundleFile file(std::string path, const std::string& content) {
  return {std::move(path), hash_of(content), content.size(), 0644};
}

}  // namespace

TEST_CASE("blob SQL: retention, grants, possession, batch references", "[pg]") {
  PgFixture f;
  const ContentHash h1 = hash_of("one"), h2 = hash_of("two"), h3 = hash_of("three");
  const Timestamp t0 = now();
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    auto b = tx.blobs().retain(kHot, h1, 3, t0 + std::chrono::hours(1));
    REQUIRE(b);
    CHECK(b->ref_count() == 0);
    CHECK(*tx.blobs().grant(kA, kHot, h1, t0));
    CHECK_FALSE(*tx.blobs().grant(kA, kHot, h1, t0));  // idempotent
    REQUIRE(tx.blobs().retain(kHot, h2, 3, t0 - std::chrono::hours(1)));
    CHECK(*tx.blobs().grant(kA, kHot, h2, t0));
    CHECK(*tx.blobs().grant(kB, kHot, h2, t0));
    return {};
  }));
  // A grant needs its blob row (the statement fails, and with it the transaction).
  CHECK_FALSE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    auto g = tx.blobs().grant(kA, kHot, h3, t0);
    return g ? Status() : Status(g.error());
  }));
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    // A later retention wins; an earlier one does not shorten it; the size stays the stored one.
    auto b = tx.blobs().retain(kHot, h1, 99, t0);
    REQUIRE(b);
    CHECK(b->size_bytes() == 3);
    CHECK((*tx.blobs().find_held(kA, kHot, h1))->size_bytes() == 3);
    CHECK_FALSE(*tx.blobs().find_held(kB, kHot, h1));
    CHECK_FALSE(*tx.blobs().find_held(kA, StorageClass::kCold, h1));
    CHECK(*tx.blobs().retain_held(kA, kHot, h1, t0));
    CHECK_FALSE(*tx.blobs().retain_held(kB, kHot, h1, t0));
    auto missing = tx.blobs().not_held(kB, kHot, {h1, h2, h3});
    REQUIRE(missing);
    std::sort(missing->begin(), missing->end());
    std::vector<ContentHash> expected{h1, h3};
    std::sort(expected.begin(), expected.end());
    CHECK(*missing == expected);
    auto held = tx.blobs().lock_held(kA, kHot, {h3, h2, h1});
    REQUIRE(held);
    REQUIRE(held->size() == 2);
    CHECK((*held)[0].hash() < (*held)[1].hash());
    CHECK(*tx.blobs().add_refs(kHot, {{h1, 2}, {h2, 1}, {h3, 5}}) == 2);
    CHECK((*tx.blobs().find(kHot, h1))->ref_count() == 2);
    REQUIRE(tx.blobs().release_refs(kHot, {{h1, 1}, {h2, 4}}));
    CHECK((*tx.blobs().find(kHot, h1))->ref_count() == 1);
    CHECK((*tx.blobs().find(kHot, h2))->ref_count() == 0);  // never below zero
    return {};
  }));
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    // h2: unreferenced and past its retention; h1 referenced.
    auto locked = tx.blobs().lock_unreferenced(10, std::nullopt, now());
    REQUIRE(locked);
    REQUIRE(locked->size() == 1);
    CHECK((*locked)[0].hash() == h2);
    // Not yet at a time before its retention ended.
    CHECK_FALSE(*tx.blobs().remove_unreferenced(kHot, h2, t0 - std::chrono::hours(2)));
    CHECK(*tx.blobs().remove_unreferenced(kHot, h2, now()));
    CHECK_FALSE(*tx.blobs().find_held(kB, kHot, h2));
    return {};
  }));
  // The grants went with the row: a new row does not bring them back.
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    REQUIRE(tx.blobs().retain(kHot, h2, 3, t0));
    CHECK_FALSE(*tx.blobs().find_held(kA, kHot, h2));
    CHECK_FALSE(*tx.blobs().find_held(kB, kHot, h2));
    return {};
  }));
}

TEST_CASE("bundle SQL: paths of any text, listing order, live references", "[pg]") {
  PgFixture f;
  TempDir dir;
  auto blobs = FsBlobStore::create(dir.path() / "hot", dir.path() / "cold");
  REQUIRE(blobs);
  Replica r(f.db.url(), **blobs, std::chrono::seconds(3600));
  REQUIRE(put_blob(r.store, kA, "alpha"));
  REQUIRE(put_blob(r.store, kA, "beta"));
  // Characters an array literal must quote: ", \, {, }, comma, space, NULL-like words, UTF-8.
  const std::vector<std::string> paths = {"a \"quoted\" name",
                                          "back\\slash",
                                          "{braces}",
                                          "comma,separated",
                                          "NULL",
                                          "日本/語.txt",
                                          "a"};
  std::vector<BundleFile> files;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    files.push_back(file(paths[i], i % 2 ? "alpha" : "beta"));
  }
  auto out = r.create.create({kA, kHot, files, std::nullopt, R"({"model": "x", "n": [1, 2]})"});
  REQUIRE(out);
  REQUIRE(out->created);
  ReadBundles read(r.metadata);
  auto got = read.get(kA, out->created->id);
  REQUIRE(got);
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end());
  REQUIRE(got->files.size() == paths.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    CHECK(got->files[i].path == sorted[i]);
  }
  CHECK(got->summary.merkle_root == bundle_merkle_root(files, openssl_sha256));
  CHECK(got->metadata == R"({"n": [1, 2], "model": "x"})");  // as jsonb renders it

  // Three more bundles; listing pages newest first.
  std::vector<BundleId> ids{out->created->id};
  for (int i = 0; i < 3; ++i) {
    auto more = r.create.create({kA, kHot, {file("f", "alpha")}, std::nullopt, ""});
    REQUIRE(more);
    REQUIRE(more->created);
    ids.push_back(more->created->id);
  }
  std::vector<BundleId> seen;
  std::optional<std::string> cursor;
  do {
    auto page = read.list(kA, 3, cursor);
    REQUIRE(page);
    for (const auto& s : page->bundles) {
      seen.push_back(s.id);
    }
    cursor = page->next_cursor;
  } while (cursor);
  std::reverse(ids.begin(), ids.end());
  CHECK(seen == ids);
  CHECK(read.list(kB, 10, std::nullopt)->bundles.empty());

  // fsck counts the bundles' references; alpha: 3 files in the first bundle + 3 bundles.
  REQUIRE(r.metadata.transact([&](MetadataTransaction& tx) -> Status {
    CHECK(*tx.blobs().count_live_refs(kHot, hash_of("alpha")) == 6);
    CHECK((*tx.blobs().find(kHot, hash_of("alpha")))->ref_count() == 6);
    return {};
  }));
  CheckIntegrity fsck(r.metadata, **blobs);
  auto report = fsck.run(false, {});
  REQUIRE(report);
  CHECK(report->refcount_mismatch == 0);
  CHECK(report->unresolved() == 0);

  REQUIRE(r.remove.remove(kA, ids.back()));  // the first bundle
  CHECK(r.remove.remove(kA, ids.back()).error().code == ErrorCode::kNotFound);
  CHECK(r.remove.remove(kB, ids.front()).error().code == ErrorCode::kNotFound);
  REQUIRE(r.metadata.transact([&](MetadataTransaction& tx) -> Status {
    CHECK((*tx.blobs().find(kHot, hash_of("alpha")))->ref_count() == 3);
    CHECK((*tx.blobs().find(kHot, hash_of("beta")))->ref_count() == 0);
    return {};
  }));
  CHECK(fsck.run(false, {})->unresolved() == 0);
}

TEST_CASE("bundle creation racing the collector never points at deleted content", "[pg][race]") {
  PgFixture f;
  TempDir dir;
  auto blobs = FsBlobStore::create(dir.path() / "hot", dir.path() / "cold");
  REQUIRE(blobs);
  // No grace: every stored blob is garbage for the collector until a bundle references it.
  Replica a(f.db.url(), **blobs, std::chrono::seconds(0));
  Replica b(f.db.url(), **blobs, std::chrono::seconds(0));
  std::atomic<bool> done{false};
  std::atomic<int> gc_errors{0};
  std::thread collector([&] {
    while (!done) {
      if (!b.gc.run_once()) {
        ++gc_errors;
      }
    }
  });
  int created = 0, refused = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string content = "racing content " + std::to_string(i);
    const ContentHash h = hash_of(content);
    REQUIRE(put_blob(a.store, kA, content));
    auto out = a.create.create({kA, kHot, {file("f", content)}, std::nullopt, ""});
    REQUIRE(out);
    std::optional<Blob> row;
    REQUIRE(a.metadata.transact([&](MetadataTransaction& tx) -> Status {
      row = *tx.blobs().find(kHot, h);
      return {};
    }));
    const bool file_there = *(*blobs)->exists(kHot, h);
    if (out->created) {
      ++created;
      REQUIRE(row);
      CHECK(row->ref_count() == 1);
      CHECK(file_there);
      REQUIRE(a.remove.remove(kA, out->created->id));
    } else {
      ++refused;
      CHECK(out->missing == std::vector<ContentHash>{h});
      CHECK_FALSE(row);
      CHECK_FALSE(file_there);
    }
  }
  done = true;
  collector.join();
  CHECK(gc_errors == 0);
  INFO("created " << created << ", refused " << refused);
  CHECK(created + refused == 60);
  CheckIntegrity fsck(a.metadata, **blobs);
  auto report = fsck.run(false, {});
  REQUIRE(report);
  CHECK(report->unresolved() == 0);
}

}  // namespace castor::testing
