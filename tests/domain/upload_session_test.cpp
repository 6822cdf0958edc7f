// Segments and the upload-session entity: layout, lookup by offset, and what a completion plans.
#include "domain/upload_session.h"

#include <vector>

#include <catch2/catch.hpp>

namespace castor {
namespace {

using std::chrono::seconds;

ContentHash h(char c) { return *ContentHash::parse(std::string(64, c)); }

const Timestamp kT0{std::chrono::microseconds(1'700'000'000'000'000)};

// A blob session's fields (no namespace), before open() fills in state and times.
UploadSession::Fields fields() {
  return {.id = *UploadId::parse("00000000-0000-4000-8000-000000000001"),
          .tenant = *TenantId::parse("acme"),
          .ns = {},
          .key = {},
          .storage_class = StorageClass::kHot,
          .size_bytes = {},
          .sha256 = {},
          .content_type = {},
          .state = UploadSession::State::kOpen,
          .created_at = {},
          .expires_at = {},
          .outcome = {}};
}

UploadSession open_session(std::optional<std::uint64_t> size = std::nullopt) {
  UploadSession::Fields f = fields();
  f.ns = *Namespace::parse("ns");
  f.size_bytes = size;
  return *UploadSession::open(std::move(f), kT0, seconds(60));
}

}  // namespace

TEST_CASE("segments are laid end to end and found by offset", "[unit]") {
  const std::vector<SegmentPiece> pieces{{h('a'), 3}, {h('b'), 5}, {h('c'), 1}};
  auto segments = lay_out_segments(pieces);
  REQUIRE(segments);
  CHECK(*segments == std::vector<Segment>{{h('a'), 0, 3}, {h('b'), 3, 5}, {h('c'), 8, 1}});
  CHECK(segments_size(*segments) == 9);
  CHECK(segment_at(*segments, 0) == 0);
  CHECK(segment_at(*segments, 2) == 0);
  CHECK(segment_at(*segments, 3) == 1);
  CHECK(segment_at(*segments, 7) == 1);
  CHECK(segment_at(*segments, 8) == 2);
  CHECK(segment_at(*segments, 9) == 3);  // past the end
  CHECK(segments_size({}) == 0);

  const std::vector<SegmentPiece> empty_piece{{h('a'), 3}, {h('b'), 0}};
  CHECK_FALSE(lay_out_segments(empty_piece));
  const std::vector<SegmentPiece> overflow{{h('a'), UINT64_MAX}, {h('b'), 1}};
  CHECK_FALSE(lay_out_segments(overflow));
}

TEST_CASE("a key or content type needs a namespace", "[unit]") {
  UploadSession::Fields f = fields();
  f.key = *ObjectKey::parse("k");
  auto s = UploadSession::open(f, kT0, seconds(60));
  REQUIRE_FALSE(s);
  CHECK(s.error().code == ErrorCode::kInvalidArgument);
  f.key.reset();
  auto blob_session = UploadSession::open(f, kT0, seconds(60));
  REQUIRE(blob_session);
  CHECK_FALSE(blob_session->completes_into_object());
  CHECK(blob_session->fields().expires_at == kT0 + seconds(60));
}

TEST_CASE("a completion plans the chosen parts, or all of them", "[unit]") {
  const UploadSession session = open_session();
  const std::vector<UploadPart> held{{1, h('a'), 4}, {2, h('b'), 4}, {5, h('c'), 2}};

  auto all = session.plan(held, {}, 100);
  REQUIRE(all);
  CHECK(*all == std::vector<Segment>{{h('a'), 0, 4}, {h('b'), 4, 4}, {h('c'), 8, 2}});

  const std::vector<std::uint32_t> some{1, 5};
  auto chosen = session.plan(held, some, 100);
  REQUIRE(chosen);
  CHECK(*chosen == std::vector<Segment>{{h('a'), 0, 4}, {h('c'), 4, 2}});

  for (const std::vector<std::uint32_t>& bad :
       {std::vector<std::uint32_t>{2, 1}, {1, 1}, {1, 3}, {6}}) {
    auto r = session.plan(held, bad, 100);
    REQUIRE_FALSE(r);
    CHECK(r.error().reason == "invalid_parts");
  }
  auto none = session.plan({}, {}, 100);
  REQUIRE_FALSE(none);
  CHECK(none.error().reason == "invalid_parts");

  auto too_big = session.plan(held, {}, 9);
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().code == ErrorCode::kOutOfRange);

  auto declared = open_session(11).plan(held, {}, 100);
  REQUIRE_FALSE(declared);
  CHECK(declared.error().reason == "size_mismatch");
  CHECK(open_session(10).plan(held, {}, 100));
}

TEST_CASE("a part extends the expiry; a completed or expired session takes none", "[unit]") {
  UploadSession session = open_session();
  REQUIRE(session.accept_part(kT0 + seconds(30), seconds(60)));
  CHECK(session.fields().expires_at == kT0 + seconds(90));
  CHECK_FALSE(session.expired(kT0 + seconds(89)));
  CHECK(session.expired(kT0 + seconds(90)));

  auto late = session.accept_part(kT0 + seconds(91), seconds(60));
  REQUIRE_FALSE(late);
  CHECK(late.error().code == ErrorCode::kNotFound);

  REQUIRE(session.complete({h('a'), 4, std::nullopt}));
  auto done = session.accept_part(kT0 + seconds(31), seconds(60));
  REQUIRE_FALSE(done);
  CHECK(done.error().reason == "upload_not_open");
  CHECK_FALSE(session.complete({h('a'), 4, std::nullopt}));
}

}  // namespace castor
