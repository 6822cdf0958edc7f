#include "application/scrub_content.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "application/collect_garbage.h"
#include "application/delete_object.h"
#include "application/download_object.h"
#include "fakes/fake_store.h"

namespace castor {
namespace {

using std::chrono::seconds;
constexpr StorageClass kHot = StorageClass::kHot;

const Namespace kNs = *Namespace::parse("ns");
const TenantId kTenant = *TenantId::parse("t1");

struct World : testing::FakeStore {
  DeleteObject deletes{metadata, clock};
  DownloadObject downloads{metadata, blobs};
  ScrubContent scrub{metadata, blobs, clock};
  std::vector<ScrubContent::Damage> damages;
  ScrubContent::Hooks hooks{
      {}, {}, [this](const ScrubContent::Damage& d) { damages.push_back(d); }};

  Object put(std::string_view content) { return FakeStore::put(kNs, kTenant, "", content); }

  // A full pass a second from now: every blob is due.
  ScrubContent::Report pass() {
    clock.advance(seconds(1));
    auto report = scrub.run_pass(clock.now(), hooks);
    REQUIRE(report);
    return *report;
  }
};

}  // namespace

TEST_CASE("the scrubber verifies intact content and records when", "[unit]") {
  World w;
  const Object a = w.put("one");
  w.put("two");
  w.put("two");
  const auto report = w.pass();
  CHECK(report.complete);
  CHECK(report.verified_blobs == 2);
  CHECK(report.verified_bytes == 6);
  CHECK(report.damaged_blobs == 0);
  CHECK(w.metadata.verification(kHot, *a.content_hash()).verified_at == w.clock.now());
  // Verified since the pass began: nothing is due again for that pass.
  auto again = w.scrub.run_pass(w.clock.now(), w.hooks);
  REQUIRE(again);
  CHECK(again->verified_blobs == 0);
}

TEST_CASE("a flipped bit is found, counted once, quarantined and answers data loss", "[unit]") {
  World w;
  const Object a = w.put("precious bytes");
  const Object b = w.put("precious bytes");
  const Object c = w.put("untouched");
  std::string rotten = "precious bytes";
  rotten[3] ^= 0x10;
  w.blobs.overwrite_content(kHot, *a.content_hash(), rotten);

  const auto report = w.pass();
  CHECK(report.damaged_blobs == 1);
  CHECK(report.newly_damaged == 1);
  CHECK(report.verified_blobs == 1);
  REQUIRE(w.damages.size() == 1);
  CHECK(w.damages[0].hash == *a.content_hash());
  CHECK(w.damages[0].reason == "content does not match its hash");
  CHECK(w.damages[0].objects == std::vector<ObjectId>{a.id(), b.id()});
  CHECK(w.damages[0].newly_found);
  CHECK(w.blobs.quarantined_count() == 1);
  CHECK(w.metadata.verification(kHot, *a.content_hash()).damaged_at);

  // The wrong bytes are never served.
  auto download = w.downloads.by_id(kTenant, a.id(), /*want_content=*/true);
  REQUIRE_FALSE(download);
  CHECK(download.error().code == ErrorCode::kDataLoss);
  CHECK(w.downloads.by_id(kTenant, c.id(), true));

  // The next pass still reports it, but not as new.
  const auto next = w.pass();
  CHECK(next.damaged_blobs == 1);
  CHECK(next.newly_damaged == 0);
  CHECK(w.damages.back().reason == "content file is missing");

  // An upload of the same content puts a good copy back; the next pass clears the mark.
  w.put("precious bytes");
  const auto healed = w.pass();
  CHECK(healed.damaged_blobs == 0);
  CHECK_FALSE(w.metadata.verification(kHot, *a.content_hash()).damaged_at);
  CHECK(w.downloads.by_id(kTenant, a.id(), true));
}

TEST_CASE("the scrubber reads without the content lock", "[unit]") {
  World w;
  const Object a = w.put("being re-uploaded right now");
  w.metadata.hold_content_lock(kHot, *a.content_hash());  // lock_content would fail (Aborted)
  const auto report = w.pass();
  CHECK(report.verified_blobs == 1);
}

TEST_CASE("content the collector deletes during the read is not reported", "[unit]") {
  World w;
  const Object a = w.put("deleted while scrubbed");
  w.blobs.overwrite_content(kHot, *a.content_hash(), "deleted while scrubbeX");
  CollectGarbage gc(w.metadata, w.blobs, w.clock, seconds(3600));
  w.blobs.on_next_hash([&] {
    REQUIRE(w.deletes.by_id(kTenant, a.id()));
    w.clock.advance(seconds(1));
    REQUIRE(gc.run_once()->deleted_blobs == 1);
  });
  const auto report = w.pass();
  CHECK(report.damaged_blobs == 0);
  CHECK(w.damages.empty());
  CHECK(w.blobs.quarantined_count() == 0);
}

TEST_CASE("content an upload repairs during the read is not reported", "[unit]") {
  World w;
  const Object a = w.put("repaired while scrubbed");
  w.blobs.overwrite_content(kHot, *a.content_hash(), "truncated");
  // The dedup hit finds the stored copy of the wrong size and replaces it.
  w.blobs.on_next_hash([&] { w.put("repaired while scrubbed"); });
  const auto report = w.pass();
  CHECK(report.damaged_blobs == 0);
  CHECK(report.verified_blobs == 1);
  CHECK(w.blobs.quarantined_count() == 0);
  CHECK(*w.blobs.content(kHot, *a.content_hash()) == "repaired while scrubbed");
}

TEST_CASE("a pass stops when pacing says so", "[unit]") {
  World w;
  w.put("a");
  w.put("b");
  int reads = 0;
  w.hooks.pace = [&](std::uint64_t) { return ++reads < 2; };
  const auto report = w.pass();
  CHECK_FALSE(report.complete);
  CHECK(report.verified_blobs == 1);
}

}  // namespace castor
