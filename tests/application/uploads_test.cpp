// Upload sessions on the in-memory fakes: parts become the segments of a composite blob without
// copying, dedup, retries, aborts, expiry, and how reads, the collector and fsck treat the result.
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "application/check_integrity.h"
#include "application/collect_garbage.h"
#include "application/content_reader.h"
#include "application/delete_object.h"
#include "application/download_object.h"
#include "application/uploads/abort_upload.h"
#include "application/uploads/complete_upload.h"
#include "application/uploads/create_upload.h"
#include "application/uploads/read_uploads.h"
#include "application/uploads/store_upload_part.h"
#include "fakes/fake_store.h"

namespace castor {
namespace {

using std::chrono::seconds;
using testing::sha256_of;

constexpr StorageClass kHot = StorageClass::kHot;
const TenantId kA = *TenantId::parse("tenant-a");
const TenantId kB = *TenantId::parse("tenant-b");
const Namespace kNs = *Namespace::parse("ns");
const UploadLimits kLimits{.max_size = 1 << 20, .ttl = seconds(60), .max_open = 3};

// A request of `tenant` for an object of kNs, or for a blob.
CreateUpload::Request request(const TenantId& tenant, bool object = true) {
  return {.tenant = tenant,
          .ns = object ? std::optional(kNs) : std::nullopt,
          .key = {},
          .storage_class = kHot,
          .size_bytes = {},
          .sha256 = {},
          .content_type = {}};
}

struct World : testing::FakeStore {
  CreateUpload create{metadata, clock, ids, kLimits};
  StoreUploadPart parts{metadata, blobs, clock, ids, kLimits};
  CompleteUpload complete{metadata, blobs, clock, ids, kLimits};
  ReadUploads read{metadata};
  AbortUpload abort{metadata};
  DownloadObject download{metadata, blobs};
  DeleteObject remove{metadata, clock};
  CollectGarbage gc{metadata, blobs, clock, seconds(3600)};
  CheckIntegrity fsck{metadata, blobs};

  UploadSession open(const TenantId& tenant, bool object = true) {
    auto s = create.run(request(tenant, object));
    REQUIRE(s);
    return *s;
  }

  Result<UploadPart> put(const TenantId& tenant, const UploadSession& s, std::uint32_t n,
                         std::string_view content) {
    auto up = parts.begin({.tenant = tenant, .upload = s.id(), .number = n, .expected = {}},
                          content.size());
    if (!up) {
      return std::move(up).error();
    }
    REQUIRE((*up)->write(std::as_bytes(std::span(content.data(), content.size()))));
    return parts.commit(**up);
  }

  std::string read_all(const Object& object) {
    auto d = download.by_id(object.tenant(), object.id(), true);
    REQUIRE(d);
    std::string out(d->content->size(), '\0');
    auto n = d->content->read_at(0, std::as_writable_bytes(std::span(out.data(), out.size())));
    REQUIRE(n);
    out.resize(*n);
    return out;
  }

  std::uint64_t refs(std::string_view content) {
    auto b = metadata.blob(kHot, sha256_of(content));
    return b ? b->ref_count() : 0;
  }

  void require_consistent() {
    auto report = fsck.run(false, [](const CheckIntegrity::Finding&) {});
    REQUIRE(report);
    CHECK(report->refcount_mismatch == 0);
    CHECK(report->missing == 0);
    CHECK(report->size_mismatch == 0);
  }
};

}  // namespace

TEST_CASE("completed parts become one object without copying their content", "[unit]") {
  World w;
  UploadSession s = w.open(kA);
  REQUIRE(w.put(kA, s, 3, "ccc"));
  REQUIRE(w.put(kA, s, 1, "aaaa"));
  REQUIRE(w.put(kA, s, 2, "wrong"));
  REQUIRE(w.put(kA, s, 2, "bb"));  // replaces part 2
  CHECK(w.refs("wrong") == 0);
  CHECK(w.refs("bb") == 1);

  auto view = w.read.get(kA, s.id());
  REQUIRE(view);
  REQUIRE(view->parts.size() == 3);
  CHECK(view->parts[1].hash == sha256_of("bb"));

  auto done = w.complete.run(kA, s.id(), {});
  REQUIRE(done);
  REQUIRE(done->created);
  REQUIRE(done->object);
  CHECK(*done->object->content_hash() == sha256_of("aaaabbccc"));
  CHECK(done->object->size_bytes() == 9);
  CHECK(w.read_all(*done->object) == "aaaabbccc");
  // No file for the whole: it reads through the parts, each still referenced once as a segment.
  CHECK_FALSE(*w.blobs.exists(kHot, sha256_of("aaaabbccc")));
  CHECK(w.refs("aaaa") == 1);
  CHECK(w.refs("aaaabbccc") == 1);
  CHECK(w.read.get(kA, s.id())->parts.empty());
  w.require_consistent();

  // A range across segment boundaries.
  auto d = w.download.by_id(kA, done->object->id(), true);
  REQUIRE(d);
  std::string mid(5, '\0');
  auto n = d->content->read_at(2, std::as_writable_bytes(std::span(mid.data(), mid.size())));
  REQUIRE(n);
  CHECK(mid.substr(0, *n) == "aabbc");

  // A retried completion answers the same object.
  auto again = w.complete.run(kA, s.id(), {});
  REQUIRE(again);
  CHECK_FALSE(again->created);
  CHECK(again->object->id() == done->object->id());
}

TEST_CASE("deleting the object lets the collector take the composite and then its parts",
          "[unit]") {
  World w;
  UploadSession s = w.open(kA);
  REQUIRE(w.put(kA, s, 1, "head-"));
  REQUIRE(w.put(kA, s, 2, "tail"));
  auto done = w.complete.run(kA, s.id(), {});
  REQUIRE(done);
  REQUIRE(w.remove.by_id(kA, done->object->id()));
  for (int i = 0; i < 3; ++i) {
    REQUIRE(w.gc.run_once());
  }
  CHECK_FALSE(w.metadata.blob(kHot, sha256_of("head-tail")));
  CHECK_FALSE(w.metadata.blob(kHot, sha256_of("head-")));
  CHECK_FALSE(*w.blobs.exists(kHot, sha256_of("tail")));
  CHECK(w.metadata.upload_tables().segments.empty());
  w.require_consistent();
}

TEST_CASE("a completion dedups against stored content and checks what was declared", "[unit]") {
  World w;
  const Object existing = w.FakeStore::put(kNs, kA, "", "one-two");
  UploadSession s = w.open(kA);
  REQUIRE(w.put(kA, s, 1, "one-"));
  REQUIRE(w.put(kA, s, 2, "two"));
  auto done = w.complete.run(kA, s.id(), {});
  REQUIRE(done);
  CHECK(*done->object->content_hash() == *existing.content_hash());
  CHECK(w.refs("one-two") == 2);
  CHECK(w.refs("one-") == 0);  // released: the stored file serves the content
  CHECK(w.metadata.upload_tables().segments.empty());
  w.require_consistent();

  CreateUpload::Request r = request(kA);
  r.sha256 = sha256_of("something else");
  auto declared = w.create.run(r);
  REQUIRE(declared);
  REQUIRE(w.put(kA, *declared, 1, "xyz"));
  auto mismatch = w.complete.run(kA, declared->id(), {});
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().reason == "content_hash_mismatch");
  CHECK(w.read.get(kA, declared->id())->parts.size() == 1);  // still open, unchanged
}

TEST_CASE("sessions are the tenant's own, bounded, and cleaned up on abort and expiry", "[unit]") {
  World w;
  UploadSession s = w.open(kA, /*object=*/false);
  REQUIRE(w.put(kA, s, 1, "part"));
  auto other = w.put(kB, s, 2, "nope");
  REQUIRE_FALSE(other);
  CHECK(other.error().code == ErrorCode::kNotFound);
  CHECK_FALSE(w.read.get(kB, s.id()));
  CHECK(w.abort.run(kB, s.id()).error().code == ErrorCode::kNotFound);

  w.open(kA);
  w.open(kA);
  auto fourth = w.create.run(request(kA));
  REQUIRE_FALSE(fourth);
  CHECK(fourth.error().reason == "too_many_uploads");

  REQUIRE(w.abort.run(kA, s.id()));
  CHECK(w.refs("part") == 0);
  CHECK_FALSE(w.read.get(kA, s.id()));

  UploadSession late = w.open(kA, false);
  REQUIRE(w.put(kA, late, 1, "late"));
  w.clock.advance(seconds(61));
  auto report = w.gc.run_once();
  REQUIRE(report);
  CHECK(report->expired_uploads == 3);
  CHECK_FALSE(w.metadata.blob(kHot, sha256_of("late")));
  w.require_consistent();
}

TEST_CASE("a blob session completes into a held, retained blob", "[unit]") {
  World w;
  UploadSession s = w.open(kA, /*object=*/false);
  REQUIRE(w.put(kA, s, 1, "blob-"));
  REQUIRE(w.put(kA, s, 2, "body"));
  auto done = w.complete.run(kA, s.id(), {});
  REQUIRE(done);
  CHECK_FALSE(done->object);
  REQUIRE(done->session.fields().outcome);
  CHECK(done->session.fields().outcome->hash == sha256_of("blob-body"));
  CHECK(w.metadata.granted(kA, kHot, sha256_of("blob-body")));
  CHECK(w.metadata.retain_until(kHot, sha256_of("blob-body")));
  auto reader = open_content(w.metadata, w.blobs, kHot, sha256_of("blob-body"));
  REQUIRE(reader);
  CHECK((*reader)->size() == 9);
  w.require_consistent();
}

}  // namespace castor
