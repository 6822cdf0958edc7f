#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "application/ports/checksummer.h"
#include "domain/base64.h"
#include "domain/hex.h"
#include "infrastructure/checksummers.h"
#include "infrastructure/crc64_nvme.h"

namespace castor {
namespace {

std::unique_ptr<Checksummer> make(ChecksumAlgorithm algorithm) {
  auto c = make_checksummer(algorithm);
  REQUIRE(c);
  return std::move(*c);
}

std::vector<std::uint8_t> one_shot(ChecksumAlgorithm algorithm, std::string_view data) {
  auto c = make(algorithm);
  c->update(data);
  return c->digest();
}

std::string hex_of(ChecksumAlgorithm algorithm, std::string_view data) {
  return to_hex(one_shot(algorithm, data));
}

std::string base64_of(ChecksumAlgorithm algorithm, std::string_view data) {
  return base64_encode(one_shot(algorithm, data));
}

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) {
    c = static_cast<char>(rng() & 0xFF);
  }
  return out;
}

// Bit-at-a-time reflected CRCs (init and xorout ~0): the definitions, to check the table and
// SIMD code against on arbitrary data.
std::uint64_t reference_crc(std::uint64_t reflected_polynomial, int width, std::string_view data) {
  const std::uint64_t mask = width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
  std::uint64_t crc = mask;
  for (const char ch : data) {
    crc ^= static_cast<unsigned char>(ch);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) != 0 ? (crc >> 1) ^ reflected_polynomial : crc >> 1;
    }
  }
  return ~crc & mask;
}
constexpr std::uint64_t kCrc32Reflected = 0xEDB88320;
constexpr std::uint64_t kCrc32cReflected = 0x82F63B78;
constexpr std::uint64_t kCrc64NvmeReflected = 0x9A6C9329AC4BC9B5;

std::string be_hex(std::uint64_t value, int bytes) {
  std::vector<std::uint8_t> out;
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  return to_hex(out);
}

}  // namespace

TEST_CASE("checksums of \"123456789\" are the catalogued check values", "[unit]") {
  // The CRC catalogue's check values (CRC-32/ISO-HDLC, CRC-32/ISCSI, CRC-64/NVME) and the
  // digests every implementation agrees on.
  const std::string_view check = "123456789";
  CHECK(hex_of(ChecksumAlgorithm::kCrc32, check) == "cbf43926");
  CHECK(hex_of(ChecksumAlgorithm::kCrc32c, check) == "e3069283");
  CHECK(hex_of(ChecksumAlgorithm::kCrc64Nvme, check) == "ae8b14860a799888");
  CHECK(hex_of(ChecksumAlgorithm::kSha1, check) == "f7c3bc1d808e04732adf679965ccc34ca7ae3441");
  CHECK(hex_of(ChecksumAlgorithm::kSha256, check) ==
        "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225");
  CHECK(hex_of(ChecksumAlgorithm::kMd5, check) == "25f9e794323b453885f5181f1b624d0b");
}

TEST_CASE("checksums of \"Hello world\" are the AWS SDKs' test values", "[unit]") {
  // The base64 values of the AWS SDK for Kotlin's checksum tests (SuccessfulChecksumResponseTest,
  // body "Hello world") and aws-checksums' crc64_test.c (0x38E259D03F312ADB).
  const std::string_view hello = "Hello world";
  CHECK(base64_of(ChecksumAlgorithm::kCrc32, hello) == "i9aeUg==");
  CHECK(base64_of(ChecksumAlgorithm::kCrc32c, hello) == "crUfeA==");
  CHECK(base64_of(ChecksumAlgorithm::kCrc64Nvme, hello) == "OOJZ0D8xKts=");
  CHECK(hex_of(ChecksumAlgorithm::kCrc64Nvme, hello) == "38e259d03f312adb");
  CHECK(base64_of(ChecksumAlgorithm::kSha1, hello) == "e1AsOh9IyGCa4hLN+2Od7jlnP14=");
  CHECK(base64_of(ChecksumAlgorithm::kSha256, hello) ==
        "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=");
  // Content-MD5 of the same body (RFC 1321's MD5, as `openssl md5 -binary | base64` gives it).
  CHECK(base64_of(ChecksumAlgorithm::kMd5, hello) == "PiWWCnnbxptnTNTsZ6csYg==");
}

TEST_CASE("CRC64NVME matches aws-checksums' known values", "[unit]") {
  // crc64_test.c of awslabs/aws-checksums: 32 zero bytes, and the bytes 0..31.
  std::string values(32, '\0');
  for (int i = 0; i < 32; ++i) {
    values[static_cast<std::size_t>(i)] = static_cast<char>(i);
  }
  CHECK(hex_of(ChecksumAlgorithm::kCrc64Nvme, std::string(32, '\0')) == "cf3473434d4ecf3b");
  CHECK(hex_of(ChecksumAlgorithm::kCrc64Nvme, values) == "b9d9d4a8492cbd7f");
  CHECK(crc64_nvme_update(0, "123456789", 9) == 0xAE8B14860A799888);
  // SPDK's NVMe test vectors (NVM Command Set Specification): 4096 bytes of 0x00, of 0xFF.
  CHECK(crc64_nvme_update(0, std::string(4096, '\0').data(), 4096) == 0x6482D367EB22B64E);
  CHECK(crc64_nvme_update(0, std::string(4096, '\xFF').data(), 4096) == 0xC0DDBA7302ECA3AC);
}

TEST_CASE("checksums of nothing", "[unit]") {
  CHECK(hex_of(ChecksumAlgorithm::kCrc32, "") == "00000000");
  CHECK(hex_of(ChecksumAlgorithm::kCrc32c, "") == "00000000");
  CHECK(hex_of(ChecksumAlgorithm::kCrc64Nvme, "") == "0000000000000000");
  CHECK(hex_of(ChecksumAlgorithm::kSha1, "") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(hex_of(ChecksumAlgorithm::kSha256, "") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex_of(ChecksumAlgorithm::kMd5, "") == "d41d8cd98f00b204e9800998ecf8427e");
  auto c = make(ChecksumAlgorithm::kCrc32c);
  c->update(nullptr, 0);
  CHECK(to_hex(c->digest()) == "00000000");
}

TEST_CASE("the CRCs agree with their bit-at-a-time definitions on arbitrary data", "[unit]") {
  // Lengths and offsets around the 8- and 16-byte blocks of the table and SIMD code, and past
  // the 256-byte folds ISA-L switches to.
  const std::string data = random_bytes(5000, 7);
  for (std::size_t offset : {0, 1, 3, 7}) {
    for (std::size_t length :
         {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 127, 255, 256, 257, 1023, 4096, 4993}) {
      const std::string_view piece = std::string_view(data).substr(offset, length);
      INFO("offset " << offset << ", length " << length);
      CHECK(hex_of(ChecksumAlgorithm::kCrc32, piece) ==
            be_hex(reference_crc(kCrc32Reflected, 32, piece), 4));
      CHECK(hex_of(ChecksumAlgorithm::kCrc32c, piece) ==
            be_hex(reference_crc(kCrc32cReflected, 32, piece), 4));
      CHECK(hex_of(ChecksumAlgorithm::kCrc64Nvme, piece) ==
            be_hex(reference_crc(kCrc64NvmeReflected, 64, piece), 8));
      CHECK(crc64_nvme_update(0, piece.data(), piece.size()) ==
            reference_crc(kCrc64NvmeReflected, 64, piece));
    }
  }
}

TEST_CASE("incremental checksums equal one-shot ones at every split point", "[unit]") {
  const std::string data = random_bytes(300, 42);
  for (ChecksumAlgorithm algorithm : kChecksumAlgorithms) {
    INFO(checksum_name(algorithm));
    const std::vector<std::uint8_t> whole = one_shot(algorithm, data);
    REQUIRE(whole.size() == checksum_size(algorithm));
    for (std::size_t split = 0; split <= data.size(); ++split) {
      auto c = make(algorithm);
      c->update(std::string_view(data).substr(0, split));
      const std::vector<std::uint8_t> first = c->digest();  // must not disturb the stream
      c->update(std::string_view(data).substr(split));
      INFO("split at " << split);
      REQUIRE(c->digest() == whole);
      REQUIRE(first == one_shot(algorithm, std::string_view(data).substr(0, split)));
    }
    // Three pieces at every pair of cut points of a shorter prefix.
    const std::string_view shorter = std::string_view(data).substr(0, 40);
    const std::vector<std::uint8_t> shorter_whole = one_shot(algorithm, shorter);
    for (std::size_t a = 0; a <= shorter.size(); ++a) {
      for (std::size_t b = a; b <= shorter.size(); ++b) {
        auto c = make(algorithm);
        c->update(shorter.substr(0, a));
        c->update(shorter.substr(a, b - a));
        c->update(shorter.substr(b));
        REQUIRE(c->digest() == shorter_whole);
      }
    }
    // One byte at a time.
    auto c = make(algorithm);
    for (char ch : data) {
      c->update(&ch, 1);
    }
    CHECK(c->digest() == whole);
  }
  // The software CRC-64/NVME chains the same way on its own.
  const std::uint64_t whole = crc64_nvme_update(0, data.data(), data.size());
  for (std::size_t split = 0; split <= data.size(); ++split) {
    REQUIRE(crc64_nvme_update(crc64_nvme_update(0, data.data(), split), data.data() + split,
                              data.size() - split) == whole);
  }
}

TEST_CASE("a large input in uneven pieces gives the one-shot digest", "[unit]") {
  const std::string data = random_bytes((3 << 20) + 13, 3);
  for (ChecksumAlgorithm algorithm : kChecksumAlgorithms) {
    auto c = make(algorithm);
    for (std::size_t at = 0, step = 1; at < data.size(); at += step, step = step * 3 + 1) {
      c->update(std::string_view(data).substr(at, step));
    }
    CHECK(c->digest() == one_shot(algorithm, data));
  }
  CHECK(to_hex(one_shot(ChecksumAlgorithm::kCrc64Nvme, data)) ==
        be_hex(reference_crc(kCrc64NvmeReflected, 64, data), 8));
}

TEST_CASE("checksum algorithms: names, sizes and the factory", "[unit]") {
  CHECK(parse_checksum_algorithm("CRC32") == ChecksumAlgorithm::kCrc32);
  CHECK(parse_checksum_algorithm("crc32c") == ChecksumAlgorithm::kCrc32c);
  CHECK(parse_checksum_algorithm("Crc64Nvme") == ChecksumAlgorithm::kCrc64Nvme);
  CHECK(parse_checksum_algorithm("sha1") == ChecksumAlgorithm::kSha1);
  CHECK(parse_checksum_algorithm("SHA256") == ChecksumAlgorithm::kSha256);
  CHECK(parse_checksum_algorithm("MD5") == ChecksumAlgorithm::kMd5);
  CHECK_FALSE(parse_checksum_algorithm("CRC64"));
  CHECK_FALSE(parse_checksum_algorithm("SHA-256"));
  CHECK_FALSE(parse_checksum_algorithm(""));
  CHECK_FALSE(parse_checksum_algorithm("CRC32 "));

  const Checksummers factory;
  const ChecksummerFactory& port = factory;
  for (ChecksumAlgorithm algorithm : kChecksumAlgorithms) {
    auto c = port.create(algorithm);
    REQUIRE(c);
    CHECK((*c)->algorithm() == algorithm);
    CHECK((*c)->digest().size() == checksum_size(algorithm));
    CHECK(parse_checksum_algorithm(checksum_name(algorithm)) == algorithm);
  }
}

}  // namespace castor
