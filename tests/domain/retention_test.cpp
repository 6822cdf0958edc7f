#include "domain/retention.h"

#include <vector>

#include <catch2/catch.hpp>

#include "domain/object.h"

namespace castor {
namespace {

using std::chrono::days;
using std::chrono::hours;

const Timestamp kNow = Timestamp{} + days(20000);  // 2024-10-04

Retention gov(Timestamp until) { return {RetentionMode::kGovernance, until}; }
Retention comp(Timestamp until) { return {RetentionMode::kCompliance, until}; }

// The directions a change can take from a retention active until kNow + 10 days.
enum class Direction { kSame, kExtend, kShorten, kRemove, kToGovernance, kToCompliance };

std::optional<Retention> requested(RetentionMode from, Direction d) {
  const Timestamp until = kNow + days(10);
  switch (d) {
    case Direction::kSame:
      return Retention{from, until};
    case Direction::kExtend:
      return Retention{from, until + days(5)};
    case Direction::kShorten:
      return Retention{from, until - days(5)};
    case Direction::kRemove:
      return std::nullopt;
    case Direction::kToGovernance:
      return gov(until);
    case Direction::kToCompliance:
      return comp(until);
  }
  return std::nullopt;
}

Object committed_object() {
  auto id = ObjectId::parse("0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f");
  Object o = Object::begin(*id, *Namespace::parse("ns"), *TenantId::parse("t1"), std::nullopt,
                           StorageClass::kHot, "text/plain", kNow);
  auto hash =
      ContentHash::parse("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  REQUIRE(o.commit(*hash, 0, kNow));
  return o;
}

}  // namespace

TEST_CASE("retention modes parse in any case and print lower case", "[unit][retention]") {
  CHECK(*parse_retention_mode("GOVERNANCE") == RetentionMode::kGovernance);
  CHECK(*parse_retention_mode("compliance") == RetentionMode::kCompliance);
  CHECK(parse_retention_mode("legal").error().code == ErrorCode::kInvalidArgument);
  CHECK(parse_retention_mode("").error().code == ErrorCode::kInvalidArgument);
  CHECK(to_string(RetentionMode::kCompliance) == "compliance");
  CHECK(format_retention_time(Timestamp{} + days(20000) + hours(3) + std::chrono::seconds(7) +
                              std::chrono::microseconds(999)) == "2024-10-04T03:00:07Z");
}

TEST_CASE("every retention change: mode x actor x direction", "[unit][retention]") {
  const Timestamp until = kNow + days(10);
  struct Expect {
    RetentionMode mode;
    Direction direction;
    bool admin;
    bool bypass;
    std::optional<ErrorCode> error;  // nullopt: allowed
    bool audited;
  };
  using enum Direction;
  constexpr auto G = RetentionMode::kGovernance;
  constexpr auto C = RetentionMode::kCompliance;
  constexpr auto kLocked = ErrorCode::kFailedPrecondition;
  constexpr auto kDenied = ErrorCode::kPermissionDenied;
  const std::vector<Expect> table = {
      // Compliance: only the same or later, compliance; nobody weakens it, bypass or not.
      {C, kSame, false, false, std::nullopt, false},
      {C, kSame, true, false, std::nullopt, false},
      {C, kExtend, false, false, std::nullopt, false},
      {C, kExtend, true, false, std::nullopt, false},
      {C, kExtend, true, true, std::nullopt, false},
      {C, kExtend, false, true, kDenied, false},
      {C, kShorten, false, false, kLocked, false},
      {C, kShorten, true, false, kLocked, false},
      {C, kShorten, true, true, kLocked, false},
      {C, kShorten, false, true, kDenied, false},
      {C, kRemove, false, false, kLocked, false},
      {C, kRemove, true, false, kLocked, false},
      {C, kRemove, true, true, kLocked, false},
      {C, kRemove, false, true, kDenied, false},
      {C, kToGovernance, false, false, kLocked, false},
      {C, kToGovernance, true, false, kLocked, false},
      {C, kToGovernance, true, true, kLocked, false},
      {C, kToGovernance, false, true, kDenied, false},
      {C, kToCompliance, true, true, std::nullopt, false},
      // Governance: extending or moving to compliance is free; weakening needs an admin's bypass.
      {G, kSame, false, false, std::nullopt, false},
      {G, kExtend, false, false, std::nullopt, false},
      {G, kExtend, true, false, std::nullopt, false},
      {G, kExtend, true, true, std::nullopt, false},
      {G, kExtend, false, true, kDenied, false},
      {G, kToCompliance, false, false, std::nullopt, false},
      {G, kToCompliance, true, true, std::nullopt, false},
      {G, kToGovernance, false, false, std::nullopt, false},
      {G, kShorten, false, false, kLocked, false},
      {G, kShorten, true, false, kLocked, false},
      {G, kShorten, false, true, kDenied, false},
      {G, kShorten, true, true, std::nullopt, true},
      {G, kRemove, false, false, kLocked, false},
      {G, kRemove, true, false, kLocked, false},
      {G, kRemove, false, true, kDenied, false},
      {G, kRemove, true, true, std::nullopt, true},
  };
  for (const Expect& e : table) {
    CAPTURE(to_string(e.mode), static_cast<int>(e.direction), e.admin, e.bypass);
    const std::optional<Retention> current = Retention{e.mode, until};
    auto r = check_retention_change(current, requested(e.mode, e.direction),
                                    {.admin = e.admin, .bypass_governance = e.bypass}, kNow);
    if (e.error) {
      REQUIRE_FALSE(r);
      CHECK(r.error().code == *e.error);
      if (*e.error == kLocked) {
        CHECK(r.error().reason == "retention_locked");
        CHECK(r.error().message.find(format_retention_time(until)) != std::string::npos);
      }
    } else {
      REQUIRE(r);
      CHECK(r->bypassed_governance == e.audited);
    }
  }
}

TEST_CASE("an expired retention, or none, may become anything", "[unit][retention]") {
  for (auto mode : {RetentionMode::kGovernance, RetentionMode::kCompliance}) {
    const std::optional<Retention> expired = Retention{mode, kNow};  // not active at kNow
    CHECK(check_retention_change(expired, std::nullopt, {}, kNow));
    CHECK(check_retention_change(expired, gov(kNow + days(1)), {}, kNow));
    CHECK(check_retention_change(std::nullopt, comp(kNow + days(1)), {}, kNow));
    CHECK(check_retention_change(std::nullopt, std::nullopt, {}, kNow));
  }
}

TEST_CASE("a retention is set into the future only", "[unit][retention]") {
  auto r = check_retention_change(std::nullopt, gov(kNow), {}, kNow);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK_FALSE(check_retention_change(std::nullopt, comp(kNow - days(1)), {.admin = true}, kNow));
}

TEST_CASE("a compliance namespace configuration only gets stronger", "[unit][retention]") {
  const NamespaceRetention c{RetentionMode::kCompliance, 30, false};
  auto locked = [](const Status& s) {
    return !s && s.error().code == ErrorCode::kFailedPrecondition &&
           s.error().reason == "retention_locked";
  };
  CHECK(locked(check_namespace_retention_change(c, std::nullopt)));
  CHECK(locked(check_namespace_retention_change(
      c, NamespaceRetention{RetentionMode::kGovernance, 30, false})));
  CHECK(locked(check_namespace_retention_change(
      c, NamespaceRetention{RetentionMode::kCompliance, 29, false})));
  CHECK(locked(check_namespace_retention_change(
      c, NamespaceRetention{RetentionMode::kCompliance, 30, true})));
  CHECK(check_namespace_retention_change(c, c));
  CHECK(check_namespace_retention_change(
      c, NamespaceRetention{RetentionMode::kCompliance, 31, false}));
  // An overwritable compliance namespace may stop allowing overwrites.
  CHECK(check_namespace_retention_change(NamespaceRetention{RetentionMode::kCompliance, 30, true},
                                         c));
  // Governance (or none) may become anything, removal included.
  const NamespaceRetention g{RetentionMode::kGovernance, 30, false};
  CHECK(check_namespace_retention_change(g, std::nullopt));
  CHECK(
      check_namespace_retention_change(g, NamespaceRetention{RetentionMode::kGovernance, 1, true}));
  CHECK(check_namespace_retention_change(std::nullopt, c));
  auto too_long = check_namespace_retention_change(
      std::nullopt, NamespaceRetention{RetentionMode::kGovernance, 36501, false});
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("the namespace default: the later date, compliance if either says so",
          "[unit][retention]") {
  const NamespaceRetention c{RetentionMode::kCompliance, 10, false};
  const NamespaceRetention g{RetentionMode::kGovernance, 10, false};
  CHECK(*apply_namespace_default(c, std::nullopt, kNow) == comp(kNow + days(10)));
  CHECK(*apply_namespace_default(g, gov(kNow + days(3)), kNow) == gov(kNow + days(10)));
  CHECK(*apply_namespace_default(g, comp(kNow + days(30)), kNow) == comp(kNow + days(30)));
  CHECK(*apply_namespace_default(c, gov(kNow + days(30)), kNow) == comp(kNow + days(30)));
  const NamespaceRetention none{RetentionMode::kCompliance, 0, false};
  CHECK_FALSE(apply_namespace_default(none, std::nullopt, kNow));
  CHECK(*apply_namespace_default(none, gov(kNow + days(1)), kNow) == gov(kNow + days(1)));
}

TEST_CASE("an object is deletable unless on hold or retained", "[unit][retention]") {
  Object o = committed_object();
  CHECK_FALSE(o.locked(kNow));
  CHECK(o.check_deletable(kNow));

  REQUIRE(o.set_legal_hold(true));
  CHECK(o.locked(kNow + days(100000)));
  auto held = o.check_deletable(kNow);
  REQUIRE_FALSE(held);
  CHECK(held.error().code == ErrorCode::kFailedPrecondition);
  CHECK(held.error().reason == "object_locked");
  CHECK(held.error().message.find("legal hold") != std::string::npos);
  REQUIRE(o.set_legal_hold(false));

  REQUIRE(o.change_retention(comp(kNow + days(1)), {}, kNow));
  auto retained = o.check_deletable(kNow + days(1) - std::chrono::microseconds(1));
  REQUIRE_FALSE(retained);
  CHECK(retained.error().reason == "object_locked");
  CHECK(retained.error().message.find("compliance retention until " +
                                      format_retention_time(kNow + days(1))) != std::string::npos);
  CHECK(o.check_deletable(kNow + days(1)));  // expires exactly at retain_until
  // A failed change leaves the object as it was.
  CHECK_FALSE(o.change_retention(std::nullopt, {.admin = true, .bypass_governance = true}, kNow));
  CHECK(*o.retention() == comp(kNow + days(1)));
}

TEST_CASE("upload-time locks only while WRITING, retention into the future", "[unit][retention]") {
  auto id = ObjectId::parse("0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f");
  Object w = Object::begin(*id, *Namespace::parse("ns"), *TenantId::parse("t1"), std::nullopt,
                           StorageClass::kHot, "text/plain", kNow);
  CHECK(w.set_lock(gov(kNow + days(1)), true, kNow).has_value());
  CHECK(w.legal_hold());
  CHECK(w.set_lock(gov(kNow), false, kNow).error().code == ErrorCode::kInvalidArgument);
  Object c = committed_object();
  CHECK(c.set_lock(std::nullopt, true, kNow).error().code == ErrorCode::kFailedPrecondition);
  CHECK_FALSE(c.legal_hold());
  // A DELETING object's retention and hold do not change.
  REQUIRE(c.mark_deleting(kNow));
  CHECK_FALSE(c.set_legal_hold(true));
  CHECK_FALSE(c.change_retention(gov(kNow + days(1)), {}, kNow));
}

}  // namespace castor
