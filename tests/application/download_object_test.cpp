#include "application/download_object.h"

#include <span>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "application/delete_object.h"
#include "application/upload_object.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_blob_store.h"
#include "fakes/memory_metadata_store.h"
#include "fakes/sequential_ids.h"

namespace castor {
namespace {

using testing::MemoryBlobStore;

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

const Namespace kNs = *Namespace::parse("ns");
const TenantId kTenant = *TenantId::parse("t1");
const TenantId kOther = *TenantId::parse("t2");
const ObjectKey kKey = *ObjectKey::parse("dir/file.bin");

UploadObject::Request request(std::optional<ObjectKey> key) {
  return {
      .ns = kNs, .tenant = kTenant, .key = std::move(key), .content_type = {}, .expected_hash = {}};
}

// Reads all of `reader`'s content in small pieces.
std::string read_all(BlobReader& reader) {
  std::string out;
  std::byte buf[3];
  for (;;) {
    auto n = reader.read_at(out.size(), buf);
    REQUIRE(n);
    if (*n == 0) {
      return out;
    }
    out.append(reinterpret_cast<const char*>(buf), *n);
  }
}

struct World {
  testing::FakeClock clock;
  testing::SequentialIds ids;
  testing::MemoryMetadataStore metadata;
  MemoryBlobStore blobs{clock};
  UploadObject uploads{metadata, blobs, clock, ids, 1 << 20};
  DownloadObject downloads{metadata, blobs};

  Object put(const std::optional<ObjectKey>& key, std::string_view content) {
    auto upload = uploads.begin(request(key), content.size());
    REQUIRE(upload);
    REQUIRE((*upload)->write(bytes_of(content)));
    auto object = uploads.commit(**upload);
    REQUIRE(object);
    return *object;
  }
};

template <class T>
void check_not_found(const Result<T>& r) {
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kNotFound);
}

}  // namespace

TEST_CASE("download by id returns the object and its content", "[unit]") {
  World w;
  const Object stored = w.put(kKey, "some content");
  auto download = w.downloads.by_id(kTenant, stored.id(), /*want_content=*/true);
  REQUIRE(download);
  CHECK(download->object.id() == stored.id());
  CHECK(download->object.content_hash() == stored.content_hash());
  REQUIRE(download->content);
  CHECK(download->content->size() == 12);
  CHECK(read_all(*download->content) == "some content");

  auto head = w.downloads.by_id(kTenant, stored.id(), /*want_content=*/false);
  REQUIRE(head);
  CHECK(head->content == nullptr);
  CHECK(head->object.size_bytes() == 12);
}

TEST_CASE("download by key returns the committed object holding the key", "[unit]") {
  World w;
  const Object stored = w.put(kKey, "by key");
  w.put(std::nullopt, "keyless");
  auto download = w.downloads.by_key(kNs, kTenant, kKey, true);
  REQUIRE(download);
  CHECK(download->object.id() == stored.id());
  CHECK(read_all(*download->content) == "by key");
  check_not_found(w.downloads.by_key(kNs, kTenant, *ObjectKey::parse("dir"), true));
}

TEST_CASE("download hides other tenants' objects", "[unit]") {
  World w;
  const Object stored = w.put(kKey, "secret");
  check_not_found(w.downloads.by_id(kOther, stored.id(), true));
  check_not_found(w.downloads.by_id(kOther, stored.id(), false));
  check_not_found(w.downloads.by_key(kNs, kOther, kKey, true));
  check_not_found(w.downloads.by_key(*Namespace::parse("ns2"), kTenant, kKey, true));
  auto unknown = *ObjectId::parse("0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f");
  check_not_found(w.downloads.by_id(kTenant, unknown, true));
}

TEST_CASE("download hides objects that are not committed", "[unit]") {
  World w;
  SECTION("WRITING") {
    auto upload = w.uploads.begin(request(kKey), std::nullopt);
    REQUIRE(upload);
    REQUIRE((*upload)->write(bytes_of("half")));
    check_not_found(w.downloads.by_id(kTenant, (*upload)->object().id(), true));
    check_not_found(w.downloads.by_id(kTenant, (*upload)->object().id(), false));
    check_not_found(w.downloads.by_key(kNs, kTenant, kKey, true));
  }
  SECTION("DELETING") {
    const Object stored = w.put(kKey, "gone");
    DeleteObject deletes(w.metadata, w.clock);
    REQUIRE(deletes.by_id(kTenant, stored.id()));
    check_not_found(w.downloads.by_id(kTenant, stored.id(), true));
    check_not_found(w.downloads.by_key(kNs, kTenant, kKey, false));
  }
}

TEST_CASE("download reports missing content as DataLoss", "[unit]") {
  World w;
  const Object stored = w.put(kKey, "lost");
  REQUIRE(w.blobs.remove(StorageClass::kHot, *stored.content_hash()));
  auto download = w.downloads.by_id(kTenant, stored.id(), true);
  REQUIRE_FALSE(download);
  CHECK(download.error().code == ErrorCode::kDataLoss);
  CHECK(w.downloads.by_key(kNs, kTenant, kKey, true).error().code == ErrorCode::kDataLoss);
  // HEAD does not open the file, but still tells that it is gone (as GET would).
  CHECK(w.downloads.by_id(kTenant, stored.id(), false).error().code == ErrorCode::kDataLoss);
}

TEST_CASE("download passes infrastructure errors through", "[unit]") {
  World w;
  const Object stored = w.put(kKey, "x");
  w.metadata.fail_next(1, {ErrorCode::kUnavailable, "down"});
  CHECK(w.downloads.by_id(kTenant, stored.id(), true).error().code == ErrorCode::kUnavailable);
  w.blobs.fail_next(MemoryBlobStore::Op::kOpen, internal_error("EIO"));
  CHECK(w.downloads.by_id(kTenant, stored.id(), true).error().code == ErrorCode::kInternal);
  CHECK(w.downloads.by_id(kTenant, stored.id(), true));
}

TEST_CASE("an open download survives the removal of its content file", "[unit]") {
  World w;
  const Object stored = w.put(kKey, "still readable");
  auto download = w.downloads.by_id(kTenant, stored.id(), true);
  REQUIRE(download);
  REQUIRE(w.blobs.remove(StorageClass::kHot, *stored.content_hash()));
  CHECK(read_all(*download->content) == "still readable");
}

}  // namespace castor
