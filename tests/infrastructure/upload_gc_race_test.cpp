// Uploads, deletes and garbage collection racing on one real database and storage root, through
// the use cases (two stores stand for two server processes). After the storm, the invariants hold:
// every blob's ref_count equals the COMMITTED objects that point at it, every committed object's
// content is on disk, and no content file lacks its blob row.
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "application/check_integrity.h"
#include "application/collect_garbage.h"
#include "application/delete_object.h"
#include "application/download_object.h"
#include "application/scrub_content.h"
#include "application/upload_object.h"
#include "infrastructure/fs_blob_store.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "support/temp_dir.h"

namespace castor::testing {
namespace {

// Delegates to a real BlobStore but lingers after placing content, before the upload's transaction
// commits: this widens the window in which a collector could see the new file without its blob row
// (the race the content lock exists for), so that a missing lock fails this test.
class LingeringBlobStore final : public BlobStore {
 public:
  explicit LingeringBlobStore(BlobStore& inner) : inner_(inner) {}
  Result<std::unique_ptr<BlobWriter>> create_temp(StorageClass c, const ObjectId& o) override {
    return inner_.create_temp(c, o);
  }
  Status place(BlobWriter& w, StorageClass c, const ContentHash& h) override {
    auto s = inner_.place(w, c, h);
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    return s;
  }
  Result<std::unique_ptr<BlobReader>> open(StorageClass c, const ContentHash& h) override {
    return inner_.open(c, h);
  }
  Result<bool> exists(StorageClass c, const ContentHash& h) override { return inner_.exists(c, h); }
  Status remove(StorageClass c, const ContentHash& h) override { return inner_.remove(c, h); }
  Status remove_temp(StorageClass c, const ObjectId& o) override {
    return inner_.remove_temp(c, o);
  }
  Result<std::optional<Timestamp>> temp_modified_at(StorageClass c, const ObjectId& o) override {
    return inner_.temp_modified_at(c, o);
  }
  Result<std::size_t> remove_temps_older_than(Timestamp before) override {
    return inner_.remove_temps_older_than(before);
  }
  Status scan(StorageClass c,
              const std::function<Status(const std::vector<ContentHash>&)>& visit) override {
    return inner_.scan(c, visit);
  }
  Result<ContentPage> scan_page(StorageClass c, const std::optional<ContentHash>& after,
                                std::size_t limit) override {
    return inner_.scan_page(c, after, limit);
  }
  Result<std::optional<std::uint64_t>> size_of(StorageClass c, const ContentHash& h) override {
    return inner_.size_of(c, h);
  }
  Result<ContentHash> hash_segments(StorageClass c, std::span<const Segment> segments,
                                    const std::function<bool(std::uint64_t)>& pace) override {
    return inner_.hash_segments(c, segments, pace);
  }
  Result<ContentHash> hash_content(StorageClass c, const ContentHash& h,
                                   const std::function<bool(std::uint64_t)>& pace) override {
    return inner_.hash_content(c, h, pace);
  }
  Status quarantine(StorageClass c, const ContentHash& h) override {
    return inner_.quarantine(c, h);
  }

 private:
  BlobStore& inner_;
};

// One "process": its own connection pool and use cases over the shared database and root.
struct Replica {
  Replica(const std::string& url, BlobStore& blobs)
      : metadata(url, 3),
        upload(metadata, blobs, clock, ids, 1 << 20),
        remove(metadata, clock),
        gc(metadata, blobs, clock, std::chrono::seconds(3600)) {}

  PgMetadataStore metadata;
  SystemClock clock;
  RandomIdGenerator ids;
  UploadObject upload;
  DeleteObject remove;
  CollectGarbage gc;
};

Result<Object> put(UploadObject& upload, const std::string& content) {
  auto up = upload.begin({*Namespace::parse("race"), *TenantId::parse("t"), std::nullopt,
                          StorageClass::kHot, "", std::nullopt},
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

}  // namespace

TEST_CASE("uploads, deletes and GC race without losing or leaking content", "[pg][race]") {
  PgFixture f;
  TempDir dir;
  auto store = FsBlobStore::create(dir.path() / "hot", dir.path() / "cold");
  REQUIRE(store);
  LingeringBlobStore lingering(**store);
  Replica a(f.db.url(), lingering);
  Replica b(f.db.url(), lingering);
  const std::vector<std::string> contents = {"alpha", "beta", "gamma"};

  std::mutex mu;
  std::map<std::string, std::string> live;  // object id -> content; guarded by mu
  std::atomic<int> errors{0};
  std::atomic<bool> done{false};

  auto client = [&](Replica& r, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<ObjectId> mine;
    for (int i = 0; i < 60; ++i) {
      if (!mine.empty() && rng() % 3 == 0) {
        const std::size_t pick = rng() % mine.size();
        if (r.remove.by_id(*TenantId::parse("t"), mine[pick])) {
          std::lock_guard lock(mu);
          live.erase(mine[pick].to_string());
        } else {
          ++errors;
        }
        mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(pick));
        continue;
      }
      // Half shared contents (dedup and re-reference races), half new ones (placement races).
      const std::string content = rng() % 2
                                      ? contents[rng() % contents.size()]
                                      : "unique " + std::to_string(seed) + "/" + std::to_string(i);
      auto o = put(r.upload, content);
      if (!o) {
        ++errors;
        continue;
      }
      mine.push_back(o->id());
      std::lock_guard lock(mu);
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
  // A scrubber and fsck --repair race them too: neither may find damage in healthy content, nor
  // delete or quarantine anything an upload or the collector is working on.
  std::atomic<int> damaged{0};
  auto scrubber = [&](Replica& r) {
    ScrubContent scrub(r.metadata, lingering, r.clock);
    const ScrubContent::Hooks hooks{{}, {}, [&](const ScrubContent::Damage&) { ++damaged; }};
    while (!done) {
      if (!scrub.run_pass(r.clock.now(), hooks)) {
        ++errors;
      }
    }
  };
  std::atomic<int> data_loss{0};
  auto checker = [&](Replica& r) {
    CheckIntegrity fsck(r.metadata, lingering);
    while (!done) {
      auto report = fsck.run(/*repair=*/true, {});
      if (!report) {
        ++errors;
      } else {
        data_loss += static_cast<int>(report->missing + report->size_mismatch);
      }
    }
  };

  std::vector<std::thread> threads;
  threads.emplace_back(collector, std::ref(a));
  threads.emplace_back(collector, std::ref(b));
  threads.emplace_back(scrubber, std::ref(a));
  threads.emplace_back(checker, std::ref(b));
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
  CHECK(damaged == 0);
  CHECK(data_loss == 0);
  REQUIRE(a.gc.run_once());
  CheckIntegrity fsck(a.metadata, **store);
  auto final_check = fsck.run(false, {});
  REQUIRE(final_check);
  CHECK(final_check->unresolved() == 0);
  CHECK(final_check->blobs == final_check->files);

  // Every live object downloads with its content.
  DownloadObject download(a.metadata, **store);
  for (const auto& [id, content] : live) {
    auto d = download.by_id(*TenantId::parse("t"), *ObjectId::parse(id), true);
    REQUIRE(d);
    std::string got(d->content->size(), '\0');
    auto n = d->content->read_at(0, std::as_writable_bytes(std::span(got.data(), got.size())));
    REQUIRE(n);
    CHECK(got == content);
  }

  // Reference counts match the committed objects exactly; no blob row at zero survives a GC.
  pqxx::connection conn(f.db.url());
  pqxx::work tx(conn);
  auto mismatched = tx.exec(
      "SELECT b.content_hash, b.ref_count, count(o.id) FROM blobs b LEFT JOIN objects o "
      "ON o.content_hash = b.content_hash AND o.storage_class = b.storage_class "
      "AND o.status = 'COMMITTED' GROUP BY b.content_hash, b.ref_count "
      "HAVING b.ref_count <> count(o.id) OR b.ref_count = 0");
  CHECK(mismatched.empty());
  auto committed = tx.exec("SELECT count(*) FROM objects WHERE status = 'COMMITTED'");
  CHECK(committed[0][0].as<std::size_t>() == live.size());
  CHECK(tx.exec("SELECT count(*) FROM objects WHERE status IN ('WRITING', 'DELETING')")[0][0]
            .as<int>() == 0);

  // Files and rows agree.
  std::set<std::string> rows;
  for (const auto& row : tx.exec("SELECT content_hash FROM blobs WHERE storage_class = 'hot'")) {
    rows.insert(row[0].as<std::string>());
  }
  std::set<std::string> files;
  REQUIRE((*store)->scan(StorageClass::kHot, [&](const std::vector<ContentHash>& batch) -> Status {
    for (const auto& h : batch) {
      files.insert(h.hex());
    }
    return {};
  }));
  CHECK(files == rows);
  CHECK(std::filesystem::is_empty(dir.path() / "hot" / ".tmp"));
}

}  // namespace castor::testing
