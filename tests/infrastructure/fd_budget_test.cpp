#include "infrastructure/fd_budget.h"

#include <catch2/catch.hpp>

namespace castor {

TEST_CASE("the default MAX_CONNECTIONS leaves the reserve and two descriptors a connection",
          "[unit]") {
  const FdBudget budget;
  // 64 base + 2 x 8 pool + 32 metrics + 32 refusals = 144.
  CHECK(budget.reserve(8) == 144);
  CHECK(budget.max_connections(1024, 8) == 440);
  CHECK(budget.max_connections(1'048'576, 8) == 524'216);
  CHECK(budget.max_connections(1'048'576, 100) == 524'124);
  for (std::uint64_t limit : {1024u, 4096u, 65536u}) {
    INFO(limit);
    CHECK(budget.needed(budget.max_connections(limit, 8), 8) <= limit);
    CHECK(budget.needed(budget.max_connections(limit, 8) + 1, 8) > limit);
  }
}

TEST_CASE("a tiny fd limit still allows one connection", "[unit]") {
  const FdBudget budget;
  CHECK(budget.max_connections(0, 8) == 1);
  CHECK(budget.max_connections(100, 8) == 1);
  CHECK(budget.max_connections(146, 8) == 1);
}

}  // namespace castor
