#include "infrastructure/aes_gcm_secret_box.h"

#include <catch2/catch.hpp>

#include <cctype>
#include <fstream>
#include <set>

#include "support/temp_dir.h"

namespace castor {
namespace {

using testing::TempDir;

std::array<std::uint8_t, AesGcmSecretBox::kKeyBytes> key_of(std::uint8_t first) {
  std::array<std::uint8_t, AesGcmSecretBox::kKeyBytes> key{};
  for (std::size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<std::uint8_t>(first + i);
  }
  return key;
}

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kId = "CKABCDEFGHIJKLMNOPQR";

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

bool is_data_loss(const Result<std::string>& r) {
  return !r && r.error().code == ErrorCode::kDataLoss;
}

TEST_CASE("AES-GCM seals and opens a secret with its associated data", "[unit][s3]") {
  AesGcmSecretBox box(key_of(1));
  const std::string sealed = box.seal(kSecret, kId);
  REQUIRE(sealed.size() == kSecret.size() + AesGcmSecretBox::kOverhead);
  CHECK(static_cast<std::uint8_t>(sealed[0]) == AesGcmSecretBox::kVersion);
  CHECK(sealed.find(kSecret) == std::string::npos);
  auto opened = box.open(sealed, kId);
  REQUIRE(opened);
  CHECK(*opened == kSecret);
  // Another box over the same key opens it too (what a restarted server does).
  AesGcmSecretBox same(key_of(1));
  auto again = same.open(sealed, kId);
  REQUIRE(again);
  CHECK(*again == kSecret);
  // A fresh nonce every time: the same plaintext seals differently.
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    seen.insert(box.seal(kSecret, kId).substr(1, AesGcmSecretBox::kNonceBytes));
  }
  CHECK(seen.size() == 50);
  // An empty plaintext is sealable (nothing but the tag protects it).
  auto empty = box.open(box.seal("", kId), kId);
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("AES-GCM: a changed byte, other associated data or another key is DataLoss",
          "[unit][s3]") {
  AesGcmSecretBox box(key_of(1));
  const std::string sealed = box.seal(kSecret, kId);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    INFO("byte " << i);
    CHECK(is_data_loss(box.open(tampered, kId)));
  }
  CHECK(is_data_loss(box.open(sealed, "CKABCDEFGHIJKLMNOPQS")));
  CHECK(is_data_loss(box.open(sealed, "")));
  CHECK(is_data_loss(box.open(sealed.substr(0, sealed.size() - 1), kId)));
  CHECK(is_data_loss(box.open(sealed + "x", kId)));
  CHECK(is_data_loss(box.open("", kId)));
  CHECK(is_data_loss(box.open(std::string(AesGcmSecretBox::kOverhead - 1, '\1'), kId)));
  AesGcmSecretBox other(key_of(2));
  auto wrong = other.open(sealed, kId);
  REQUIRE(is_data_loss(wrong));
  // The message names the likely cause and quotes nothing secret.
  CHECK(wrong.error().message.find("S3_MASTER_KEY_FILE") != std::string::npos);
  CHECK(wrong.error().message.find(kSecret) == std::string::npos);
}

TEST_CASE("the master key file holds 32 raw bytes or 64 hex digits", "[unit][s3]") {
  TempDir dir("castor-secret-box");
  const auto key = key_of(0xf0);  // ends in 0x0f; has bytes that are not printable
  const std::string raw(key.begin(), key.end());
  AesGcmSecretBox reference(key);
  const std::string sealed = reference.seal(kSecret, kId);
  auto opens_with = [&](std::string_view contents) {
    const auto path = dir.path() / "key";
    write_file(path, contents);
    auto box = AesGcmSecretBox::create(path);
    REQUIRE(box);
    auto opened = (*box)->open(sealed, kId);
    return opened && *opened == kSecret;
  };
  std::string hex;
  for (std::uint8_t b : key) {
    constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[b >> 4];
    hex += kDigits[b & 15];
  }
  CHECK(opens_with(raw));
  CHECK(opens_with(raw + "\n"));
  CHECK(opens_with(raw + "\r\n"));
  CHECK(opens_with(hex));
  CHECK(opens_with(hex + "\n"));
  std::string upper = hex;
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  CHECK(opens_with(upper + "\r\n"));

  // A raw key whose last byte is a newline is still 32 raw bytes.
  auto newline_key = key_of(0xeb);  // 0xeb + 31 = 0x10a -> 0x0a
  REQUIRE(newline_key.back() == 0x0a);
  write_file(dir.path() / "nl", std::string(newline_key.begin(), newline_key.end()));
  auto nl_box = AesGcmSecretBox::create(dir.path() / "nl");
  REQUIRE(nl_box);
  auto nl_opened = (*nl_box)->open(AesGcmSecretBox(newline_key).seal(kSecret, kId), kId);
  REQUIRE(nl_opened);
  CHECK(*nl_opened == kSecret);
}

TEST_CASE("a missing, short, long or non-hex master key file is refused clearly", "[unit][s3]") {
  TempDir dir("castor-secret-box");
  auto refused = [&](std::string_view name, std::optional<std::string> contents,
                     std::string_view expected) {
    const auto path = dir.path() / name;
    if (contents) {
      write_file(path, *contents);
    }
    auto box = AesGcmSecretBox::create(path);
    REQUIRE_FALSE(box);
    CHECK(box.error().code == ErrorCode::kInvalidArgument);
    const std::string& m = box.error().message;
    INFO(m);
    CHECK(m.find("S3_MASTER_KEY_FILE") != std::string::npos);
    CHECK(m.find(path.string()) != std::string::npos);
    CHECK(m.find(expected) != std::string::npos);
    if (contents && !contents->empty()) {
      CHECK(m.find(*contents) == std::string::npos);  // never the contents
    }
  };
  refused("missing", std::nullopt, "cannot be read");
  refused("empty", "", "has 0 bytes");
  refused("short", std::string(31, 'k'), "has 31 bytes");
  refused("short-hex", std::string(63, 'a') + "\n", "has 64 bytes");
  refused("between", std::string(40, 'k'), "has 40 bytes");
  refused("long", std::string(65, 'a'), "has 65 bytes");
  refused("huge", std::string(5000, 'a'), "has over 1024 bytes");
  refused("not-hex", std::string(63, 'a') + "g", "not all hex digits");
  refused("raw-plus-junk", std::string(32, 'k') + "x", "has 33 bytes");
}

}  // namespace
}  // namespace castor
