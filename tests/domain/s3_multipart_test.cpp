// S3 multipart rules (domain/s3_multipart.h): the part list of CompleteMultipartUpload against
// the parts held, the multipart ETag and the composite checksum, with values computed by Python's
// hashlib and zlib.
#include "domain/s3_multipart.h"

#include <vector>

#include <catch2/catch.hpp>

#include "domain/hex.h"

namespace castor {
namespace {

ContentHash h(char c) { return *ContentHash::parse(std::string(64, c)); }

UploadPart part(std::uint32_t n, char c, std::uint64_t size, std::string md5,
                ObjectAttributes::Pairs checksums = {}) {
  return {.number = n,
          .hash = h(c),
          .size_bytes = size,
          .md5 = std::move(md5),
          .checksums = std::move(checksums),
          .uploaded_at = {}};
}

// md5("hello ") and md5("world").
const std::string kMd5Hello = "f814893777bcc2295fff05f00e508da6";
const std::string kMd5World = "7d793037a0760186574b0282f2f435e7";

std::vector<UploadPart> held() {
  return {part(1, 'a', 10, kMd5Hello), part(2, 'b', 10, kMd5World),
          part(5, 'c', 3, std::string(32, '0'))};
}

std::string reason_of(const Result<std::vector<UploadPart>>& r) {
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  return r.error().reason;
}

}  // namespace

TEST_CASE("check_completion returns the listed parts as held, in order", "[unit][s3]") {
  const auto held_parts = held();
  // Quotes and uppercase hex are accepted, as S3 does; part 2 is left out.
  const std::vector<S3ListedPart> listed{{1, "\"F814893777BCC2295FFF05F00E508DA6\""},
                                         {5, std::string(32, '0')}};
  auto chosen = check_completion(held_parts, listed, 10);
  REQUIRE(chosen);
  REQUIRE(chosen->size() == 2);
  CHECK((*chosen)[0].number == 1);
  CHECK((*chosen)[0].hash == h('a'));
  CHECK((*chosen)[1].number == 5);
  // The last part may be under the minimum.
  CHECK((*chosen)[1].size_bytes == 3);
}

TEST_CASE("check_completion names S3's errors", "[unit][s3]") {
  const auto parts = held();
  using L = std::vector<S3ListedPart>;
  CHECK(reason_of(check_completion(parts, L{}, 1)) == "InvalidPart");
  CHECK(reason_of(check_completion(parts, L{{3, kMd5Hello}}, 1)) == "InvalidPart");
  CHECK(reason_of(check_completion(parts, L{{1, kMd5World}}, 1)) == "InvalidPart");
  CHECK(reason_of(check_completion(parts, L{{1, ""}}, 1)) == "InvalidPart");
  CHECK(reason_of(check_completion(parts, L{{2, kMd5World}, {1, kMd5Hello}}, 1)) ==
        "InvalidPartOrder");
  CHECK(reason_of(check_completion(parts, L{{1, kMd5Hello}, {1, kMd5Hello}}, 1)) ==
        "InvalidPartOrder");
  // Part 1 (10 bytes) is not the last and under 11 bytes; at 10 it passes.
  CHECK(reason_of(check_completion(parts, L{{1, kMd5Hello}, {2, kMd5World}}, 11)) ==
        "EntityTooSmall");
  CHECK(check_completion(parts, L{{1, kMd5Hello}, {2, kMd5World}}, 10));
  // A part without an MD5 (stored natively) never matches.
  const std::vector<UploadPart> native{part(1, 'a', 1, "")};
  CHECK(reason_of(check_completion(native, L{{1, ""}}, 1)) == "InvalidPart");
}

TEST_CASE("the multipart ETag is the MD5 of the part MD5s, dash, the count", "[unit][s3]") {
  const auto parts = held();
  auto input = multipart_etag_input(std::span(parts).first(2));
  REQUIRE(input);
  CHECK(to_hex(*input) == kMd5Hello + kMd5World);
  std::vector<std::uint8_t> md5(16);
  REQUIRE(from_hex("e09e4fd6265b36115fe3db32df945d84", md5));  // md5 of the 32 bytes above
  CHECK(multipart_etag(md5, 2) == "e09e4fd6265b36115fe3db32df945d84-2");

  const std::vector<UploadPart> bad{part(7, 'a', 1, "xyz")};
  CHECK_FALSE(multipart_etag_input(bad));
}

TEST_CASE("a composite checksum is over the parts' decoded checksums", "[unit][s3]") {
  // crc32("hello ") = 7YH59g==, crc32("world") = OncRQw==; crc32 of their 8 bytes = 1Fu2mQ==.
  const std::vector<UploadPart> parts{part(1, 'a', 6, kMd5Hello, {{"crc32", "7YH59g=="}}),
                                      part(2, 'b', 5, kMd5World, {{"crc32", "OncRQw=="}})};
  auto input = composite_checksum_input(parts, "crc32");
  REQUIRE(input);
  CHECK(to_hex(*input) == "ed81f9f63a771143");
  CHECK_FALSE(composite_checksum_input(parts, "crc32c"));
  const std::vector<std::uint8_t> crc{0xd4, 0x5b, 0xb6, 0x99};
  CHECK(composite_checksum(crc, 2) == "1Fu2mQ==-2");
}

}  // namespace castor
