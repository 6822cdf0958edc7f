// MoveStorageClass against PostgreSQL and the filesystem: the switch transaction's effects on
// rows, grants and files; then moves racing deletes, other moves, uploads of the same content and
// garbage collectors in two "processes": no content lost, every reference count exact, no file
// without its row after a final collection.
#include "application/objects/move_storage_class.h"

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "application/check_integrity.h"
#include "application/collect_garbage.h"
#include "application/delete_object.h"
#include "application/download_object.h"
#include "application/upload_object.h"
#include "infrastructure/fs_blob_store.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "support/temp_dir.h"

namespace castor::testing {
namespace {

const TenantId kTenant = *TenantId::parse("t");

// One "process": its own connection pool and use cases over the shared database and roots.
struct Replica {
  Replica(const std::string& url, BlobStore& blobs)
      : metadata(url, 3),
        upload(metadata, blobs, clock, ids, 1 << 22),
        remove(metadata, clock),
        move(metadata, blobs, clock, ids),
        download(metadata, blobs),
        gc(metadata, blobs, clock, std::chrono::seconds(3600)) {}

  PgMetadataStore metadata;
  SystemClock clock;
  RandomIdGenerator ids;
  UploadObject upload;
  DeleteObject remove;
  MoveStorageClass move;
  DownloadObject download;
  CollectGarbage gc;
};

Result<Object> put(UploadObject& upload, const std::string& content) {
  auto up = upload.begin(
      {*Namespace::parse("tier"), kTenant, std::nullopt, StorageClass::kHot, "", std::nullopt},
      content.size());
  if (!up) {
    return std::move(up).error();
  }
  if (auto s = (*up)->write(std::as_bytes(std::span(content.data(), content.size()))); !s) {
    upload.abort(**up);
    return std::move(s).error();
  }
  return upload.commit(**up);
}

std::string read_all(DownloadObject& download, const ObjectId& id) {
  auto d = download.by_id(kTenant, id, true);
  REQUIRE(d);
  std::string got(d->content->size(), '\0');
  std::uint64_t at = 0;
  while (at < got.size()) {
    auto n = d->content->read_at(
        at, std::as_writable_bytes(std::span(got.data() + at, got.size() - at)));
    REQUIRE(n);
    REQUIRE(*n > 0);
    at += *n;
  }
  return got;
}

std::set<std::string> files_of(BlobStore& store, StorageClass c) {
  std::set<std::string> files;
  REQUIRE(store.scan(c, [&](const std::vector<ContentHash>& batch) -> Status {
    for (const auto& h : batch) {
      files.insert(h.hex());
    }
    return {};
  }));
  return files;
}

}  // namespace

TEST_CASE("the switch transaction moves reference, grant and class together", "[pg][tier]") {
  PgFixture f;
  TempDir dir;
  auto store = make_fs_blob_store(dir);
  Replica r(f.db.url(), *store);
  const std::string content(200 * 1024, 'z');
  auto o = put(r.upload, content);
  REQUIRE(o);
  const ContentHash h = *o->content_hash();
  auto moved = r.move.run({.tenant = kTenant, .id = o->id(), .storage_class = StorageClass::kCold});
  REQUIRE(moved);
  CHECK(moved->storage_class() == StorageClass::kCold);
  CHECK(moved->updated_at() > o->updated_at());

  pqxx::connection conn(f.db.url());
  pqxx::work tx(conn);
  const auto obj =
      tx.exec_params("SELECT storage_class, castor_us(updated_at) FROM objects WHERE id = $1::uuid",
                     o->id().to_string());
  CHECK(obj[0][0].as<std::string>() == "cold");
  CHECK(obj[0][1].as<std::int64_t>() == moved->updated_at().time_since_epoch().count());
  const auto refs = tx.exec_params(
      "SELECT storage_class, ref_count FROM blobs WHERE content_hash = $1 ORDER BY 1", h.hex());
  REQUIRE(refs.size() == 2);
  CHECK(refs[0][0].as<std::string>() == "cold");
  CHECK(refs[0][1].as<int>() == 1);
  CHECK(refs[1][0].as<std::string>() == "hot");
  CHECK(refs[1][1].as<int>() == 0);
  CHECK(tx.exec_params("SELECT count(*) FROM blob_grants WHERE tenant_id = 't' AND "
                       "storage_class = 'cold' AND content_hash = $1",
                       h.hex())[0][0]
            .as<int>() == 1);
  tx.commit();
  CHECK(read_all(r.download, o->id()) == content);
  CHECK(std::filesystem::is_empty(dir.path() / "cold" / ".tmp"));

  auto report = r.gc.run_once();
  REQUIRE(report);
  CHECK(report->deleted_blobs == 1);
  CHECK(files_of(*store, StorageClass::kHot).empty());
  CHECK(files_of(*store, StorageClass::kCold) == std::set<std::string>{h.hex()});
}

TEST_CASE("moves race deletes, moves, uploads and collectors without losing or leaking content",
          "[pg][tier][race]") {
  PgFixture f;
  TempDir dir;
  auto store = make_fs_blob_store(dir);
  Replica a(f.db.url(), *store);
  Replica b(f.db.url(), *store);
  const std::vector<std::string> shared = {"alpha", std::string(100 * 1024, 'b'),
                                           std::string(300 * 1024, 'c')};

  std::mutex mu;
  std::map<std::string, std::string> live;  // object id -> content; guarded by mu
  std::vector<ObjectId> ids;                // every object made; guarded by mu
  std::atomic<int> errors{0};
  std::atomic<int> moves{0};
  std::atomic<bool> done{false};

  auto client = [&](Replica& r, unsigned seed) {
    std::mt19937 rng(seed);
    for (int i = 0; i < 40; ++i) {
      const unsigned roll = rng() % 4;
      std::optional<ObjectId> pick;
      {
        std::lock_guard lock(mu);
        if (!ids.empty()) {
          pick = ids[rng() % ids.size()];
        }
      }
      if (roll == 0 && pick) {
        auto s = r.remove.by_id(kTenant, *pick);
        if (s) {
          std::lock_guard lock(mu);
          live.erase(pick->to_string());
        } else if (s.error().code != ErrorCode::kNotFound) {
          ++errors;
        }
        continue;
      }
      if (roll == 1 && pick) {
        const StorageClass target = rng() % 2 ? StorageClass::kCold : StorageClass::kHot;
        auto m = r.move.run({.tenant = kTenant, .id = *pick, .storage_class = target});
        if (m) {
          ++moves;
        } else if (m.error().code != ErrorCode::kNotFound) {
          UNSCOPED_INFO("move: " << m.error().message);
          ++errors;
        }
        continue;
      }
      const std::string content = rng() % 2
                                      ? shared[rng() % shared.size()]
                                      : "unique " + std::to_string(seed) + "/" + std::to_string(i);
      auto o = put(r.upload, content);
      if (!o) {
        ++errors;
        continue;
      }
      std::lock_guard lock(mu);
      ids.push_back(o->id());
      live[o->id().to_string()] = content;
    }
  };
  auto collector = [&](Replica& r) {
    while (!done) {
      if (!r.gc.run_once()) {
        ++errors;
      }
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(collector, std::ref(a));
  threads.emplace_back(collector, std::ref(b));
  std::vector<std::thread> clients;
  for (unsigned i = 0; i < 6; ++i) {
    clients.emplace_back(client, std::ref(i % 2 ? a : b), i + 1);
  }
  for (auto& t : clients) {
    t.join();
  }
  done = true;
  for (auto& t : threads) {
    t.join();
  }
  REQUIRE(errors == 0);
  CHECK(moves > 0);
  REQUIRE(a.gc.run_once());

  // Every live object downloads with its content, wherever it now is.
  for (const auto& [id, content] : live) {
    CHECK(read_all(a.download, *ObjectId::parse(id)) == content);
  }
  pqxx::connection conn(f.db.url());
  pqxx::work tx(conn);
  // Reference counts match the committed objects exactly; no blob row at zero survives a GC.
  auto mismatched = tx.exec(
      "SELECT b.storage_class, b.content_hash, b.ref_count, count(o.id) FROM blobs b "
      "LEFT JOIN objects o ON o.content_hash = b.content_hash "
      "AND o.storage_class = b.storage_class AND o.status = 'COMMITTED' "
      "GROUP BY b.storage_class, b.content_hash, b.ref_count "
      "HAVING b.ref_count <> count(o.id) OR b.ref_count = 0");
  CHECK(mismatched.empty());
  CHECK(tx.exec("SELECT count(*) FROM objects o WHERE status = 'COMMITTED' AND NOT EXISTS "
                "(SELECT 1 FROM blobs b WHERE b.storage_class = o.storage_class AND "
                "b.content_hash = o.content_hash)")[0][0]
            .as<int>() == 0);
  CHECK(
      tx.exec("SELECT count(*) FROM objects WHERE status = 'COMMITTED'")[0][0].as<std::size_t>() ==
      live.size());
  // Files and rows agree in both classes (small content here is in files: no INLINE_MAX_BYTES).
  for (StorageClass c : kAllStorageClasses) {
    std::set<std::string> rows;
    for (const auto& row : tx.exec_params("SELECT content_hash FROM blobs WHERE storage_class = $1",
                                          std::string(to_string(c)))) {
      rows.insert(row[0].as<std::string>());
    }
    INFO("class " << to_string(c));
    CHECK(files_of(*store, c) == rows);
    CHECK(std::filesystem::is_empty(dir.path() / std::string(to_string(c)) / ".tmp"));
  }
}

}  // namespace castor::testing
