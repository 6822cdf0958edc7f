#include "domain/base64.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

namespace castor {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("base64 encodes RFC 4648's test vectors", "[unit]") {
  CHECK(base64_encode(bytes("")) == "");
  CHECK(base64_encode(bytes("f")) == "Zg==");
  CHECK(base64_encode(bytes("fo")) == "Zm8=");
  CHECK(base64_encode(bytes("foo")) == "Zm9v");
  CHECK(base64_encode(bytes("foob")) == "Zm9vYg==");
  CHECK(base64_encode(bytes("fooba")) == "Zm9vYmE=");
  CHECK(base64_encode(bytes("foobar")) == "Zm9vYmFy");
  CHECK(base64_encode(std::vector<std::uint8_t>{0xFB, 0xFF, 0xBF}) == "+/+/");
}

TEST_CASE("base64 decodes canonical text only", "[unit]") {
  CHECK(base64_decode("") == bytes(""));
  CHECK(base64_decode("Zg==") == bytes("f"));
  CHECK(base64_decode("Zm8=") == bytes("fo"));
  CHECK(base64_decode("Zm9vYmFy") == bytes("foobar"));
  CHECK(base64_decode("+/+/") == std::vector<std::uint8_t>{0xFB, 0xFF, 0xBF});
  for (std::string_view bad :
       {"Zg", "Zg=", "Zg===", "Zh==", "Zm9=", "Zm9vYg=a", "Zm=v", "=Zm9", "====", "Z===", "Zm9v\n",
        " Zm9v", "Zm9v ", "-_-_", "Zm9v*A==", "Zg==Zg=="}) {
    INFO(bad);
    CHECK_FALSE(base64_decode(bad));
  }
  // Every byte value, in every position of a group, survives the round trip.
  std::vector<std::uint8_t> all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<std::uint8_t>(i));
  }
  for (std::size_t n = 0; n <= all.size(); ++n) {
    const std::vector<std::uint8_t> head(all.begin(), all.begin() + static_cast<long>(n));
    REQUIRE(base64_decode(base64_encode(head)) == head);
  }
}

}  // namespace castor
