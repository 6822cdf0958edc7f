#include "application/collect_garbage.h"

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "application/delete_object.h"
#include "application/download_object.h"
#include "application/upload_object.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_blob_store.h"
#include "fakes/memory_metadata_store.h"
#include "fakes/sequential_ids.h"

namespace castor {
namespace {

using std::chrono::seconds;
using testing::MemoryMetadataStore;

constexpr seconds kTimeout{3600};
constexpr StorageClass kHot = StorageClass::kHot;

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

const Namespace kNs = *Namespace::parse("ns");
const TenantId kTenant = *TenantId::parse("t1");

UploadObject::Request request(std::optional<ObjectKey> key, StorageClass storage_class = kHot) {
  return {.ns = kNs,
          .tenant = kTenant,
          .key = std::move(key),
          .storage_class = storage_class,
          .content_type = {},
          .expected_hash = {}};
}

struct World {
  testing::FakeClock clock;
  testing::SequentialIds ids;
  MemoryMetadataStore metadata;
  testing::MemoryBlobStore blobs{clock};
  UploadObject uploads{metadata, blobs, clock, ids, 1 << 20};
  DeleteObject deletes{metadata, clock};
  CollectGarbage gc{metadata, blobs, clock, kTimeout};

  Object put(std::string_view content, StorageClass storage_class = kHot) {
    auto upload = uploads.begin(request(std::nullopt, storage_class), std::nullopt);
    REQUIRE(upload);
    REQUIRE((*upload)->write(bytes_of(content)));
    auto object = uploads.commit(**upload);
    REQUIRE(object);
    return *object;
  }

  void remove(const Object& o) { REQUIRE(deletes.by_id(kTenant, o.id())); }

  // One cycle, a second after the last change (the collector takes rows updated before "now").
  CollectGarbage::Report run() {
    clock.advance(seconds(1));
    auto report = gc.run_once();
    REQUIRE(report);
    return *report;
  }

  ObjectStatus status(const Object& o) { return metadata.object(o.id())->status(); }
};

}  // namespace

TEST_CASE("a cycle with nothing to collect does nothing", "[unit]") {
  World w;
  const Object o = w.put("live");
  const auto report = w.run();
  CHECK(report.tombstoned_objects == 0);
  CHECK(report.expired_writing_objects == 0);
  CHECK(report.removed_temp_files == 0);
  CHECK(report.deleted_blobs == 0);
  CHECK(report.reclaimed_bytes == 0);
  CHECK(report.removed_orphan_files == 0);
  CHECK(w.status(o) == ObjectStatus::kCommitted);
  CHECK(w.blobs.has_content(kHot, *o.content_hash()));
}

TEST_CASE("the collector tombstones deleted objects and removes their unreferenced blobs",
          "[unit]") {
  World w;
  const Object gone = w.put("gone content");
  const Object kept = w.put("kept");
  w.remove(gone);
  const auto report = w.run();
  CHECK(report.tombstoned_objects == 1);
  CHECK(report.deleted_blobs == 1);
  CHECK(report.reclaimed_bytes == 12);
  CHECK(w.status(gone) == ObjectStatus::kDeleted);
  CHECK_FALSE(w.metadata.blob(kHot, *gone.content_hash()));
  CHECK_FALSE(w.blobs.has_content(kHot, *gone.content_hash()));
  CHECK(w.status(kept) == ObjectStatus::kCommitted);
  CHECK(w.metadata.blob(kHot, *kept.content_hash())->ref_count() == 1);
  CHECK(w.blobs.has_content(kHot, *kept.content_hash()));
  // Nothing left for the next cycle.
  const auto again = w.run();
  CHECK(again.tombstoned_objects == 0);
  CHECK(again.deleted_blobs == 0);
}

TEST_CASE("shared content survives until its last object is deleted", "[unit]") {
  World w;
  const Object a = w.put("shared");
  const Object b = w.put("shared");
  const ContentHash hash = *a.content_hash();
  w.remove(a);
  CHECK(w.run().deleted_blobs == 0);
  CHECK(w.blobs.has_content(kHot, hash));
  CHECK(w.metadata.blob(kHot, hash)->ref_count() == 1);
  DownloadObject downloads(w.metadata, w.blobs);
  CHECK(downloads.by_id(kTenant, b.id(), true));

  w.remove(b);
  CHECK(w.run().deleted_blobs == 1);
  CHECK_FALSE(w.blobs.has_content(kHot, hash));
  CHECK(w.metadata.blobs().empty());
}

TEST_CASE("content re-referenced before the collector runs is kept", "[unit]") {
  World w;
  const Object a = w.put("again");
  w.remove(a);
  const Object b = w.put("again");  // ref_count 0 -> 1; the file already there is reused
  CHECK(w.run().deleted_blobs == 0);
  CHECK(w.blobs.content(kHot, *b.content_hash()) == "again");
  CHECK(w.metadata.blob(kHot, *b.content_hash())->ref_count() == 1);
}

TEST_CASE("an unreferenced blob whose content lock is held is left for a later cycle", "[unit]") {
  World w;
  const Object o = w.put("busy");
  w.remove(o);
  w.metadata.hold_content_lock(kHot, *o.content_hash());
  CHECK(w.run().deleted_blobs == 0);
  CHECK(w.blobs.has_content(kHot, *o.content_hash()));
  CHECK(w.metadata.blob(kHot, *o.content_hash()));
  w.metadata.release_content_lock(kHot, *o.content_hash());
  CHECK(w.run().deleted_blobs == 1);
  CHECK_FALSE(w.blobs.has_content(kHot, *o.content_hash()));
}

TEST_CASE("the collector works through more than one batch per cycle", "[unit]") {
  World w;
  const std::size_t n = CollectGarbage::kBatchSize + 44;
  for (std::size_t i = 0; i < n; ++i) {
    w.remove(w.put("object " + std::to_string(i)));
  }
  const auto report = w.run();
  CHECK(report.tombstoned_objects == n);
  CHECK(report.deleted_blobs == n);
  CHECK(w.blobs.content_count() == 0);
  CHECK(w.metadata.blobs().empty());
}

TEST_CASE("the collector expires WRITING objects older than the timeout", "[unit]") {
  World w;
  auto old_upload = w.uploads.begin(request(*ObjectKey::parse("old")), std::nullopt);
  REQUIRE(old_upload);
  REQUIRE((*old_upload)->write(bytes_of("stalled")));
  w.clock.advance(kTimeout - seconds(10));
  auto young_upload = w.uploads.begin(request(*ObjectKey::parse("young")), std::nullopt);
  REQUIRE(young_upload);
  const ObjectId old_id = (*old_upload)->object().id();
  const ObjectId young_id = (*young_upload)->object().id();

  CHECK(w.run().expired_writing_objects == 0);  // the old one is kTimeout - 9 s old
  w.clock.advance(seconds(10));
  const auto report = w.run();
  CHECK(report.expired_writing_objects == 1);
  CHECK(report.removed_temp_files == 0);  // its temporary file went with its row
  CHECK_FALSE(w.metadata.object(old_id));
  CHECK_FALSE(w.blobs.has_temp(old_id));
  CHECK(w.metadata.object(young_id)->status() == ObjectStatus::kWriting);
  CHECK(w.blobs.has_temp(young_id));

  // The key is free again, and the stalled upload can no longer commit.
  auto commit = w.uploads.commit(**old_upload);
  REQUIRE_FALSE(commit);
  CHECK(commit.error().code == ErrorCode::kAborted);
  CHECK(w.blobs.content_count() == 0);
  CHECK(w.metadata.blobs().empty());
  auto other = w.uploads.begin(request(*ObjectKey::parse("old")), std::nullopt);
  CHECK(other);
  // The young one still commits.
  REQUIRE((*young_upload)->write(bytes_of("fresh")));
  CHECK(w.uploads.commit(**young_upload));
}

TEST_CASE("the collector removes stale temporary files without rows", "[unit]") {
  World w;
  const ObjectId stale = testing::SequentialIds::nth(1000);
  const ObjectId fresh = testing::SequentialIds::nth(1001);
  w.blobs.put_temp(StorageClass::kCold, stale, "left by a crash");
  w.clock.advance(kTimeout);
  w.blobs.put_temp(kHot, fresh, "being written");
  const auto report = w.run();
  CHECK(report.removed_temp_files == 1);
  CHECK_FALSE(w.blobs.has_temp(stale));
  CHECK(w.blobs.has_temp(fresh));
}

TEST_CASE("the collector removes content files that have no blob row", "[unit]") {
  World w;
  const Object o = w.put("referenced");
  const ContentHash hot_orphan = w.blobs.put_content(kHot, "orphan");
  const ContentHash cold_orphan = w.blobs.put_content(StorageClass::kCold, "referenced");
  const ContentHash locked = w.blobs.put_content(kHot, "being placed");
  w.metadata.hold_content_lock(kHot, locked);

  const auto report = w.run();
  CHECK(report.removed_orphan_files == 2);
  CHECK_FALSE(w.blobs.has_content(kHot, hot_orphan));
  CHECK_FALSE(w.blobs.has_content(StorageClass::kCold, cold_orphan));
  CHECK(w.blobs.has_content(kHot, *o.content_hash()));
  CHECK(w.blobs.has_content(kHot, locked));  // an upload holds its lock: not an orphan yet
}

TEST_CASE("the collector cleans up after an upload whose COMMIT failed", "[unit]") {
  World w;
  w.metadata.fail_next(2, {ErrorCode::kUnavailable, "connection lost"},
                       MemoryMetadataStore::FailAt::kCommit);
  auto upload = w.uploads.begin(request(std::nullopt), std::nullopt);
  REQUIRE(upload);
  REQUIRE((*upload)->write(bytes_of("renamed, never committed")));
  REQUIRE_FALSE(w.uploads.commit(**upload));
  CHECK(w.blobs.content_count() == 1);
  CHECK(w.run().removed_orphan_files == 1);
  CHECK(w.blobs.content_count() == 0);
  CHECK(w.metadata.objects().empty());
}

TEST_CASE("a database error fails the cycle, after the other steps ran", "[unit]") {
  World w;
  const Object o = w.put("x");
  w.remove(o);
  w.metadata.fail_next(1, {ErrorCode::kUnavailable, "down"});  // the tombstoning step
  w.clock.advance(seconds(1));
  auto report = w.gc.run_once();
  REQUIRE_FALSE(report);
  CHECK(report.error().code == ErrorCode::kUnavailable);
  CHECK(w.metadata.blobs().empty());  // the blob step still ran
  CHECK(w.status(o) == ObjectStatus::kDeleting);
  CHECK(w.run().tombstoned_objects == 1);
}

TEST_CASE("a content file that cannot be removed is counted and skipped, every cycle", "[unit]") {
  World w;
  std::vector<Object> objects;
  for (const char* content : {"a", "b", "c"}) {
    objects.push_back(w.put(content));
    w.remove(objects.back());
  }
  const ContentHash stuck = *objects[1].content_hash();
  w.blobs.fail_remove_of(kHot, stuck, internal_error("EACCES"));
  const auto first = w.run();
  CHECK(first.deleted_blobs == 2);
  CHECK(first.failed_items == 1);
  REQUIRE(first.failures.size() == 1);
  CHECK(first.failures[0] == "content file " + stuck.hex() + ": EACCES");
  CHECK(first.tombstoned_objects == 3);
  CHECK(w.metadata.blob(kHot, stuck));  // the row stays for a later cycle
  // Later cycles are not blocked by it: new garbage is collected, the stuck item retried.
  w.remove(w.put("d"));
  const auto second = w.run();
  CHECK(second.deleted_blobs == 1);
  CHECK(second.failed_items == 1);
  CHECK(w.metadata.blobs().size() == 1);
}

TEST_CASE("more stuck blobs than a batch do not hide the garbage after them", "[unit]") {
  World w;
  std::vector<ContentHash> hashes;
  for (std::size_t i = 0; i < CollectGarbage::kBatchSize + 10; ++i) {
    const Object o = w.put("object " + std::to_string(i));
    w.remove(o);
    hashes.push_back(*o.content_hash());
  }
  std::sort(hashes.begin(), hashes.end());
  // The first kBatchSize in address order cannot be removed.
  for (std::size_t i = 0; i < CollectGarbage::kBatchSize; ++i) {
    w.blobs.fail_remove_of(kHot, hashes[i], internal_error("EACCES"));
  }
  const auto report = w.run();
  CHECK(report.failed_items == CollectGarbage::kBatchSize);
  CHECK(report.failures.size() == CollectGarbage::kMaxFailuresKept);
  CHECK(report.deleted_blobs == 10);
}

TEST_CASE("a temporary file that cannot be removed is counted and skipped", "[unit]") {
  World w;
  auto stuck = w.uploads.begin(request(*ObjectKey::parse("stuck")), std::nullopt);
  auto other = w.uploads.begin(request(*ObjectKey::parse("other")), std::nullopt);
  REQUIRE(stuck);
  REQUIRE(other);
  const ObjectId stuck_id = (*stuck)->object().id();
  const ObjectId other_id = (*other)->object().id();
  w.blobs.fail_remove_temp_of(stuck_id, internal_error("EISDIR"));
  w.clock.advance(kTimeout + seconds(1));
  const auto report = w.run();
  CHECK(report.expired_writing_objects == 1);
  CHECK(report.failed_items == 1);
  CHECK_FALSE(w.metadata.object(other_id));
  CHECK(w.metadata.object(stuck_id));  // its row stays, so a later cycle retries
  CHECK(w.run().failed_items == 1);
}

TEST_CASE("tombstones are purged after the retention", "[unit]") {
  testing::FakeClock clock;
  testing::SequentialIds ids;
  MemoryMetadataStore metadata;
  testing::MemoryBlobStore blobs{clock};
  UploadObject uploads{metadata, blobs, clock, ids, 1 << 20};
  DeleteObject deletes{metadata, clock};
  CollectGarbage gc{metadata, blobs, clock, kTimeout, seconds(100)};
  auto upload = uploads.begin(request(std::nullopt), std::nullopt);
  REQUIRE(upload);
  REQUIRE((*upload)->write(bytes_of("soon gone")));
  auto o = uploads.commit(**upload);
  REQUIRE(o);
  REQUIRE(deletes.by_id(kTenant, o->id()));
  clock.advance(seconds(1));
  auto first = gc.run_once();
  REQUIRE(first);
  CHECK(first->tombstoned_objects == 1);
  CHECK(first->purged_tombstones == 0);
  CHECK(metadata.object(o->id())->status() == ObjectStatus::kDeleted);
  clock.advance(seconds(99));  // 99 s after the tombstone: kept
  CHECK(gc.run_once()->purged_tombstones == 0);
  CHECK(metadata.object(o->id()));
  clock.advance(seconds(2));
  CHECK(gc.run_once()->purged_tombstones == 1);
  CHECK_FALSE(metadata.object(o->id()));
}

TEST_CASE("content that committed objects use is never an orphan, even without a blob row",
          "[unit]") {
  World w;
  const Object o = w.put("its row was lost");
  w.metadata.erase_blob(kHot, *o.content_hash());
  CHECK(w.run().removed_orphan_files == 0);
  CHECK(w.blobs.has_content(kHot, *o.content_hash()));
}

}  // namespace castor
