// MigrateStorage on the in-memory ports: every filed content is copied and reads back the same,
// content already in the target is not copied again, a damaged source is refused without placing,
// an interrupted run resumes after its cursor, and a second run copies nothing.
#include "application/storage/migrate_storage.h"

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "fakes/fake_clock.h"
#include "fakes/memory_blob_store.h"
#include "fakes/memory_metadata_store.h"
#include "fakes/sequential_ids.h"

namespace castor {
namespace {

using testing::sha256_of;
using namespace std::chrono_literals;

constexpr auto kHot = StorageClass::kHot;
constexpr auto kCold = StorageClass::kCold;

// A BlobStore that forwards to another and runs a hook before each create_temp (1 = the first):
// the hook's error fails that call, and the hook may play what happens concurrently.
class HookedBlobStore final : public BlobStore {
 public:
  explicit HookedBlobStore(BlobStore& inner) : inner_(inner) {}

  std::function<Status(int call)> before_create_temp;

  Result<std::unique_ptr<BlobWriter>> create_temp(StorageClass c, const ObjectId& o) override {
    const int call = ++create_temps_;
    if (before_create_temp) {
      if (auto s = before_create_temp(call); !s) {
        return std::move(s).error();
      }
    }
    return inner_.create_temp(c, o);
  }
  Status place(BlobWriter& w, StorageClass c, const ContentHash& h) override {
    return inner_.place(w, c, h);
  }
  Result<std::unique_ptr<BlobReader>> open(StorageClass c, const ContentHash& h) override {
    return inner_.open(c, h);
  }
  Result<bool> exists(StorageClass c, const ContentHash& h) override { return inner_.exists(c, h); }
  Status remove(StorageClass c, const ContentHash& h) override { return inner_.remove(c, h); }
  Result<std::optional<std::uint64_t>> size_of(StorageClass c, const ContentHash& h) override {
    return inner_.size_of(c, h);
  }
  Result<ContentHash> hash_content(StorageClass c, const ContentHash& h,
                                   const std::function<bool(std::uint64_t)>& pace) override {
    return inner_.hash_content(c, h, pace);
  }
  Result<ContentHash> hash_segments(StorageClass c, std::span<const Segment> s,
                                    const std::function<bool(std::uint64_t)>& pace) override {
    return inner_.hash_segments(c, s, pace);
  }
  Status quarantine(StorageClass c, const ContentHash& h) override {
    return inner_.quarantine(c, h);
  }
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

 private:
  BlobStore& inner_;
  std::atomic<int> create_temps_{0};
};

struct World {
  testing::FakeClock clock;
  testing::SequentialIds ids;
  testing::MemoryMetadataStore metadata;
  testing::MemoryBlobStore source{clock};
  testing::MemoryBlobStore target_files{clock};
  HookedBlobStore target{target_files};
  MigrateStorage migrate{metadata, source, target, ids};

  struct Damage {
    ContentHash hash;
    std::optional<ContentHash> actual;
    std::uint64_t read;
  };
  std::vector<Damage> damage;
  std::vector<MigrateStorage::Progress> reports;

  // A blob row of `storage_class` with a content file holding `content` in the source.
  ContentHash filed(std::string_view content, StorageClass storage_class = kHot) {
    ContentHash hash = source.put_content(storage_class, content);
    metadata.put_blob(Blob(storage_class, hash, content.size(), 1));
    return hash;
  }

  MigrateStorage::Options options(std::size_t page_size = 2, std::size_t parallel = 1) {
    MigrateStorage::Options o;
    o.storage_class = kHot;
    o.cursor = MigrateStorage::cursor_name(kHot, "s3");
    o.page_size = page_size;
    o.parallel = parallel;
    o.on_damage = [this](const Blob& blob, const std::optional<ContentHash>& actual,
                         std::uint64_t read) {
      damage.push_back({blob.hash(), actual, read});
    };
    o.on_progress = [this](const MigrateStorage::Progress& p) { reports.push_back(p); };
    return o;
  }

  std::optional<std::string> cursor() {
    std::optional<std::string> value;
    REQUIRE(metadata.transact([&](MetadataTransaction& tx) -> Status {
      auto v = tx.cursors().get(MigrateStorage::cursor_name(kHot, "s3"));
      if (!v) {
        return std::move(v).error();
      }
      value = *v;
      return {};
    }));
    return value;
  }
};

std::string content_of(int i) { return "content number " + std::to_string(i) + " of the class"; }

TEST_CASE("migrate-storage copies every filed content of the class, verified", "[unit][migrate]") {
  World w;
  std::vector<ContentHash> hashes;
  std::uint64_t bytes = 0;
  for (int i = 0; i < 5; ++i) {
    hashes.push_back(w.filed(content_of(i)));
    bytes += content_of(i).size();
  }
  const ContentHash cold = w.filed("cold content stays where it is", kCold);
  // Small content held by its row only: nothing to copy.
  const ContentHash inline_hash = sha256_of("tiny");
  w.metadata.put_blob(Blob(kHot, inline_hash, 4, 1, /*stored_inline=*/true));

  auto done = w.migrate.run(w.options());
  REQUIRE(done);
  CHECK(done->finished);
  CHECK(done->blobs_done == 6);
  CHECK(done->copied == 5);
  CHECK(done->copied_bytes == bytes);
  CHECK(done->bytes_done == bytes + 4);
  CHECK(done->unfiled == 1);
  CHECK(done->present == 0);
  CHECK(done->damaged == 0);
  CHECK(done->vanished == 0);
  for (int i = 0; i < 5; ++i) {
    CHECK(w.target_files.content(kHot, hashes[i]) == content_of(i));
    CHECK(w.source.content(kHot, hashes[i]) == content_of(i));  // the source keeps its copy
  }
  CHECK(w.target_files.content_count() == 5);
  CHECK_FALSE(w.target_files.has_content(kCold, cold));
  CHECK_FALSE(w.target_files.has_content(kHot, inline_hash));
  CHECK(w.target_files.temp_count() == 0);
  CHECK(w.damage.empty());
  // The end clears the cursor, for the next run to walk every row again.
  CHECK(w.cursor() == std::nullopt);
}

TEST_CASE("migrate-storage with parallel copies copies everything once", "[unit][migrate]") {
  World w;
  std::vector<ContentHash> hashes;
  for (int i = 0; i < 40; ++i) {
    hashes.push_back(w.filed(content_of(i)));
  }
  auto done = w.migrate.run(w.options(/*page_size=*/7, /*parallel=*/4));
  REQUIRE(done);
  CHECK(done->copied == 40);
  CHECK(done->blobs_done == 40);
  CHECK(w.target_files.place_calls() == 40);
  for (int i = 0; i < 40; ++i) {
    CHECK(w.target_files.content(kHot, hashes[i]) == content_of(i));
  }
}

TEST_CASE("migrate-storage skips content the target holds already; a second run copies nothing",
          "[unit][migrate]") {
  World w;
  for (int i = 0; i < 4; ++i) {
    w.filed(content_of(i));
  }
  w.target_files.put_content(kHot, content_of(2));

  auto first = w.migrate.run(w.options());
  REQUIRE(first);
  CHECK(first->copied == 3);
  CHECK(first->present == 1);
  CHECK(w.target_files.place_calls() == 3);

  auto second = w.migrate.run(w.options());
  REQUIRE(second);
  CHECK(second->finished);
  CHECK(second->blobs_done == 4);
  CHECK(second->copied == 0);
  CHECK(second->present == 4);
  CHECK(w.target_files.place_calls() == 3);
  CHECK(w.ids.next() == testing::SequentialIds::nth(4));  // no temporary file started
}

TEST_CASE("migrate-storage replaces a target file of the wrong size", "[unit][migrate]") {
  World w;
  const ContentHash hash = w.filed(content_of(1));
  w.target_files.overwrite_content(kHot, hash, "torn");

  auto done = w.migrate.run(w.options());
  REQUIRE(done);
  CHECK(done->copied == 1);
  CHECK(w.target_files.content(kHot, hash) == content_of(1));
}

TEST_CASE("migrate-storage refuses a damaged source without placing it", "[unit][migrate]") {
  World w;
  const ContentHash good = w.filed(content_of(1));
  // Same size, other bytes: only the hash tells.
  const ContentHash rotten = w.filed(content_of(2));
  std::string flipped = content_of(2);
  flipped[3] = 'X';
  w.source.overwrite_content(kHot, rotten, flipped);
  // Another size: size_of tells, before any copy.
  const ContentHash truncated = w.filed(content_of(3));
  w.source.overwrite_content(kHot, truncated, "short");

  auto done = w.migrate.run(w.options());
  REQUIRE(done);
  CHECK(done->finished);
  CHECK(done->damaged == 2);
  CHECK(done->copied == 1);
  CHECK(w.target_files.has_content(kHot, good));
  CHECK_FALSE(w.target_files.has_content(kHot, rotten));
  CHECK_FALSE(w.target_files.has_content(kHot, truncated));
  CHECK(w.target_files.place_calls() == 1);
  CHECK(w.target_files.temp_count() == 0);  // the refused copy's temporary file is gone
  REQUIRE(w.damage.size() == 2);
  for (const auto& d : w.damage) {
    if (d.hash == rotten) {
      CHECK(d.actual == sha256_of(flipped));
      CHECK(d.read == flipped.size());
    } else {
      CHECK(d.hash == truncated);
      CHECK(d.actual == std::nullopt);
      CHECK(d.read == 5);
    }
  }
}

TEST_CASE("migrate-storage resumes after its cursor when a run fails in the middle",
          "[unit][migrate]") {
  World w;
  std::vector<ContentHash> hashes;
  for (int i = 0; i < 5; ++i) {
    hashes.push_back(w.filed(content_of(i)));
  }
  std::sort(hashes.begin(), hashes.end());
  // The 4th copy fails (page 2's second row, pages of 2): page 1 is walked, page 2 is not.
  w.target.before_create_temp = [](int call) -> Status {
    if (call == 4) {
      return Error{ErrorCode::kUnavailable, "the bucket went away"};
    }
    return {};
  };
  auto failed = w.migrate.run(w.options());
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code == ErrorCode::kUnavailable);
  CHECK(w.cursor() == hashes[1].hex());
  CHECK(w.target_files.has_content(kHot, hashes[2]));  // placed before the failure
  CHECK_FALSE(w.target_files.has_content(kHot, hashes[3]));

  w.target.before_create_temp = nullptr;
  auto resumed = w.migrate.run(w.options());
  REQUIRE(resumed);
  CHECK(resumed->blobs_done == 3);  // rows 3..5: page 1 is not walked again
  CHECK(resumed->present == 1);
  CHECK(resumed->copied == 2);
  for (const ContentHash& h : hashes) {
    CHECK(w.target_files.has_content(kHot, h));
  }
  CHECK(w.cursor() == std::nullopt);

  SECTION("--restart walks from the first row") {
    REQUIRE(w.metadata.transact([&](MetadataTransaction& tx) {
      return tx.cursors().set(MigrateStorage::cursor_name(kHot, "s3"), hashes[3].hex());
    }));
    auto options = w.options();
    options.restart = true;
    auto again = w.migrate.run(options);
    REQUIRE(again);
    CHECK(again->blobs_done == 5);
    CHECK(again->present == 5);
  }
}

TEST_CASE("migrate-storage does not place content whose row was deleted during the copy",
          "[unit][migrate]") {
  World w;
  const ContentHash gone = w.filed(content_of(1));
  // The collector deletes the row (and the source file) while the copy runs.
  w.target.before_create_temp = [&](int) -> Status {
    w.metadata.erase_blob(kHot, gone);
    return {};
  };
  auto done = w.migrate.run(w.options());
  REQUIRE(done);
  CHECK(done->vanished == 1);
  CHECK(done->copied == 0);
  CHECK_FALSE(w.target_files.has_content(kHot, gone));
  CHECK(w.target_files.temp_count() == 0);
}

TEST_CASE("migrate-storage waits for the content lock and fails when it cannot take it",
          "[unit][migrate]") {
  World w;
  const ContentHash hash = w.filed(content_of(1));
  w.metadata.hold_content_lock(kHot, hash);
  auto failed = w.migrate.run(w.options());
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code == ErrorCode::kAborted);
  CHECK_FALSE(w.target_files.has_content(kHot, hash));
  w.metadata.release_content_lock(kHot, hash);
  REQUIRE(w.migrate.run(w.options()));
  CHECK(w.target_files.has_content(kHot, hash));
}

TEST_CASE("migrate-storage reports progress at most once per interval, and totals",
          "[unit][migrate]") {
  World w;
  for (int i = 0; i < 6; ++i) {
    w.filed(content_of(i));
  }
  auto options = w.options(/*page_size=*/4);
  options.count = [](StorageClass,
                     const std::optional<ContentHash>& after) -> Result<MigrateStorage::Totals> {
    CHECK(after == std::nullopt);
    return MigrateStorage::Totals{.blobs = 6, .bytes = 1234};
  };

  SECTION("a clock that does not move: one report, the final one") {
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    options.now = [t0] { return t0; };
    auto done = w.migrate.run(options);
    REQUIRE(done);
    REQUIRE(w.reports.size() == 1);
    CHECK(w.reports[0].finished);
    CHECK(w.reports[0].copied == 6);
    REQUIRE(w.reports[0].total);
    CHECK(w.reports[0].total->blobs == 6);
    CHECK(w.reports[0].total->bytes == 1234);
  }
  SECTION("a clock that moves 600 ms per reading: a report every other row") {
    auto t = std::make_shared<std::chrono::steady_clock::time_point>();
    options.now = [t] { return *t += 600ms; };
    auto done = w.migrate.run(options);
    REQUIRE(done);
    // Readings: the start (0.6 s), then one per row (1.2 .. 4.2 s), then the final (4.8 s).
    REQUIRE(w.reports.size() == 4);
    CHECK(w.reports[0].blobs_done == 2);
    CHECK(w.reports[1].blobs_done == 4);
    CHECK(w.reports[2].blobs_done == 6);
    CHECK_FALSE(w.reports[2].finished);
    CHECK(w.reports[3].finished);
    CHECK(w.reports[3].elapsed == 4200ms);
  }
}

TEST_CASE("migrate-storage refuses a cursor that is not a content hash", "[unit][migrate]") {
  World w;
  w.filed(content_of(1));
  REQUIRE(w.metadata.transact([&](MetadataTransaction& tx) {
    return tx.cursors().set(MigrateStorage::cursor_name(kHot, "s3"), "garbage");
  }));
  auto failed = w.migrate.run(w.options());
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code == ErrorCode::kFailedPrecondition);
  auto options = w.options();
  options.restart = true;
  REQUIRE(w.migrate.run(options));
}

}  // namespace
}  // namespace castor
