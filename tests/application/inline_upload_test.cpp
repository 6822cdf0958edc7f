// The small-object path of UploadObject (INLINE_MAX_BYTES): content kept in the blob row, committed
// with the object in one transaction, and read, deduplicated, collected, scrubbed and checked like
// content in files.
#include <span>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "application/check_integrity.h"
#include "application/collect_garbage.h"
#include "application/delete_object.h"
#include "application/download_object.h"
#include "application/scrub_content.h"
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

constexpr std::uint64_t kInlineMax = 16;
const TenantId kTenant = *TenantId::parse("t1");
const Namespace kNs = *Namespace::parse("ns");

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

UploadObject::Request request(std::optional<std::string> key = std::nullopt) {
  std::optional<ObjectKey> k;
  if (key) {
    k = *ObjectKey::parse(*key);
  }
  return {
      .ns = kNs, .tenant = kTenant, .key = std::move(k), .content_type = {}, .expected_hash = {}};
}

struct World {
  testing::FakeClock clock;
  testing::SequentialIds ids;
  testing::MemoryMetadataStore metadata;
  testing::MemoryBlobStore blobs{clock};
  Checksummers checksummers;
  UploadObject small{metadata,
                     blobs,
                     clock,
                     ids,
                     1 << 20,
                     nullptr,
                     {.max_bytes = kInlineMax, .sha256 = &checksummers}};
  UploadObject files{metadata, blobs, clock, ids, 1 << 20};  // the path of INLINE_MAX_BYTES=0
  DownloadObject downloads{metadata, blobs};
  DeleteObject deletes{metadata, clock};
  CollectGarbage gc{metadata, blobs, clock, 3600s};

  // begin (with the declared size unless `chunked`), one write, commit.
  Result<Object> put(UploadObject& use_case, std::string_view content,
                     UploadObject::Request r = request(), bool chunked = false) {
    auto upload = use_case.begin(
        std::move(r), chunked ? std::nullopt : std::optional<std::uint64_t>(content.size()));
    if (!upload) {
      return std::move(upload).error();
    }
    if (auto s = (*upload)->write(bytes_of(content)); !s) {
      use_case.abort(**upload);
      return std::move(s).error();
    }
    return use_case.commit(**upload);
  }

  std::string read(const Object& o) {
    auto d = downloads.by_id(kTenant, o.id(), true);
    REQUIRE(d);
    std::string out(d->content->size(), '\0');
    auto n = d->content->read_at(0, std::as_writable_bytes(std::span(out.data(), out.size())));
    REQUIRE(n);
    CHECK(*n == out.size());
    return out;
  }

  std::optional<Blob> blob(std::string_view content) {
    return metadata.blob(StorageClass::kHot, sha256_of(content));
  }
  bool has_file(std::string_view content) {
    return *blobs.exists(StorageClass::kHot, sha256_of(content));
  }
};

}  // namespace

TEST_CASE("a small upload commits in one step, with its content in the blob row",
          "[unit][inline]") {
  World w;
  auto upload = w.small.begin(request("a/b.txt"), 5);
  REQUIRE(upload);
  CHECK((*upload)->buffered());
  CHECK(w.metadata.object((*upload)->object().id()) == std::nullopt);  // no WRITING row
  REQUIRE((*upload)->write(bytes_of("he")));
  REQUIRE((*upload)->write(bytes_of("llo")));
  auto object = w.small.commit(**upload);
  REQUIRE(object);
  CHECK(object->status() == ObjectStatus::kCommitted);
  CHECK(object->content_hash() == sha256_of("hello"));
  CHECK(object->size_bytes() == 5);
  CHECK(w.metadata.object(object->id())->status() == ObjectStatus::kCommitted);
  REQUIRE(w.blob("hello"));
  CHECK(w.blob("hello")->stored_inline());
  CHECK(w.blob("hello")->ref_count() == 1);
  CHECK_FALSE(w.has_file("hello"));
  CHECK(w.read(*object) == "hello");
  auto head = w.downloads.by_key(kNs, kTenant, *ObjectKey::parse("a/b.txt"), false);
  REQUIRE(head);
  CHECK(head->object.id() == object->id());
}

TEST_CASE("only declared sizes up to the limit take the small-object path", "[unit][inline]") {
  World w;
  auto big = w.small.begin(request(), kInlineMax + 1);
  REQUIRE(big);
  CHECK_FALSE((*big)->buffered());
  w.small.abort(**big);
  auto chunked = w.small.begin(request(), std::nullopt);
  REQUIRE(chunked);
  CHECK_FALSE((*chunked)->buffered());
  w.small.abort(**chunked);
  auto exact = w.small.begin(request(), kInlineMax);
  REQUIRE(exact);
  CHECK((*exact)->buffered());
  // More bytes than declared are refused, not buffered.
  auto over = (*exact)->write(bytes_of(std::string(kInlineMax + 1, 'x')));
  REQUIRE_FALSE(over);
  CHECK(over.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("the same bytes are one blob whichever path stored them", "[unit][inline]") {
  World w;
  SECTION("inline first, then through a file") {
    auto a = w.put(w.small, "shared");
    auto b = w.put(w.files, "shared");
    auto c = w.put(w.small, "shared", request(), /*chunked=*/true);  // no size: the file path
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(c);
    CHECK(w.blob("shared")->ref_count() == 3);
    CHECK(w.blob("shared")->stored_inline());
    CHECK_FALSE(w.has_file("shared"));  // the row has it: no second copy
    CHECK(w.read(*b) == "shared");
    CHECK(w.read(*c) == "shared");
  }
  SECTION("a file first, then inline") {
    auto a = w.put(w.files, "shared");
    auto b = w.put(w.small, "shared");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(w.blob("shared")->ref_count() == 2);
    // A small upload always leaves its bytes in the row (one statement; no file check): a small
    // duplicate of content that came as a file first, never a missing copy.
    CHECK(w.blob("shared")->stored_inline());
    CHECK(w.has_file("shared"));
    CHECK(w.read(*b) == "shared");
  }
  SECTION("a row whose file is gone gets the content back") {
    auto a = w.put(w.files, "shared");
    REQUIRE(a);
    REQUIRE(w.blobs.remove(StorageClass::kHot, sha256_of("shared")));
    auto b = w.put(w.small, "shared");
    REQUIRE(b);
    CHECK(w.blob("shared")->stored_inline());
    CHECK(w.read(*a) == "shared");
  }
}

TEST_CASE("a small upload to a used key is refused and changes nothing", "[unit][inline]") {
  World w;
  REQUIRE(w.put(w.small, "first", request("k")));
  auto again = w.put(w.small, "second", request("k"));
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kAlreadyExists);
  CHECK(again.error().message.find("'k'") != std::string::npos);
  CHECK_FALSE(w.blob("second"));
  CHECK(w.blob("first")->ref_count() == 1);
}

TEST_CASE("a small upload that does not match X-Content-SHA256 stores nothing", "[unit][inline]") {
  World w;
  auto r = request();
  r.expected_hash = sha256_of("something else");
  auto put = w.put(w.small, "content", std::move(r));
  REQUIRE_FALSE(put);
  CHECK(put.error().code == ErrorCode::kInvalidArgument);
  CHECK(put.error().reason == "content_hash_mismatch");
  CHECK_FALSE(w.blob("content"));
}

TEST_CASE("the collector deletes an unreferenced inline blob with its row", "[unit][inline]") {
  World w;
  auto o = w.put(w.small, "short-lived");
  REQUIRE(o);
  REQUIRE(w.deletes.by_id(kTenant, o->id()));
  for (int i = 0; i < 3; ++i) {  // tombstone, then collect
    w.clock.advance(std::chrono::seconds(1));
    REQUIRE(w.gc.run_once());
  }
  CHECK_FALSE(w.blob("short-lived"));
  auto inline_content = w.metadata.transact(
      [&](MetadataTransaction& tx) -> Status {
        auto row = tx.blobs().inline_content(StorageClass::kHot, sha256_of("short-lived"));
        REQUIRE(row);
        CHECK_FALSE(*row);
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  CHECK(inline_content);
}

TEST_CASE("fsck and the scrubber accept content kept in blob rows", "[unit][inline]") {
  World w;
  REQUIRE(w.put(w.small, "kept"));
  CheckIntegrity fsck(w.metadata, w.blobs);
  auto report = fsck.run(/*repair=*/false, [](const CheckIntegrity::Finding&) {});
  REQUIRE(report);
  CHECK(report->missing == 0);
  CHECK(report->size_mismatch == 0);
  CHECK(report->refcount_mismatch == 0);
  ScrubContent scrub(w.metadata, w.blobs, w.clock, &w.checksummers);
  auto pass = scrub.run_pass(w.clock.now(), {});
  REQUIRE(pass);
  CHECK(pass->verified_blobs == 1);
  CHECK(pass->damaged_blobs == 0);
}

}  // namespace castor
