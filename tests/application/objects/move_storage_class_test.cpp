// MoveStorageClass on the in-memory ports: every kind of content (file, row, segments) moves and
// reads back the same; dedup skips the copy; each injected failure (copy, hash, commit) leaves the
// object where it was with its reference counts unchanged, and the collector cleans up after it.
#include "application/objects/move_storage_class.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "application/collect_garbage.h"
#include "application/delete_object.h"
#include "application/download_object.h"
#include "application/upload_object.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_blob_store.h"
#include "fakes/memory_metadata_store.h"
#include "fakes/sequential_ids.h"
#include "infrastructure/checksummers.h"

namespace castor {
namespace {

using testing::sha256_of;
using namespace std::chrono_literals;

constexpr auto kHot = StorageClass::kHot;
constexpr auto kCold = StorageClass::kCold;
const TenantId kTenant = *TenantId::parse("t1");
const TenantId kOther = *TenantId::parse("t2");
const Namespace kNs = *Namespace::parse("ns");

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

struct World {
  testing::FakeClock clock;
  testing::SequentialIds ids;
  testing::MemoryMetadataStore metadata;
  testing::MemoryBlobStore blobs{clock};
  Checksummers checksummers;
  UploadObject files{metadata, blobs, clock, ids, 1 << 20};
  UploadObject small{metadata,
                     blobs,
                     clock,
                     ids,
                     1 << 20,
                     nullptr,
                     InlineUploads{.max_bytes = 64, .sha256 = &checksummers}};
  DownloadObject downloads{metadata, blobs};
  CollectGarbage gc{metadata, blobs, clock, 3600s};
  int damage_reports = 0;
  MoveStorageClass move{
      metadata, blobs, clock, ids,
      [this](const Object&, const std::optional<ContentHash>&) { ++damage_reports; }};

  Object put(UploadObject& use_case, std::string_view content, const TenantId& tenant = kTenant,
             StorageClass storage_class = kHot) {
    auto upload = use_case.begin({.ns = kNs,
                                  .tenant = tenant,
                                  .key = std::nullopt,
                                  .storage_class = storage_class,
                                  .content_type = {},
                                  .expected_hash = {}},
                                 content.size());
    REQUIRE(upload);
    REQUIRE((*upload)->write(bytes_of(content)));
    auto object = use_case.commit(**upload);
    REQUIRE(object);
    return *object;
  }

  // A COMMITTED object whose content is a composite blob of `pieces` (as a completed upload
  // session leaves it), in the hot class.
  Object put_composite(const std::vector<std::string>& pieces) {
    std::string whole;
    std::vector<SegmentPiece> laid;
    for (const std::string& p : pieces) {
      laid.push_back({blobs.put_content(kHot, p), p.size()});
      whole += p;
    }
    const ContentHash hash = sha256_of(whole);
    auto segments = lay_out_segments(laid);
    REQUIRE(segments);
    REQUIRE(metadata.transact([&](MetadataTransaction& tx) -> Status {
      for (const SegmentPiece& p : laid) {
        if (auto b = tx.blobs().retain(kHot, p.hash, p.size_bytes, clock.now()); !b) {
          return std::move(b).error();
        }
      }
      if (auto b = tx.blobs().add_ref(kHot, hash, whole.size()); !b) {
        return std::move(b).error();
      }
      return tx.segments().attach(kHot, hash, *segments);
    }));
    Object o = Object::begin(ids.next(), kNs, kTenant, std::nullopt, kHot, "x/y", clock.now());
    REQUIRE(o.commit(hash, whole.size(), clock.now()));
    metadata.put_object(o);
    return o;
  }

  Result<Object> move_to(const Object& o, StorageClass target, const TenantId& tenant = kTenant) {
    return move.run({.tenant = tenant, .id = o.id(), .storage_class = target});
  }

  std::string read(const Object& o) {
    auto d = downloads.by_id(kTenant, o.id(), true);
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

  std::uint64_t refs(StorageClass c, const ContentHash& h) {
    auto b = metadata.blob(c, h);
    return b ? b->ref_count() : 0;
  }
};

const std::string kContent = std::string(300 * 1024, 'a') + "tail";  // two copy chunks

}  // namespace

TEST_CASE("a file object moves to cold: copied, verified, switched, the hot blob released",
          "[unit][tier]") {
  World w;
  const Object o = w.put(w.files, kContent);
  const ContentHash h = *o.content_hash();
  w.clock.advance(5s);
  auto moved = w.move_to(o, kCold);
  REQUIRE(moved);
  CHECK(moved->storage_class() == kCold);
  CHECK(moved->updated_at() == w.clock.now());
  CHECK(moved->created_at() == o.created_at());
  CHECK(moved->content_hash() == o.content_hash());
  CHECK(w.metadata.object(o.id())->storage_class() == kCold);
  CHECK(w.blobs.content(kCold, h) == kContent);
  CHECK(w.refs(kCold, h) == 1);
  CHECK(w.refs(kHot, h) == 0);
  CHECK(w.metadata.granted(kTenant, kCold, h));
  CHECK(w.blobs.temp_count() == 0);
  CHECK(w.read(o) == kContent);

  // The collector removes the unreferenced hot copy, never the cold one.
  auto report = w.gc.run_once();
  REQUIRE(report);
  CHECK(report->deleted_blobs == 1);
  CHECK_FALSE(w.blobs.has_content(kHot, h));
  CHECK(w.blobs.has_content(kCold, h));
  CHECK(w.read(o) == kContent);

  // And back again.
  auto back = w.move_to(o, kHot);
  REQUIRE(back);
  CHECK(back->storage_class() == kHot);
  CHECK(w.refs(kHot, h) == 1);
  CHECK(w.refs(kCold, h) == 0);
  CHECK(w.read(o) == kContent);
}

TEST_CASE("a move to the class the object is in changes nothing", "[unit][tier]") {
  World w;
  const Object o = w.put(w.files, "same");
  w.clock.advance(5s);
  const std::uint64_t transacts = w.metadata.transact_count();
  auto moved = w.move_to(o, kHot);
  REQUIRE(moved);
  CHECK(moved->storage_class() == kHot);
  CHECK(moved->updated_at() == o.updated_at());
  CHECK(w.metadata.transact_count() == transacts + 1);  // the one read
  CHECK(w.refs(kHot, *o.content_hash()) == 1);
}

TEST_CASE("content the target class holds already is referenced, not copied", "[unit][tier]") {
  World w;
  const Object cold = w.put(w.files, kContent, kTenant, kCold);
  const Object hot = w.put(w.files, kContent);
  const ContentHash h = *hot.content_hash();
  const std::size_t places = w.blobs.place_calls();
  auto moved = w.move_to(hot, kCold);
  REQUIRE(moved);
  CHECK(w.blobs.place_calls() == places);  // no copy placed
  CHECK(w.refs(kCold, h) == 2);
  CHECK(w.refs(kHot, h) == 0);
  CHECK(w.read(hot) == kContent);
  CHECK(w.read(cold) == kContent);
}

TEST_CASE("the source blob stays while another object uses it", "[unit][tier]") {
  World w;
  const Object a = w.put(w.files, kContent);
  const Object b = w.put(w.files, kContent);
  const ContentHash h = *a.content_hash();
  REQUIRE(w.move_to(a, kCold));
  CHECK(w.refs(kHot, h) == 1);
  REQUIRE(w.gc.run_once());
  CHECK(w.blobs.has_content(kHot, h));
  CHECK(w.read(b) == kContent);
  CHECK(w.read(a) == kContent);
}

TEST_CASE("small content kept in its blob row moves row to row", "[unit][tier]") {
  World w;
  const Object o = w.put(w.small, "tiny");
  const ContentHash h = *o.content_hash();
  REQUIRE(w.metadata.blob(kHot, h)->stored_inline());
  auto moved = w.move_to(o, kCold);
  REQUIRE(moved);
  CHECK(w.metadata.blob(kCold, h)->stored_inline());
  CHECK_FALSE(w.blobs.has_content(kCold, h));  // no file written
  CHECK(w.refs(kCold, h) == 1);
  CHECK(w.refs(kHot, h) == 0);
  CHECK(w.read(o) == "tiny");
  REQUIRE(w.gc.run_once());
  CHECK_FALSE(w.metadata.blob(kHot, h));
  CHECK(w.read(o) == "tiny");
}

TEST_CASE("a segmented object moves as one verified file; its segments are collected",
          "[unit][tier]") {
  World w;
  const Object o = w.put_composite({"first part, ", "second part, ", "third"});
  const ContentHash h = *o.content_hash();
  CHECK(w.read(o) == "first part, second part, third");
  auto moved = w.move_to(o, kCold);
  REQUIRE(moved);
  CHECK(w.blobs.content(kCold, h) == "first part, second part, third");
  CHECK(w.refs(kCold, h) == 1);
  CHECK(w.read(o) == "first part, second part, third");
  // The composite goes, then (next batch or cycle) its segments, once their retention passed.
  w.clock.advance(1s);
  REQUIRE(w.gc.run_once());
  REQUIRE(w.gc.run_once());
  CHECK(w.metadata.blobs().size() == 1);
  CHECK(w.blobs.content_count() == 1);
}

TEST_CASE("a copy that fails switches nothing and leaks nothing", "[unit][tier]") {
  World w;
  const Object o = w.put(w.files, kContent);
  const ContentHash h = *o.content_hash();
  auto op =
      GENERATE(testing::MemoryBlobStore::Op::kCreateTemp, testing::MemoryBlobStore::Op::kFinish,
               testing::MemoryBlobStore::Op::kPlace, testing::MemoryBlobStore::Op::kOpen);
  INFO("failing op " << static_cast<int>(op));
  w.blobs.fail_next(op, Error{ErrorCode::kResourceExhausted, "disk full"});
  auto moved = w.move_to(o, kCold);
  REQUIRE_FALSE(moved);
  CHECK(moved.error().code == ErrorCode::kResourceExhausted);
  CHECK(w.metadata.object(o.id())->storage_class() == kHot);
  CHECK(w.refs(kHot, h) == 1);
  CHECK_FALSE(w.metadata.blob(kCold, h));
  CHECK_FALSE(w.blobs.has_content(kCold, h));
  CHECK(w.blobs.temp_count() == 0);
  CHECK(w.damage_reports == 0);
  // A retry succeeds.
  REQUIRE(w.move_to(o, kCold));
  CHECK(w.read(o) == kContent);
}

TEST_CASE("content that does not match its hash is not moved", "[unit][tier]") {
  World w;
  const Object o = w.put(w.files, kContent);
  const ContentHash h = *o.content_hash();
  SECTION("same size, other bytes") {
    std::string rotten = kContent;
    rotten[1000] = 'b';
    w.blobs.overwrite_content(kHot, h, rotten);
  }
  SECTION("truncated") { w.blobs.overwrite_content(kHot, h, kContent.substr(0, 1000)); }
  auto moved = w.move_to(o, kCold);
  REQUIRE_FALSE(moved);
  CHECK(moved.error().code == ErrorCode::kFailedPrecondition);
  CHECK(moved.error().reason == kContentDamaged);
  CHECK(w.damage_reports == 1);
  CHECK(w.metadata.object(o.id())->storage_class() == kHot);
  CHECK(w.refs(kHot, h) == 1);
  CHECK_FALSE(w.metadata.blob(kCold, h));
  CHECK_FALSE(w.blobs.has_content(kCold, h));
  CHECK(w.blobs.temp_count() == 0);
}

TEST_CASE("a switch whose commit fails changes nothing; the collector removes the placed copy",
          "[unit][tier]") {
  World w;
  const Object o = w.put(w.files, kContent);
  const ContentHash h = *o.content_hash();
  // Transactions of the move: the read, the attempt without a copy, the switch.
  w.metadata.fail_next(3, Error{ErrorCode::kUnavailable, "connection lost at COMMIT"},
                       testing::MemoryMetadataStore::FailAt::kCommit);
  auto moved = w.move_to(o, kCold);
  REQUIRE_FALSE(moved);
  CHECK(moved.error().code == ErrorCode::kUnavailable);
  CHECK(w.metadata.object(o.id())->storage_class() == kHot);
  CHECK(w.refs(kHot, h) == 1);
  CHECK_FALSE(w.metadata.blob(kCold, h));
  CHECK(w.blobs.has_content(kCold, h));  // renamed into place before the failed COMMIT
  auto report = w.gc.run_once();
  REQUIRE(report);
  CHECK(report->removed_orphan_files == 1);
  CHECK_FALSE(w.blobs.has_content(kCold, h));
  CHECK(w.read(o) == kContent);
}

TEST_CASE("a copy under the collector's content lock waits: the switch is refused, not raced",
          "[unit][tier]") {
  World w;
  const Object o = w.put(w.files, kContent);
  const ContentHash h = *o.content_hash();
  w.metadata.hold_content_lock(kCold, h);
  auto moved = w.move_to(o, kCold);
  REQUIRE_FALSE(moved);
  CHECK(moved.error().code == ErrorCode::kAborted);
  CHECK(w.metadata.object(o.id())->storage_class() == kHot);
  CHECK(w.refs(kHot, h) == 1);
  CHECK_FALSE(w.metadata.blob(kCold, h));
  w.metadata.release_content_lock(kCold, h);
  REQUIRE(w.move_to(o, kCold));
}

TEST_CASE("moves of unknown, deleted and other tenants' objects are NotFound", "[unit][tier]") {
  World w;
  const Object o = w.put(w.files, "content");
  CHECK(w.move_to(o, kCold, kOther).error().code == ErrorCode::kNotFound);
  CHECK(
      w.move
          .run({.tenant = kTenant, .id = testing::SequentialIds::nth(999), .storage_class = kCold})
          .error()
          .code == ErrorCode::kNotFound);
  DeleteObject deletes(w.metadata, w.clock);
  REQUIRE(deletes.by_id(kTenant, o.id()));
  CHECK(w.move_to(o, kCold).error().code == ErrorCode::kNotFound);
  CHECK_FALSE(w.metadata.blob(kCold, *o.content_hash()));
}

TEST_CASE("Object::change_storage_class only while COMMITTED", "[unit][tier]") {
  const Timestamp t0{std::chrono::microseconds(1'000'000)};
  const Timestamp t1{std::chrono::microseconds(2'000'000)};
  Object o =
      Object::begin(testing::SequentialIds::nth(1), kNs, kTenant, std::nullopt, kHot, "a/b", t0);
  CHECK(o.change_storage_class(kCold, t1).error().code == ErrorCode::kFailedPrecondition);
  REQUIRE(o.commit(sha256_of("x"), 1, t0));
  REQUIRE(o.change_storage_class(kCold, t1));
  CHECK(o.storage_class() == kCold);
  CHECK(o.updated_at() == t1);
  REQUIRE(o.mark_deleting(t1));
  CHECK(o.change_storage_class(kHot, t1).error().code == ErrorCode::kFailedPrecondition);
}

}  // namespace castor
