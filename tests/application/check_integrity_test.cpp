#include "application/check_integrity.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "application/collect_garbage.h"
#include "application/delete_object.h"
#include "fakes/fake_store.h"

namespace castor {
namespace {

using Kind = CheckIntegrity::Finding::Kind;
constexpr StorageClass kHot = StorageClass::kHot;

const Namespace kNs = *Namespace::parse("ns");
const TenantId kTenant = *TenantId::parse("t1");

struct World : testing::FakeStore {
  DeleteObject deletes{metadata, clock};
  CheckIntegrity fsck{metadata, blobs};

  Object put(std::string_view content) { return FakeStore::put(kNs, kTenant, "", content); }

  struct Run {
    CheckIntegrity::Report report;
    std::vector<CheckIntegrity::Finding> findings;
  };
  Run check(bool repair) {
    Run run;
    auto report =
        fsck.run(repair, [&](const CheckIntegrity::Finding& f) { run.findings.push_back(f); });
    REQUIRE(report);
    run.report = *report;
    return run;
  }
};

}  // namespace

TEST_CASE("fsck of a consistent store finds nothing", "[unit]") {
  World w;
  const Object a = w.put("shared");
  w.put("shared");
  const Object b = w.put("deleted later");
  w.put("kept");
  REQUIRE(w.deletes.by_id(kTenant, b.id()));  // DELETING: holds no reference any more
  const auto run = w.check(false);
  CHECK(run.findings.empty());
  CHECK(run.report.blobs == 3);
  CHECK(run.report.files == 3);
  CHECK(run.report.unresolved() == 0);
}

TEST_CASE("fsck reports a referenced content file that is missing, naming its objects", "[unit]") {
  World w;
  const Object a = w.put("lost");
  const Object b = w.put("lost");
  REQUIRE(w.blobs.remove(kHot, *a.content_hash()));
  const auto run = w.check(/*repair=*/true);
  CHECK(run.report.missing == 1);
  CHECK(run.report.repaired == 0);  // nothing can repair lost content
  CHECK(run.report.unresolved() == 1);
  REQUIRE(run.findings.size() == 1);
  const auto& f = run.findings[0];
  CHECK(f.kind == Kind::kMissing);
  CHECK(f.hash == *a.content_hash());
  CHECK(f.expected_size == 4);
  CHECK(f.live_refs == 2);
  CHECK(f.objects == std::vector<ObjectId>{a.id(), b.id()});
  CHECK_FALSE(f.repaired);
}

TEST_CASE("fsck reports a content file of the wrong size", "[unit]") {
  World w;
  const Object a = w.put("twelve bytes");
  w.blobs.overwrite_content(kHot, *a.content_hash(), "short");
  const auto run = w.check(false);
  CHECK(run.report.size_mismatch == 1);
  REQUIRE(run.findings.size() == 1);
  CHECK(run.findings[0].kind == Kind::kSizeMismatch);
  CHECK(run.findings[0].expected_size == 12);
  CHECK(run.findings[0].actual_size == 5);
  CHECK(run.findings[0].objects == std::vector<ObjectId>{a.id()});
}

TEST_CASE("a missing file of an unreferenced blob is not data loss", "[unit]") {
  World w;
  const Object a = w.put("garbage");
  REQUIRE(w.deletes.by_id(kTenant, a.id()));
  REQUIRE(w.blobs.remove(kHot, *a.content_hash()));  // a collection rolled back after the unlink
  CHECK(w.check(false).findings.empty());
}

TEST_CASE("fsck reports orphan files and --repair removes them", "[unit]") {
  World w;
  w.put("kept");
  const ContentHash orphan = w.blobs.put_content(kHot, "left by a crash");
  const ContentHash placing = w.blobs.put_content(kHot, "an upload is placing this");
  w.metadata.hold_content_lock(kHot, placing);

  const auto check = w.check(false);
  CHECK(check.report.orphans == 1);
  CHECK(check.report.files == 3);
  REQUIRE(check.findings.size() == 1);
  CHECK(check.findings[0].kind == Kind::kOrphan);
  CHECK(check.findings[0].hash == orphan);
  CHECK(w.blobs.has_content(kHot, orphan));  // only reported

  const auto repair = w.check(true);
  CHECK(repair.report.orphans == 1);
  CHECK(repair.report.repaired == 1);
  CHECK(repair.report.unresolved() == 0);
  CHECK(repair.findings[0].repaired);
  CHECK_FALSE(w.blobs.has_content(kHot, orphan));
  CHECK(w.blobs.has_content(kHot, placing));
  CHECK(w.check(false).report.orphans == 0);
}

TEST_CASE("fsck corrects ref counts that are too high or too low", "[unit]") {
  World w;
  const Object a = w.put("counted");
  w.put("counted");
  const Object b = w.put("undercounted");
  w.metadata.put_blob(Blob(kHot, *a.content_hash(), 7, 5));
  w.metadata.put_blob(Blob(kHot, *b.content_hash(), 12, 0));

  const auto check = w.check(false);
  CHECK(check.report.refcount_mismatch == 2);
  CHECK(check.report.unresolved() == 2);

  const auto repair = w.check(true);
  CHECK(repair.report.refcount_mismatch == 2);
  CHECK(repair.report.repaired == 2);
  CHECK(w.metadata.blob(kHot, *a.content_hash())->ref_count() == 2);
  CHECK(w.metadata.blob(kHot, *b.content_hash())->ref_count() == 1);
  CHECK(w.check(false).findings.empty());
  // The blob that was at zero is no longer garbage: the collector keeps its content.
  CollectGarbage gc(w.metadata, w.blobs, w.clock, std::chrono::seconds(3600));
  w.clock.advance(std::chrono::seconds(1));
  REQUIRE(gc.run_once());
  CHECK(w.blobs.has_content(kHot, *b.content_hash()));
}

TEST_CASE("fsck restores the row of content that objects use without one", "[unit]") {
  World w;
  const Object a = w.put("row lost");
  w.metadata.erase_blob(kHot, *a.content_hash());

  const auto check = w.check(false);
  CHECK(check.report.refcount_mismatch == 1);
  CHECK(check.report.orphans == 0);  // its file is used, so it is no orphan
  REQUIRE(check.findings.size() == 1);
  CHECK_FALSE(check.findings[0].has_row);
  CHECK(check.findings[0].live_refs == 1);

  const auto repair = w.check(true);
  CHECK(repair.report.repaired == 1);
  const auto blob = w.metadata.blob(kHot, *a.content_hash());
  REQUIRE(blob);
  CHECK(blob->ref_count() == 1);
  CHECK(blob->size_bytes() == 8);
  CHECK(w.blobs.has_content(kHot, *a.content_hash()));
  CHECK(w.check(false).findings.empty());
}

TEST_CASE("fsck reports content used without a row and without a file as lost", "[unit]") {
  World w;
  const Object a = w.put("all gone");
  w.metadata.erase_blob(kHot, *a.content_hash());
  REQUIRE(w.blobs.remove(kHot, *a.content_hash()));
  const auto run = w.check(true);
  CHECK(run.report.refcount_mismatch == 1);
  CHECK(run.report.missing == 1);
  CHECK(run.report.repaired == 0);
  CHECK(run.report.unresolved() == 2);
  CHECK_FALSE(w.metadata.blob(kHot, *a.content_hash()));
}

TEST_CASE("fsck returns the error of a failing dependency", "[unit]") {
  World w;
  w.put("x");
  w.metadata.fail_next(1, {ErrorCode::kUnavailable, "down"});
  auto report = w.fsck.run(false, {});
  REQUIRE_FALSE(report);
  CHECK(report.error().code == ErrorCode::kUnavailable);
}

}  // namespace castor
