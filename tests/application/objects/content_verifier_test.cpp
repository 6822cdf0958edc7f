// ContentVerifier: the re-hash behind GET ?verify=true.
#include "application/objects/content_verifier.h"

#include <span>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "fakes/memory_blob_store.h"
#include "infrastructure/checksummers.h"

namespace castor {
namespace {

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

}  // namespace

TEST_CASE("the verifier accepts exactly the content named by its hash", "[unit][tier]") {
  const Checksummers sha256;
  const std::string content = "hello, verified world";
  const ContentHash expected = testing::sha256_of(content);

  auto whole = ContentVerifier::create(sha256, expected, content.size());
  REQUIRE(whole);
  (*whole)->update(bytes_of(content.substr(0, 5)));
  (*whole)->update(bytes_of(content.substr(5)));
  CHECK((*whole)->seen() == content.size());
  const auto ok = (*whole)->finish();
  CHECK(ok.intact);
  CHECK(ok.actual == expected);

  auto rotten = ContentVerifier::create(sha256, expected, content.size());
  REQUIRE(rotten);
  std::string other = content;
  other[3] = 'L';
  (*rotten)->update(bytes_of(other));
  const auto bad = (*rotten)->finish();
  CHECK_FALSE(bad.intact);
  CHECK(bad.actual == testing::sha256_of(other));

  // Fewer bytes than the object's size: not intact even if the hash were to match.
  auto shortened = ContentVerifier::create(sha256, expected, content.size() + 1);
  REQUIRE(shortened);
  (*shortened)->update(bytes_of(content));
  CHECK_FALSE((*shortened)->finish().intact);
}

}  // namespace castor
