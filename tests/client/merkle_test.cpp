#include "client/merkle.h"

#include <catch2/catch.hpp>

#include "client/sha256.h"

namespace castor::client {

// Expected values computed independently (Python hashlib) from the rule in
// docs/BLOBS_AND_BUNDLES.md.
TEST_CASE("merkle root of a bundle, as fal-bundles defines it", "[unit][client]") {
  const std::string a = sha256_hex("a");
  const std::string c = sha256_hex("c");
  CHECK(a == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
  CHECK(merkle_root({}) == kEmptySha256);
  CHECK(merkle_root({{"a.txt", a}}) ==
        "afbba30dc1a9c9c38da4211761f59f7d059327416e9e7d9e0d86a47116e11dfe");
  // Three leaves (an odd level), given unsorted.
  CHECK(merkle_root({{"b/c.bin", c}, {"a.txt", a}, {"Z", std::string(kEmptySha256)}}) ==
        "b8b7b272aab13abeb76181f4438d6815eeecd720d7484ad00c143977f0f53889");
}

}  // namespace castor::client
