#include "client/part_layout.h"

#include <catch2/catch.hpp>

namespace castor::client {

TEST_CASE("part layout: parts of the requested size, the last one shorter", "[unit][client]") {
  const PartLayout layout(10, 4);
  CHECK(layout.part_size() == 4);
  REQUIRE(layout.count() == 3);
  CHECK(layout.offset(1) == 0);
  CHECK(layout.size_of(1) == 4);
  CHECK(layout.offset(2) == 4);
  CHECK(layout.size_of(2) == 4);
  CHECK(layout.offset(3) == 8);
  CHECK(layout.size_of(3) == 2);

  const PartLayout exact(12, 4);
  CHECK(exact.count() == 3);
  CHECK(exact.size_of(3) == 4);

  const PartLayout one(3, 4);
  CHECK(one.count() == 1);
  CHECK(one.size_of(1) == 3);
  CHECK(PartLayout(0, 4).count() == 0);
}

TEST_CASE("part layout: the part size grows to keep at most 10,000 parts", "[unit][client]") {
  constexpr std::uint64_t kMiB = 1024 * 1024;
  const PartLayout fits(10'000 * kMiB, kMiB);
  CHECK(fits.part_size() == kMiB);
  CHECK(fits.count() == 10'000);

  // One byte more: the next multiple of 1 MiB that fits.
  const PartLayout raised(10'000 * kMiB + 1, kMiB);
  CHECK(raised.part_size() == 2 * kMiB);
  CHECK(raised.count() == 5'001);
  CHECK(raised.size_of(5'001) == 1);

  const std::uint64_t tib = 1024 * 1024 * kMiB;
  const PartLayout huge(tib, 64 * kMiB);
  CHECK(huge.count() <= kMaxUploadParts);
  CHECK(huge.part_size() % kMiB == 0);
  CHECK(huge.offset(huge.count()) + huge.size_of(huge.count()) == tib);
  // The same inputs give the same layout (what resuming relies on).
  CHECK(PartLayout(tib, 64 * kMiB).part_size() == huge.part_size());
  CHECK(PartLayout(5, 0).part_size() == 1);  // never divides by zero
}

TEST_CASE("part layout: sessions only for files over the part size", "[unit][client]") {
  CHECK_FALSE(needs_session(64, 64));
  CHECK(needs_session(65, 64));
  CHECK_FALSE(needs_session(0, 1));
}

}  // namespace castor::client
