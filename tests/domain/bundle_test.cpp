#include "domain/bundle.h"

#include <string>
#include <vector>

#include <openssl/sha.h>

#include <catch2/catch.hpp>

#include "domain/hex.h"
#include "infrastructure/openssl_sha256.h"

namespace castor {
namespace {

// SHA-256 with OpenSSL, written out here: the reference the domain's tree is checked against.
std::string ref_sha(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), SHA256_DIGEST_LENGTH);
}

std::string ref_hex(std::string_view bytes) {
  return to_hex({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
}

ContentHash hash_of(std::string_view content) {
  std::string digest = ref_sha(content);
  ContentHash::Bytes bytes;
  std::copy(digest.begin(), digest.end(), bytes.begin());
  return ContentHash::from_bytes(bytes);
}

BundleFile file(std::string path, std::string_view content = "x") {
  return BundleFile{std::move(path), hash_of(content), content.size(), 0644};
}

// The fal-bundles tree written out independently: leaves of "path:hash" over the sorted paths,
// parents over raw digests, the last node of an odd level paired with itself.
std::string ref_root(std::vector<std::pair<std::string, std::string>> entries) {
  std::sort(entries.begin(), entries.end());
  if (entries.empty()) {
    return ref_hex(ref_sha(""));
  }
  std::vector<std::string> level;
  for (const auto& [path, hex] : entries) {
    level.push_back(ref_sha(path + ":" + hex));
  }
  while (level.size() > 1) {
    std::vector<std::string> up;
    for (std::size_t i = 0; i < level.size(); i += 2) {
      up.push_back(ref_sha(level[i] + (i + 1 < level.size() ? level[i + 1] : level[i])));
    }
    level = up;
  }
  return ref_hex(level[0]);
}

}  // namespace

TEST_CASE("bundle paths: relative, '/'-separated, no dot segments or control characters",
          "[unit]") {
  for (const char* good : {"a", "weights/model.safetensors", "a b/c d.txt", "déjà/vu", ".hidden",
                           "a/..b/c..", "...", "x/.y"}) {
    INFO(good);
    CHECK(validate_bundle_path(good));
  }
  const std::vector<std::pair<std::string, const char*>> bad = {
      {"", "empty"},
      {"/etc/passwd", "relative"},
      {"../up", "'..' segment"},
      {"a/../b", "'..' segment"},
      {"a/./b", "'.' segment"},
      {".", "'.' segment"},
      {"a//b", "empty segment"},
      {"a/", "empty segment"},
      {std::string("a\0b", 3), "NUL"},
      {"a\nb", "control character"},
      {"a\x7f", "control character"},
      {"\xff\xfe", "UTF-8"},
      {std::string(5000, 'a'), "longer than 4096"},
  };
  for (const auto& [path, why] : bad) {
    INFO(why);
    auto s = validate_bundle_path(path);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
    CHECK(s.error().message.find(why) != std::string::npos);
  }
  CHECK(validate_bundle_path(std::string(4096, 'a')));
}

TEST_CASE("BundleManifest sorts by path bytewise, refuses duplicates, counts references",
          "[unit]") {
  auto m = BundleManifest::create(
      {file("b", "1"), file("a/z", "2"), file("a", "1"), file("B", "3"), file("\xc3\xa9", "2")},
      openssl_sha256);
  REQUIRE(m);
  std::vector<std::string> paths;
  for (const BundleFile& f : m->files()) {
    paths.push_back(f.path);
  }
  CHECK(paths == std::vector<std::string>{"B", "a", "a/z", "b", "\xc3\xa9"});
  CHECK(m->total_bytes() == 5);
  auto refs = m->references();
  REQUIRE(refs.size() == 3);
  CHECK(std::is_sorted(refs.begin(), refs.end()));
  for (const auto& [hash, n] : refs) {
    CHECK(n == (hash == hash_of("3") ? 1u : 2u));
  }

  auto dup = BundleManifest::create({file("x"), file("y"), file("x")}, openssl_sha256);
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == ErrorCode::kInvalidArgument);
  CHECK(dup.error().message.find("files[2]: duplicate path") != std::string::npos);

  auto bad = BundleManifest::create({file("ok"), file("../escape")}, openssl_sha256);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("files[1]") != std::string::npos);

  BundleFile wide = file("m");
  wide.mode = 010000;
  CHECK_FALSE(BundleManifest::create({wide}, openssl_sha256));

  std::vector<BundleFile> many(kMaxBundleFiles + 1, file("same"));
  auto too_many = BundleManifest::create(std::move(many), openssl_sha256);
  REQUIRE_FALSE(too_many);
  CHECK(too_many.error().code == ErrorCode::kOutOfRange);

  auto empty = BundleManifest::create({}, openssl_sha256);
  REQUIRE(empty);
  CHECK(empty->merkle_root() == ref_hex(ref_sha("")));
}

TEST_CASE("the Merkle root is fal-bundles' tree", "[unit]") {
  // The empty bundle, hard-coded: SHA-256 of the empty string.
  CHECK(bundle_merkle_root({}, openssl_sha256) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // One leaf is the root: SHA-256("a.txt:<hex>"), hard-coded for content "x".
  const std::string x = hash_of("x").hex();
  CHECK(x == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
  CHECK(bundle_merkle_root({file("a.txt", "x")}, openssl_sha256) == ref_hex(ref_sha("a.txt:" + x)));
  // Every size from 1 to 9 (odd levels at several heights), in shuffled input order.
  for (std::size_t n = 1; n <= 9; ++n) {
    std::vector<BundleFile> files;
    std::vector<std::pair<std::string, std::string>> entries;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string path = "dir/" + std::to_string((i * 5 + 3) % 11) + ".bin";
      const std::string content = "content " + std::to_string(i);
      files.push_back(file(path, content));
      entries.emplace_back(path, hash_of(content).hex());
    }
    INFO(n);
    CHECK(bundle_merkle_root(files, openssl_sha256) == ref_root(entries));
    std::reverse(files.begin(), files.end());
    CHECK(bundle_merkle_root(files, openssl_sha256) == ref_root(entries));
  }
  // The order is bytewise: "Z" (0x5a) before "a" (0x61) before "é" (0xc3 0xa9).
  auto m = BundleManifest::create({file("\xc3\xa9"), file("a"), file("Z")}, openssl_sha256);
  REQUIRE(m);
  CHECK(m->merkle_root() == ref_root({{"Z", x}, {"a", x}, {"\xc3\xa9", x}}));
}

}  // namespace castor
