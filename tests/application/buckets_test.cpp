// ManageBuckets on the in-memory fakes: CreateBucket, HeadBucket, ListBuckets and DeleteBucket,
// tenant isolation, and the bucket rows that native uploads (upload sessions) make.
#include "application/buckets.h"

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "application/delete_object.h"
#include "application/uploads/complete_upload.h"
#include "application/uploads/create_upload.h"
#include "application/uploads/store_upload_part.h"
#include "fakes/fake_store.h"

namespace castor {
namespace {

using std::chrono::seconds;

const TenantId kA = *TenantId::parse("tenant-a");
const TenantId kB = *TenantId::parse("tenant-b");
const UploadLimits kLimits{.max_size = 1 << 20, .ttl = seconds(60), .max_open = 3};

Namespace ns(std::string_view name) { return *Namespace::parse(name); }

struct World : testing::FakeStore {
  ManageBuckets buckets{metadata, clock};
  DeleteObject remove_object{metadata, clock};
  CreateUpload create_upload{metadata, clock, ids, kLimits};
  StoreUploadPart parts{metadata, blobs, clock, ids, kLimits};
  CompleteUpload complete{metadata, blobs, clock, ids, kLimits};

  std::vector<std::string> names(const TenantId& tenant, std::string_view prefix = "",
                                 std::string_view after = "", std::size_t limit = 1000) {
    auto list = buckets.list(tenant, prefix, after, limit);
    REQUIRE(list);
    std::vector<std::string> out;
    for (const Bucket& b : *list) {
      CHECK(b.tenant == tenant);
      out.push_back(b.name.str());
    }
    return out;
  }

  // Opens an upload session into `space` (nullopt: a blob session), stores `content` as part 1
  // and completes it.
  CompleteUpload::Completed upload_session(const TenantId& tenant, std::optional<Namespace> space,
                                           std::string_view content) {
    auto s = create_upload.run({.tenant = tenant,
                                .ns = std::move(space),
                                .key = {},
                                .storage_class = StorageClass::kHot,
                                .size_bytes = {},
                                .sha256 = {},
                                .content_type = {}});
    REQUIRE(s);
    auto up = parts.begin({.tenant = tenant, .upload = s->id(), .number = 1, .expected = {}},
                          content.size());
    REQUIRE(up);
    REQUIRE((*up)->write(std::as_bytes(std::span(content.data(), content.size()))));
    REQUIRE(parts.commit(**up));
    auto done = complete.run(tenant, s->id(), {});
    REQUIRE(done);
    return *done;
  }
};

}  // namespace

TEST_CASE("CreateBucket makes a bucket of the tenant, once", "[unit][s3][buckets]") {
  World w;
  auto made = w.buckets.create(kA, "photos");
  REQUIRE(made);
  CHECK(made->name == ns("photos"));
  CHECK(made->tenant == kA);
  CHECK(made->created_at == testing::FakeClock::kStart);

  auto found = w.buckets.find(kA, ns("photos"));
  REQUIRE(found);
  CHECK(*found == *made);

  w.clock.advance(seconds(5));
  auto again = w.buckets.create(kA, "photos");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kAlreadyExists);
  CHECK(again.error().reason == "BucketAlreadyOwnedByYou");
  CHECK(w.buckets.find(kA, ns("photos"))->created_at == testing::FakeClock::kStart);

  // Names are per tenant: B may have its own "photos", and A's stays A's.
  auto theirs = w.buckets.create(kB, "photos");
  REQUIRE(theirs);
  CHECK(theirs->tenant == kB);
  CHECK(w.metadata.buckets().size() == 2);
}

TEST_CASE("CreateBucket refuses invalid and reserved names before touching the database",
          "[unit][s3][buckets]") {
  World w;
  for (const char* name : {"ab", "Upper", "under_score", "1.2.3.4", "metrics", "xn--x1"}) {
    INFO("name: " << name);
    auto made = w.buckets.create(kA, name);
    REQUIRE_FALSE(made);
    CHECK(made.error().code == ErrorCode::kInvalidArgument);
    CHECK(made.error().reason == "InvalidBucketName");
  }
  CHECK(w.metadata.transact_count() == 0);
  CHECK(w.metadata.buckets().empty());
}

TEST_CASE("HeadBucket finds only the tenant's own buckets", "[unit][s3][buckets]") {
  World w;
  REQUIRE(w.buckets.create(kA, "mine"));
  auto other = w.buckets.find(kB, ns("mine"));
  REQUIRE_FALSE(other);
  CHECK(other.error().code == ErrorCode::kNotFound);
  auto missing = w.buckets.find(kA, ns("nope"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("ListBuckets pages the tenant's buckets in name order", "[unit][s3][buckets]") {
  World w;
  for (const char* name : {"delta", "alpha", "charlie", "bravo", "alpha-2", "echo"}) {
    REQUIRE(w.buckets.create(kA, name));
  }
  REQUIRE(w.buckets.create(kB, "bravo-b"));
  REQUIRE(w.buckets.create(kB, "zulu"));

  using V = std::vector<std::string>;
  CHECK(w.names(kA) == V{"alpha", "alpha-2", "bravo", "charlie", "delta", "echo"});
  CHECK(w.names(kB) == V{"bravo-b", "zulu"});
  CHECK(w.names(kA, "alpha") == V{"alpha", "alpha-2"});
  CHECK(w.names(kA, "b") == V{"bravo"});
  CHECK(w.names(kA, "x").empty());
  CHECK(w.names(kA, "", "bravo") == V{"charlie", "delta", "echo"});
  CHECK(w.names(kA, "", "", 2) == V{"alpha", "alpha-2"});
  CHECK(w.names(kA, "", "alpha-2", 2) == V{"bravo", "charlie"});
  CHECK(w.names(kA, "alpha", "alpha") == V{"alpha-2"});
  CHECK(w.names(kA, "", "echo").empty());
  // A limit of 0 is clamped to 1, over 1000 to 1000.
  CHECK(w.names(kA, "", "", 0) == V{"alpha"});
  CHECK(w.names(kA, "", "", 5000).size() == 6);
  CHECK(w.names(*TenantId::parse("nobody")).empty());
  // Text no name can hold.
  CHECK(w.names(kA, "\xFF").empty());
  CHECK(w.names(kA, std::string("a\0", 2)).empty());
  auto bad = w.buckets.list(kA, "", "\xC3", 10);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("DeleteBucket deletes an empty bucket and refuses one that holds objects",
          "[unit][s3][buckets]") {
  World w;
  REQUIRE(w.buckets.create(kA, "data"));
  REQUIRE(w.buckets.create(kB, "data"));
  Object o = w.put(ns("data"), kA, "k1", "content");

  auto refused = w.buckets.remove(kA, ns("data"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kFailedPrecondition);
  CHECK(refused.error().reason == "BucketNotEmpty");
  CHECK(w.buckets.find(kA, ns("data")));

  // B's bucket of the same name is empty: A's object does not count.
  REQUIRE(w.buckets.remove(kB, ns("data")));
  CHECK_FALSE(w.buckets.find(kB, ns("data")));
  CHECK(w.buckets.find(kA, ns("data")));

  // Once its only object is deleted (DELETING, then tombstoned), the bucket is empty.
  REQUIRE(w.remove_object.by_id(kA, o.id()));
  REQUIRE(w.buckets.remove(kA, ns("data")));
  auto gone = w.buckets.find(kA, ns("data"));
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == ErrorCode::kNotFound);

  auto again = w.buckets.remove(kA, ns("data"));
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kNotFound);
}

TEST_CASE("DeleteBucket counts keyless objects and ignores objects still being written",
          "[unit][s3][buckets]") {
  World w;
  REQUIRE(w.buckets.create(kA, "data"));
  w.put(ns("data"), kA, "", "keyless");
  auto refused = w.buckets.remove(kA, ns("data"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == "BucketNotEmpty");

  REQUIRE(w.buckets.create(kA, "writing"));
  auto upload = w.uploads.begin({.ns = ns("writing"),
                                 .tenant = kA,
                                 .key = *ObjectKey::parse("k"),
                                 .storage_class = StorageClass::kHot,
                                 .content_type = {},
                                 .expected_hash = {}},
                                3);
  REQUIRE(upload);  // a WRITING object, not yet visible
  CHECK(w.buckets.remove(kA, ns("writing")));
}

TEST_CASE("a failed DeleteBucket transaction leaves the bucket", "[unit][s3][buckets]") {
  World w;
  REQUIRE(w.buckets.create(kA, "data"));
  w.metadata.fail_next(1, Error{ErrorCode::kUnavailable, "db down"},
                       testing::MemoryMetadataStore::FailAt::kCommit);
  auto s = w.buckets.remove(kA, ns("data"));
  REQUIRE_FALSE(s);
  CHECK(s.error().code == ErrorCode::kUnavailable);
  CHECK(w.buckets.find(kA, ns("data")));
}

TEST_CASE("completing an upload session into a namespace makes its bucket", "[unit][s3][buckets]") {
  World w;
  w.clock.advance(seconds(7));
  auto done = w.upload_session(kA, ns("fresh"), "parts");
  REQUIRE(done.object);
  auto bucket = w.buckets.find(kA, ns("fresh"));
  REQUIRE(bucket);
  CHECK(bucket->created_at == testing::FakeClock::kStart + seconds(7));
  CHECK_FALSE(w.buckets.find(kB, ns("fresh")));

  // An existing bucket is kept as it is.
  REQUIRE(w.buckets.create(kA, "made"));
  w.clock.advance(seconds(7));
  REQUIRE(w.upload_session(kA, ns("made"), "more parts").object);
  CHECK(w.buckets.find(kA, ns("made"))->created_at == testing::FakeClock::kStart + seconds(7));

  // The bucket now holds the completed object.
  auto refused = w.buckets.remove(kA, ns("fresh"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == "BucketNotEmpty");

  // A blob session has no namespace and makes no bucket.
  const std::size_t before = w.metadata.buckets().size();
  CHECK_FALSE(w.upload_session(kA, std::nullopt, "blob parts").object);
  CHECK(w.metadata.buckets().size() == before);
}

}  // namespace castor
