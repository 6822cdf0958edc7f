#include "application/objects/update_object_metadata.h"

#include <catch2/catch.hpp>

#include "application/delete_object.h"
#include "fakes/fake_store.h"

namespace castor {
namespace {

using Pairs = ObjectAttributes::Pairs;

const Namespace kNs = *Namespace::parse("ns");
const TenantId kTenant = *TenantId::parse("t1");
const TenantId kOther = *TenantId::parse("t2");

struct World : testing::FakeStore {
  UpdateObjectMetadata update{metadata, clock};

  // An object with metadata {"a":1,"b":{"x":1}} and Content-Disposition "inline".
  Object put_with_metadata() {
    const std::string content = "content";
    UploadObject::Request r{.ns = kNs,
                            .tenant = kTenant,
                            .key = *ObjectKey::parse("k"),
                            .storage_class = StorageClass::kHot,
                            .content_type = "text/plain",
                            .expected_hash = {}};
    r.attributes.metadata = {{"a", "1"}, {"b", R"({"x":1})"}};
    r.attributes.headers = {{"content-disposition", "inline"}};
    auto up = uploads.begin(std::move(r), content.size());
    REQUIRE(up);
    REQUIRE((*up)->write(std::as_bytes(std::span(content.data(), content.size()))));
    auto o = uploads.commit(**up);
    REQUIRE(o);
    return *o;
  }

  UpdateObjectMetadata::Request patch(const Object& o, std::string_view json,
                                      MetadataMode mode = MetadataMode::kMerge) {
    auto m = parse_metadata_object(json, /*patch=*/true);
    REQUIRE(m);
    return {.tenant = kTenant, .id = o.id(), .metadata = *m, .mode = mode};
  }

  Object stored(const Object& o) {
    auto found = metadata.object(o.id());
    REQUIRE(found);
    return *found;
  }
};

}  // namespace

TEST_CASE("UpdateObjectMetadata: merge moves updated_at, keeps content and ETag",
          "[unit][metadata]") {
  World w;
  const Object o = w.put_with_metadata();
  w.clock.advance(std::chrono::seconds(7));
  auto r = w.patch(o, R"({"a":null,"b":{"y":2},"c":"new"})");
  r.content_type = "application/json";
  auto changed = w.update.run(r);
  REQUIRE(changed);
  CHECK(changed->attributes().metadata == Pairs{{"b", R"({"x":1,"y":2})"}, {"c", R"("new")"}});
  CHECK(changed->content_type() == "application/json");
  CHECK(changed->updated_at() == o.updated_at() + std::chrono::seconds(7));
  CHECK(changed->created_at() == o.created_at());
  CHECK(changed->etag() == o.etag());
  CHECK(changed->content_hash() == o.content_hash());
  CHECK(ObjectAttributes::find(changed->attributes().headers, "content-disposition") ==
        std::optional<std::string_view>("inline"));
  // What was stored is what was returned.
  const Object s = w.stored(o);
  CHECK(s.attributes() == changed->attributes());
  CHECK(s.content_type() == "application/json");
  CHECK(s.updated_at() == changed->updated_at());
}

TEST_CASE("UpdateObjectMetadata: replace, and Content-Disposition set and removed",
          "[unit][metadata]") {
  World w;
  const Object o = w.put_with_metadata();
  auto r = w.patch(o, R"({"z":[1]})", MetadataMode::kReplace);
  r.content_disposition.emplace(std::nullopt);
  auto changed = w.update.run(r);
  REQUIRE(changed);
  CHECK(changed->attributes().metadata == Pairs{{"z", "[1]"}});
  CHECK(changed->attributes().headers.empty());
  CHECK(changed->content_type() == "text/plain");
  auto r2 = w.patch(o, "{}");
  r2.content_disposition.emplace("attachment");
  auto again = w.update.run(r2);
  REQUIRE(again);
  CHECK(again->attributes().metadata == Pairs{{"z", "[1]"}});
  CHECK(w.stored(o).attributes().headers == Pairs{{"content-disposition", "attachment"}});
}

TEST_CASE("UpdateObjectMetadata: NotFound for other tenants, deleted and unknown objects",
          "[unit][metadata]") {
  World w;
  const Object o = w.put_with_metadata();
  auto r = w.patch(o, R"({"a":2})");
  r.tenant = kOther;
  auto other = w.update.run(r);
  REQUIRE_FALSE(other);
  CHECK(other.error().code == ErrorCode::kNotFound);
  DeleteObject deletes{w.metadata, w.clock};
  REQUIRE(deletes.by_id(kTenant, o.id()));
  auto gone = w.update.run(w.patch(o, R"({"a":2})"));
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == ErrorCode::kNotFound);
}

TEST_CASE("UpdateObjectMetadata: a false precondition or a bad patch changes nothing",
          "[unit][metadata]") {
  World w;
  const Object o = w.put_with_metadata();
  auto r = w.patch(o, R"({"a":2})");
  std::string seen_etag;
  r.precondition = [&](const Object& current) {
    seen_etag = current.etag();
    return false;
  };
  auto refused = w.update.run(r);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kFailedPrecondition);
  CHECK(refused.error().reason == "precondition_failed");
  CHECK(seen_etag == o.etag());
  r.precondition = [](const Object&) { return true; };
  r.content_type = "";
  auto bad_type = w.update.run(r);
  REQUIRE_FALSE(bad_type);
  CHECK(bad_type.error().reason == "invalid_content_type");
  auto big =
      w.update.run(w.patch(o, "{\"v\":\"" + std::string(kMaxMetadataJsonBytes - 16, 'x') + "\"}"));
  REQUIRE_FALSE(big);  // with the stored members it is over 16 KiB
  CHECK(big.error().reason == "metadata_too_large");
  const Object s = w.stored(o);
  CHECK(s.attributes() == o.attributes());
  CHECK(s.updated_at() == o.updated_at());
}

TEST_CASE("UpdateObjectMetadata: a failed transaction is reported, nothing half-done",
          "[unit][metadata]") {
  World w;
  const Object o = w.put_with_metadata();
  w.metadata.fail_next(1, Error{ErrorCode::kUnavailable, "db down"},
                       testing::MemoryMetadataStore::FailAt::kCommit);
  auto failed = w.update.run(w.patch(o, R"({"a":2})"));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code == ErrorCode::kUnavailable);
  CHECK(w.stored(o).attributes() == o.attributes());
}

}  // namespace castor
