#include "application/upload_object.h"

#include <span>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "application/delete_object.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_blob_store.h"
#include "fakes/memory_metadata_store.h"
#include "fakes/sequential_ids.h"

namespace castor {
namespace {

using testing::FakeClock;
using testing::MemoryBlobStore;
using testing::MemoryMetadataStore;
using testing::sha256_of;

constexpr std::uint64_t kMaxSize = 64;

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

UploadObject::Request request(std::optional<std::string> key = std::nullopt,
                              std::string tenant = "t1", std::string ns = "ns") {
  std::optional<ObjectKey> k;
  if (key) {
    k = *ObjectKey::parse(*key);
  }
  return {.ns = *Namespace::parse(ns),
          .tenant = *TenantId::parse(tenant),
          .key = std::move(k),
          .content_type = {},
          .expected_hash = {}};
}

struct World {
  FakeClock clock;
  testing::SequentialIds ids;
  MemoryMetadataStore metadata;
  MemoryBlobStore blobs{clock};
  UploadObject uploads{metadata, blobs, clock, ids, kMaxSize};

  // Runs a whole upload: begin with the declared size, one write, commit (abort on write errors).
  Result<Object> put(UploadObject::Request r, std::string_view content) {
    auto upload = uploads.begin(std::move(r), content.size());
    if (!upload) {
      return std::move(upload).error();
    }
    if (auto s = (*upload)->write(bytes_of(content)); !s) {
      uploads.abort(**upload);
      return std::move(s).error();
    }
    return uploads.commit(**upload);
  }

  // Nothing of any upload is left: no rows, no files.
  void check_clean() {
    CHECK(metadata.objects().empty());
    CHECK(metadata.blobs().empty());
    CHECK(blobs.temp_count() == 0);
    CHECK(blobs.content_count() == 0);
  }
};

}  // namespace

TEST_CASE("upload stores the content and commits the object", "[unit]") {
  World w;
  auto upload = w.uploads.begin(request("docs/a.txt"), std::nullopt);
  REQUIRE(upload);
  const ObjectId id = (*upload)->object().id();
  // Phase one: a WRITING row and a temporary file, nothing visible yet.
  CHECK(w.metadata.object(id)->status() == ObjectStatus::kWriting);
  CHECK(w.blobs.has_temp(id));
  REQUIRE((*upload)->write(bytes_of("hello, ")));
  REQUIRE((*upload)->write(bytes_of("world")));
  CHECK((*upload)->size() == 12);
  w.clock.advance(std::chrono::seconds(5));
  auto object = w.uploads.commit(**upload);
  REQUIRE(object);

  const ContentHash hash = sha256_of("hello, world");
  CHECK(object->status() == ObjectStatus::kCommitted);
  CHECK(object->content_hash() == hash);
  CHECK(object->size_bytes() == 12);
  CHECK(object->content_type() == "application/octet-stream");
  CHECK(object->created_at() == FakeClock::kStart);
  CHECK(object->updated_at() == FakeClock::kStart + std::chrono::seconds(5));
  auto stored = w.metadata.object(id);
  REQUIRE(stored);
  CHECK(stored->status() == ObjectStatus::kCommitted);
  CHECK(stored->content_hash() == hash);
  CHECK(stored->size_bytes() == 12);
  auto blob = w.metadata.blob(StorageClass::kHot, hash);
  REQUIRE(blob);
  CHECK(blob->ref_count() == 1);
  CHECK(blob->size_bytes() == 12);
  CHECK(w.blobs.content(StorageClass::kHot, hash) == "hello, world");
  CHECK(w.blobs.temp_count() == 0);
}

TEST_CASE("upload keeps the content type and refuses a bad one", "[unit]") {
  World w;
  auto r = request();
  r.content_type = "text/plain; charset=utf-8";
  auto object = w.put(std::move(r), "x");
  REQUIRE(object);
  CHECK(object->content_type() == "text/plain; charset=utf-8");

  World bad;
  for (const std::string& type : {std::string("text/plain\n"), std::string(256, 'a')}) {
    auto r2 = request();
    r2.content_type = type;
    auto upload = bad.uploads.begin(std::move(r2), 1);
    REQUIRE_FALSE(upload);
    CHECK(upload.error().code == ErrorCode::kInvalidArgument);
  }
  bad.check_clean();
}

TEST_CASE("the same content uploaded twice is stored once with ref_count 2", "[unit]") {
  World w;
  auto a = w.put(request("a"), "same bytes");
  auto b = w.put(request("b"), "same bytes");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->id() != b->id());
  CHECK(a->content_hash() == b->content_hash());
  CHECK(w.blobs.content_count() == 1);
  CHECK(w.blobs.temp_count() == 0);
  CHECK(w.metadata.blob(StorageClass::kHot, *a->content_hash())->ref_count() == 2);

  // Another storage class is another blob and another file.
  auto r = request("c");
  r.storage_class = StorageClass::kCold;
  auto c = w.put(std::move(r), "same bytes");
  REQUIRE(c);
  CHECK(w.blobs.has_content(StorageClass::kCold, *c->content_hash()));
  CHECK(w.metadata.blob(StorageClass::kCold, *c->content_hash())->ref_count() == 1);
  CHECK(w.metadata.blob(StorageClass::kHot, *c->content_hash())->ref_count() == 2);
  CHECK(w.blobs.content_count() == 2);
}

TEST_CASE("an empty object is a valid upload", "[unit]") {
  World w;
  auto object = w.put(request(), "");
  REQUIRE(object);
  CHECK(object->size_bytes() == 0);
  CHECK(object->content_hash() == sha256_of(""));
  CHECK(w.blobs.content(StorageClass::kHot, sha256_of("")) == "");
}

TEST_CASE("upload checks the expected hash", "[unit]") {
  World w;
  SECTION("a match commits, bare or prefixed") {
    auto r = request();
    r.expected_hash = *ContentHash::parse("sha256:" + sha256_of("abc").hex());
    REQUIRE(w.put(std::move(r), "abc"));
  }
  SECTION("a mismatch stores nothing") {
    auto r = request("k");
    r.expected_hash = sha256_of("abd");
    auto object = w.put(std::move(r), "abc");
    REQUIRE_FALSE(object);
    CHECK(object.error().code == ErrorCode::kInvalidArgument);
    CHECK(object.error().reason == "content_hash_mismatch");
    w.check_clean();
    // The key was not taken.
    CHECK(w.put(request("k"), "abc"));
  }
}

TEST_CASE("upload enforces the size limit", "[unit]") {
  World w;
  SECTION("declared too large: refused before anything is created") {
    auto upload = w.uploads.begin(request(), kMaxSize + 1);
    REQUIRE_FALSE(upload);
    CHECK(upload.error().code == ErrorCode::kOutOfRange);
    w.check_clean();
  }
  SECTION("exactly the limit is fine") { REQUIRE(w.put(request(), std::string(kMaxSize, 'x'))); }
  SECTION("streamed past the limit without a declared size") {
    auto upload = w.uploads.begin(request(), std::nullopt);
    REQUIRE(upload);
    REQUIRE((*upload)->write(bytes_of(std::string(kMaxSize - 1, 'x'))));
    auto s = (*upload)->write(bytes_of("yz"));
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::kOutOfRange);
    CHECK((*upload)->size() == kMaxSize - 1);
    w.uploads.abort(**upload);
    w.check_clean();
  }
}

TEST_CASE("a key is unique among live objects and free again after delete", "[unit]") {
  World w;
  auto first = w.put(request("k"), "one");
  REQUIRE(first);
  auto again = w.put(request("k"), "two");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kAlreadyExists);
  CHECK(w.metadata.objects().size() == 1);
  CHECK(w.blobs.temp_count() == 0);

  // Other tenants and namespaces have their own keys.
  CHECK(w.put(request("k", "t2"), "two"));
  CHECK(w.put(request("k", "t1", "ns2"), "two"));

  DeleteObject deletes(w.metadata, w.clock);
  REQUIRE(deletes.by_id(*TenantId::parse("t1"), first->id()));
  CHECK(w.put(request("k"), "three"));
}

TEST_CASE("a key held by an upload in progress is taken", "[unit]") {
  World w;
  auto writing = w.uploads.begin(request("k"), std::nullopt);
  REQUIRE(writing);
  auto other = w.uploads.begin(request("k"), std::nullopt);
  REQUIRE_FALSE(other);
  CHECK(other.error().code == ErrorCode::kAlreadyExists);
  w.uploads.abort(**writing);
  CHECK(w.put(request("k"), "x"));
}

TEST_CASE("a full disk fails the upload and leaves nothing behind", "[unit]") {
  World w;
  SECTION("while writing") {
    w.blobs.fail_writes_after(10);
    auto object = w.put(request("k"), std::string(20, 'x'));
    REQUIRE_FALSE(object);
    CHECK(object.error().code == ErrorCode::kResourceExhausted);
  }
  SECTION("at fsync") {
    w.blobs.fail_next(MemoryBlobStore::Op::kFinish,
                      {ErrorCode::kResourceExhausted, "insufficient storage"});
    auto object = w.put(request("k"), "x");
    REQUIRE_FALSE(object);
    CHECK(object.error().code == ErrorCode::kResourceExhausted);
  }
  w.check_clean();
  w.blobs.fail_writes_after(std::nullopt);
  CHECK(w.put(request("k"), "x"));
}

TEST_CASE("a failed commit leaves nothing visible", "[unit]") {
  World w;
  auto upload = w.uploads.begin(request("k"), std::nullopt);
  REQUIRE(upload);
  REQUIRE((*upload)->write(bytes_of("content")));
  const ObjectId id = (*upload)->object().id();
  const ContentHash hash = sha256_of("content");

  SECTION("the database is down") {
    w.metadata.fail_next(1, {ErrorCode::kUnavailable, "down"});
    auto object = w.uploads.commit(**upload);
    REQUIRE_FALSE(object);
    CHECK(object.error().code == ErrorCode::kUnavailable);
    w.check_clean();
  }
  SECTION("placing the file fails: the blob reference is rolled back") {
    w.blobs.fail_next(MemoryBlobStore::Op::kPlace, internal_error("rename failed"));
    auto object = w.uploads.commit(**upload);
    REQUIRE_FALSE(object);
    CHECK(object.error().code == ErrorCode::kInternal);
    w.check_clean();
  }
  SECTION("COMMIT fails after the rename: only an orphan file is left, for the collector") {
    w.metadata.fail_next(1, {ErrorCode::kUnavailable, "connection lost"},
                         MemoryMetadataStore::FailAt::kCommit);
    auto object = w.uploads.commit(**upload);
    REQUIRE_FALSE(object);
    CHECK(w.metadata.objects().empty());
    CHECK(w.metadata.blobs().empty());
    CHECK(w.blobs.temp_count() == 0);
    CHECK(w.blobs.has_content(StorageClass::kHot, hash));
  }
  SECTION("the WRITING row expired meanwhile") {
    REQUIRE(w.metadata.transact([&](MetadataTransaction& tx) { return tx.objects().remove(id); }));
    auto object = w.uploads.commit(**upload);
    REQUIRE_FALSE(object);
    CHECK(object.error().code == ErrorCode::kAborted);
    w.check_clean();
  }
  upload->reset();
  CHECK(w.blobs.temp_count() == 0);
  CHECK(w.put(request("k"), "content"));
}

TEST_CASE("abort removes the WRITING row and the temporary file", "[unit]") {
  World w;
  auto upload = w.uploads.begin(request("k"), std::nullopt);
  REQUIRE(upload);
  REQUIRE((*upload)->write(bytes_of("partial")));
  w.uploads.abort(**upload);
  w.check_clean();
  // Aborting twice, or with the database down, is harmless.
  w.metadata.fail_next(1, {ErrorCode::kUnavailable, "down"});
  w.uploads.abort(**upload);
  upload->reset();
  w.check_clean();
}

TEST_CASE("a failure to create the temporary file leaves no row", "[unit]") {
  World w;
  w.blobs.fail_next(MemoryBlobStore::Op::kCreateTemp,
                    {ErrorCode::kResourceExhausted, "insufficient storage"});
  auto upload = w.uploads.begin(request("k"), 1);
  REQUIRE_FALSE(upload);
  CHECK(upload.error().code == ErrorCode::kResourceExhausted);
  w.check_clean();
}

}  // namespace castor

namespace castor {
namespace {

// A two-entry table, standing in for /etc/mime.types.
class TwoMediaTypes final : public MediaTypes {
 public:
  std::optional<std::string> for_name(std::string_view name) const override {
    if (name.ends_with(".json")) {
      return "application/json";
    }
    if (name.ends_with(".txt")) {
      return "text/plain";
    }
    return std::nullopt;
  }
};

TEST_CASE("the content type sent is stored; a missing or form type is guessed from the key",
          "[unit]") {
  const TwoMediaTypes table;
  const auto key = [](std::string_view k) { return std::optional(*ObjectKey::parse(k)); };
  CHECK(effective_content_type("image/png", key("a.json"), &table) == "image/png");
  CHECK(effective_content_type("", key("cfg/model.json"), &table) == "application/json");
  CHECK(effective_content_type("application/x-www-form-urlencoded", key("notes.txt"), &table) ==
        "text/plain");
  CHECK(effective_content_type("Application/X-WWW-Form-Urlencoded; charset=utf-8", key("a.bin"),
                               &table) == "application/octet-stream");
  // Only the form type itself counts as "not given".
  CHECK(effective_content_type("application/x-www-form-urlencodedx", key("a.json"), &table) ==
        "application/x-www-form-urlencodedx");
  CHECK(effective_content_type("", std::nullopt, &table) == "application/octet-stream");
  CHECK(effective_content_type("", key("a.json"), nullptr) == "application/octet-stream");

  World w;
  UploadObject guessing{w.metadata, w.blobs, w.clock, w.ids, kMaxSize, &table};
  auto r = request("weights/config.json");
  r.content_type = "application/x-www-form-urlencoded";
  auto upload = guessing.begin(std::move(r), 2);
  REQUIRE(upload);
  CHECK((*upload)->object().content_type() == "application/json");
  guessing.abort(**upload);
}

TEST_CASE("a key in use is named in the conflict", "[unit]") {
  World w;
  REQUIRE(w.put(request("reports/q3.pdf", "acme", "docs"), "v1"));
  auto again = w.put(request("reports/q3.pdf", "acme", "docs"), "v2");
  REQUIRE(!again);
  CHECK(again.error().code == ErrorCode::kAlreadyExists);
  CHECK(again.error().message ==
        "key 'reports/q3.pdf' is already used in namespace docs of tenant acme");
}

}  // namespace
}  // namespace castor
