// fsck, the scrubber and the tombstone purge on a real database and storage root, through the use
// cases: the SQL of the audit, verification and purge statements, and the files they act on.
#include <fstream>
#include <string>
#include <vector>

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

namespace fs = std::filesystem;
constexpr StorageClass kHot = StorageClass::kHot;
const TenantId kTenant = *TenantId::parse("t");

struct Stack : PgFixture {
  Object put(const std::string& content) {
    auto up = upload.begin({.ns = *Namespace::parse("ns"),
                            .tenant = kTenant,
                            .key = std::nullopt,
                            .storage_class = kHot,
                            .content_type = {},
                            .expected_hash = {}},
                           content.size());
    REQUIRE(up);
    REQUIRE((*up)->write(std::as_bytes(std::span(content.data(), content.size()))));
    auto o = upload.commit(**up);
    REQUIRE(o);
    return *o;
  }

  void sql(const std::string& statement) {
    pqxx::connection conn(db.url());
    pqxx::work tx(conn);
    tx.exec(statement);
    tx.commit();
  }

  TempDir dir;
  std::unique_ptr<FsBlobStore> files = make_fs_blob_store(dir);
  PgMetadataStore& metadata = *PgFixture::store;
  SystemClock clock;
  RandomIdGenerator ids;
  UploadObject upload{metadata, *files, clock, ids, 1 << 20};
  DownloadObject download{metadata, *files};
  DeleteObject remove{metadata, clock};
};

}  // namespace

TEST_CASE("a flipped bit is found by the scrubber and the object answers data loss", "[pg]") {
  Stack s;
  const Object a = s.put("a stored file that will rot");
  const Object b = s.put("a stored file that stays intact");
  const fs::path file = s.files->content_path(kHot, *a.content_hash());
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(5);
    const char c = static_cast<char>(f.get());
    f.seekp(5);
    f.put(static_cast<char>(c ^ 0x01));
  }
  ScrubContent scrub(s.metadata, *s.files, s.clock);
  std::vector<ScrubContent::Damage> damages;
  const ScrubContent::Hooks hooks{
      {}, {}, [&](const ScrubContent::Damage& d) { damages.push_back(d); }};
  auto report = scrub.run_pass(s.clock.now(), hooks);
  REQUIRE(report);
  CHECK(report->complete);
  CHECK(report->verified_blobs == 1);
  CHECK(report->newly_damaged == 1);
  REQUIRE(damages.size() == 1);
  CHECK(damages[0].hash == *a.content_hash());
  CHECK(damages[0].objects == std::vector<ObjectId>{a.id()});

  auto got = s.download.by_id(kTenant, a.id(), true);
  REQUIRE_FALSE(got);
  CHECK(got.error().code == ErrorCode::kDataLoss);
  CHECK(s.download.by_id(kTenant, b.id(), true));

  pqxx::connection conn(s.db.url());
  pqxx::work tx(conn);
  CHECK(tx.exec("SELECT count(*) FROM blobs WHERE damaged_at IS NOT NULL")[0][0].as<int>() == 1);
  CHECK(tx.exec("SELECT count(*) FROM blobs WHERE verified_at IS NOT NULL")[0][0].as<int>() == 2);
  tx.commit();

  // The next pass does not count it again.
  auto again = scrub.run_pass(s.clock.now(), hooks);
  REQUIRE(again);
  CHECK(again->damaged_blobs == 1);
  CHECK(again->newly_damaged == 0);
}

TEST_CASE("fsck finds and repairs what the database and the files disagree on", "[pg]") {
  Stack s;
  const Object shared = s.put("shared content");
  s.put("shared content");
  const Object lost = s.put("content that will be lost");
  const Object miscounted = s.put("miscounted content");
  fs::remove(s.files->content_path(kHot, *lost.content_hash()));
  s.sql("UPDATE blobs SET ref_count = 9 WHERE content_hash = '" + miscounted.content_hash()->hex() +
        "'");
  // An orphan: a content file with no row (what a crash between rename and commit leaves).
  auto w = s.files->create_temp(kHot, s.ids.next());
  REQUIRE(w);
  REQUIRE((*w)->write(std::as_bytes(std::span("orphan", 6))));
  auto orphan = (*w)->finish();
  REQUIRE(orphan);
  REQUIRE(s.files->place(**w, kHot, *orphan));

  CheckIntegrity fsck(s.metadata, *s.files);
  std::vector<CheckIntegrity::Finding> findings;
  auto report = fsck.run(false, [&](const CheckIntegrity::Finding& f) { findings.push_back(f); });
  REQUIRE(report);
  CHECK(report->blobs == 3);
  CHECK(report->files == 3);
  CHECK(report->missing == 1);
  CHECK(report->orphans == 1);
  CHECK(report->refcount_mismatch == 1);
  CHECK(report->unresolved() == 3);

  auto repaired = fsck.run(true, {});
  REQUIRE(repaired);
  CHECK(repaired->repaired == 2);
  CHECK(repaired->unresolved() == 1);  // the lost content stays reported
  CHECK_FALSE(fs::exists(s.files->content_path(kHot, *orphan)));
  auto after = fsck.run(false, {});
  REQUIRE(after);
  CHECK(after->orphans == 0);
  CHECK(after->refcount_mismatch == 0);
  CHECK(after->missing == 1);
  CHECK(fs::exists(s.files->content_path(kHot, *shared.content_hash())));
}

TEST_CASE("the collector purges tombstones past their retention", "[pg]") {
  Stack s;
  const Object gone = s.put("deleted");
  const Object kept = s.put("kept");
  REQUIRE(s.remove.by_id(kTenant, gone.id()));
  CollectGarbage keep_forever(s.metadata, *s.files, s.clock, std::chrono::seconds(3600),
                              std::chrono::seconds(86400));
  auto first = keep_forever.run_once();
  REQUIRE(first);
  CHECK(first->tombstoned_objects == 1);
  CHECK(first->purged_tombstones == 0);
  CollectGarbage purge_now(s.metadata, *s.files, s.clock, std::chrono::seconds(3600),
                           std::chrono::seconds(0));
  auto second = purge_now.run_once();
  REQUIRE(second);
  CHECK(second->purged_tombstones == 1);
  pqxx::connection conn(s.db.url());
  pqxx::work tx(conn);
  CHECK(tx.exec("SELECT count(*) FROM objects")[0][0].as<int>() == 1);
  tx.commit();
  CHECK(s.download.by_id(kTenant, kept.id(), true));
}

}  // namespace castor::testing
