#include "domain/object.h"

#include <catch2/catch.hpp>

namespace castor {
namespace {

Object writing_object() {
  auto id = ObjectId::parse("0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f");
  return Object::begin(*id, *Namespace::parse("ns"), *TenantId::parse("t1"), std::nullopt,
                       StorageClass::kHot, "text/plain", Timestamp{});
}

ContentHash some_hash() {
  return *ContentHash::parse("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace

TEST_CASE("an object walks WRITING, COMMITTED, DELETING, DELETED", "[unit]") {
  Object o = writing_object();
  CHECK(o.status() == ObjectStatus::kWriting);
  CHECK_FALSE(o.visible());
  REQUIRE(o.commit(some_hash(), 0, Timestamp{} + std::chrono::seconds(1)));
  CHECK(o.visible());
  CHECK(o.updated_at() == Timestamp{} + std::chrono::seconds(1));
  REQUIRE(o.mark_deleting(Timestamp{}));
  CHECK_FALSE(o.visible());
  REQUIRE(o.mark_deleted(Timestamp{}));
  CHECK(o.status() == ObjectStatus::kDeleted);
}

TEST_CASE("illegal transitions are refused by the object itself", "[unit]") {
  Object o = writing_object();
  auto s = o.mark_deleting(Timestamp{});
  REQUIRE_FALSE(s);
  CHECK(s.error().code == ErrorCode::kFailedPrecondition);
  CHECK_FALSE(o.mark_deleted(Timestamp{}));
  REQUIRE(o.commit(some_hash(), 5, Timestamp{}));
  CHECK_FALSE(o.commit(some_hash(), 5, Timestamp{}));
  CHECK(o.status() == ObjectStatus::kCommitted);
}

}  // namespace castor
