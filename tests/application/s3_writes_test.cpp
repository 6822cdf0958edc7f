// S3's write semantics in the application layer: replacing a key atomically, conditional writes
// decided in the commit, and CopyObject as a new reference (application/write_policy.h,
// copy_object.h), on the in-memory fakes.
#include <span>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "application/copy_object.h"
#include "application/upload_object.h"
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

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

const Namespace kNs = *Namespace::parse("bucket");
const TenantId kTenant = *TenantId::parse("t1");

ObjectKey key(std::string_view k) { return *ObjectKey::parse(k); }

struct World {
  FakeClock clock;
  testing::SequentialIds ids;
  MemoryMetadataStore metadata;
  MemoryBlobStore blobs{clock};
  UploadObject uploads{metadata, blobs, clock, ids, 1 << 20};
  CopyObject copies{metadata, clock, ids};

  Result<Object> put(std::string_view k, std::string_view content, WritePolicy policy,
                     ObjectAttributes attributes = {}, std::string etag = "") {
    UploadObject::Request r{.ns = kNs,
                            .tenant = kTenant,
                            .key = key(k),
                            .content_type = "text/plain",
                            .expected_hash = {},
                            .attributes = std::move(attributes),
                            .policy = std::move(policy)};
    auto upload = uploads.begin(std::move(r), content.size());
    if (!upload) {
      return std::move(upload).error();
    }
    // An S3 write holds no key until its commit.
    CHECK(!(*upload)->object().key());
    REQUIRE((*upload)->write(bytes_of(content)));
    (*upload)->set_digests(std::move(etag), {});
    return uploads.commit(**upload);
  }

  std::vector<Object> live(std::string_view k) {
    std::vector<Object> out;
    for (const Object& o : metadata.objects()) {
      if (o.key() && o.key()->str() == k && o.status() == ObjectStatus::kCommitted) {
        out.push_back(o);
      }
    }
    return out;
  }
};

const std::string kEtagA = "0123456789abcdef0123456789abcdef";
const std::string kEtagB = "fedcba9876543210fedcba9876543210";

TEST_CASE("S3 write: a used key is replaced and the old object retired", "[unit][s3]") {
  World w;
  auto first = w.put("k", "one", WritePolicy::replace(), {}, kEtagA);
  REQUIRE(first);
  auto second = w.put("k", "two", WritePolicy::replace(), {}, kEtagB);
  REQUIRE(second);
  auto live = w.live("k");
  REQUIRE(live.size() == 1);
  CHECK(live[0].id() == second->id());
  CHECK(live[0].etag() == kEtagB);
  auto old = w.metadata.object(first->id());
  REQUIRE(old);
  CHECK(old->status() == ObjectStatus::kDeleting);
  // The old content's reference was dropped in the same transaction.
  CHECK(w.metadata.blob(StorageClass::kHot, sha256_of("one"))->ref_count() == 0);
  CHECK(w.metadata.blob(StorageClass::kHot, sha256_of("two"))->ref_count() == 1);
}

TEST_CASE("S3 write: replacing with the same content keeps one reference", "[unit][s3]") {
  World w;
  REQUIRE(w.put("k", "same", WritePolicy::replace()));
  REQUIRE(w.put("k", "same", WritePolicy::replace()));
  CHECK(w.live("k").size() == 1);
  CHECK(w.metadata.blob(StorageClass::kHot, sha256_of("same"))->ref_count() == 1);
}

TEST_CASE("S3 write: If-None-Match: * fails on a used key and leaves nothing", "[unit][s3]") {
  World w;
  WritePolicy create_only = WritePolicy::replace();
  create_only.if_none_match_any = true;
  REQUIRE(w.put("k", "one", create_only));
  auto again = w.put("k", "two", create_only);
  REQUIRE(!again);
  CHECK(again.error().code == ErrorCode::kFailedPrecondition);
  CHECK(again.error().reason == "PreconditionFailed");
  CHECK(w.live("k").size() == 1);
  CHECK(w.blobs.temp_count() == 0);
  CHECK(w.metadata.objects().size() == 1);  // the loser's WRITING row is gone
}

TEST_CASE("S3 write: If-Match compares the holder's ETag", "[unit][s3]") {
  World w;
  REQUIRE(w.put("k", "one", WritePolicy::replace(), {}, kEtagA));
  WritePolicy stale = WritePolicy::replace();
  stale.if_match = "\"" + kEtagB + "\"";
  auto refused = w.put("k", "two", stale);
  REQUIRE(!refused);
  CHECK(refused.error().reason == "PreconditionFailed");
  WritePolicy fresh = WritePolicy::replace();
  fresh.if_match = "\"" + kEtagA + "\"";
  CHECK(w.put("k", "three", fresh));
  WritePolicy absent = WritePolicy::replace();
  absent.if_match = "*";
  auto missing = w.put("nothing-here", "x", absent);
  REQUIRE(!missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("S3 write: attributes are stored with the object", "[unit][s3]") {
  World w;
  ObjectAttributes a;
  a.metadata = {{"model", "\"llama\""}};
  a.headers = {{"cache-control", "max-age=60"}};
  auto put = w.put("k", "content", WritePolicy::replace(), a, kEtagA);
  REQUIRE(put);
  CHECK(w.live("k")[0].attributes() == a);
  ObjectAttributes big;
  // The object limit, 16 KiB of JSON (S3's 2 KiB header limit is the front end's).
  big.metadata = {{"big", "\"" + std::string(kMaxMetadataJsonBytes, 'x') + "\""}};
  auto refused = w.put("k2", "content", WritePolicy::replace(), big);
  REQUIRE(!refused);
  CHECK(refused.error().reason == "metadata_too_large");
}

TEST_CASE("CopyObject: a new reference to the source's blob, no data copied", "[unit][s3]") {
  World w;
  ObjectAttributes a;
  a.metadata = {{"a", "1"}};
  REQUIRE(w.put("src", "payload", WritePolicy::replace(), a, kEtagA));
  const std::size_t files = w.blobs.content_count();
  auto copied = w.copies.run({.source_ns = kNs,
                              .source_key = key("src"),
                              .ns = kNs,
                              .key = key("dst"),
                              .tenant = kTenant});
  REQUIRE(copied);
  CHECK(copied->etag() == kEtagA);
  CHECK(copied->attributes() == a);
  CHECK(w.blobs.content_count() == files);
  CHECK(w.metadata.blob(StorageClass::kHot, sha256_of("payload"))->ref_count() == 2);

  SECTION("REPLACE takes the new attributes") {
    ObjectAttributes b;
    b.metadata = {{"b", "2"}};
    auto replaced = w.copies.run({.source_ns = kNs,
                                  .source_key = key("src"),
                                  .ns = kNs,
                                  .key = key("dst"),
                                  .tenant = kTenant,
                                  .attributes = b,
                                  .content_type = "text/x"});
    REQUIRE(replaced);
    CHECK(w.live("dst").size() == 1);
    CHECK(w.live("dst")[0].attributes() == b);
    CHECK(w.live("dst")[0].content_type() == "text/x");
    CHECK(w.metadata.blob(StorageClass::kHot, sha256_of("payload"))->ref_count() == 2);
  }
  SECTION("a source that changed is PreconditionFailed") {
    auto stale = w.copies.run({.source_ns = kNs,
                               .source_key = key("src"),
                               .ns = kNs,
                               .key = key("other"),
                               .tenant = kTenant,
                               .source_etag = kEtagB});
    REQUIRE(!stale);
    CHECK(stale.error().reason == "PreconditionFailed");
  }
  SECTION("a missing source is NoSuchKey") {
    auto missing = w.copies.run({.source_ns = kNs,
                                 .source_key = key("none"),
                                 .ns = kNs,
                                 .key = key("other"),
                                 .tenant = kTenant});
    REQUIRE(!missing);
    CHECK(missing.error().reason == "NoSuchKey");
  }
}

}  // namespace
}  // namespace castor
