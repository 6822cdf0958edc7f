#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/content_hash.h"
#include "domain/error.h"
#include "domain/names.h"
#include "domain/object.h"
#include "domain/object_id.h"
#include "domain/storage_class.h"

namespace castor {

// The most bytes in one bundle path, and the most files in one bundle.
inline constexpr std::size_t kMaxBundlePathBytes = 4096;
inline constexpr std::size_t kMaxBundleFiles = 100'000;

// Checks one bundle path: 1..4096 bytes of UTF-8, relative ('/'-separated, no leading or trailing
// '/'), without empty, "." or ".." segments, NUL or other control characters (U+0000..U+001F,
// U+007F). Returns InvalidArgument saying what is wrong (without quoting the path).
Status validate_bundle_path(std::string_view path);

// One file of a bundle: where it goes in the tree and which content it holds.
struct BundleFile {
  std::string path;  // validated by validate_bundle_path
  ContentHash hash;
  std::uint64_t size_bytes = 0;
  std::uint32_t mode = 0644;  // permission bits, at most 07777

  friend bool operator==(const BundleFile&, const BundleFile&) = default;
};

// A SHA-256 (FIPS 180-4) digest function: the 32-byte digest of `data`. The domain computes no
// hashes itself; callers pass OpenSSL's (infrastructure/openssl_sha256.h; castorctl its own).
using Sha256Digest = std::array<std::uint8_t, 32>;
using Sha256Function = Sha256Digest (*)(std::string_view data);

// The Merkle root of a bundle as fal-bundles defines it, as 64 lowercase hex digits: entries
// sorted by path (bytewise); leaf = SHA-256 of the ASCII string "path:hash" (hex hash); parent =
// SHA-256(left || right) over the 32-byte digests; a level with an odd count pairs its last node
// with itself; one leaf is its own root; no entries: the SHA-256 of the empty string. `files`
// may come in any order.
std::string bundle_merkle_root(const std::vector<BundleFile>& files, Sha256Function sha256);

// A validated list of files: at most kMaxBundleFiles, each path valid and unique byte for byte,
// sorted by path (bytewise), with its Merkle root and total size.
class BundleManifest {
 public:
  // OutOfRange for more than kMaxBundleFiles files; InvalidArgument naming the first bad entry
  // (by its index in `files`) for a bad path, a duplicate path or a mode over 07777. The Merkle
  // root is computed with `sha256`.
  static Result<BundleManifest> create(std::vector<BundleFile> files, Sha256Function sha256);

  const std::vector<BundleFile>& files() const { return files_; }  // sorted by path
  const std::string& merkle_root() const { return merkle_root_; }
  std::uint64_t total_bytes() const { return total_bytes_; }
  // The distinct contents with how many files name each (the references the bundle holds), in
  // content-hash order.
  std::vector<std::pair<ContentHash, std::uint64_t>> references() const;

 private:
  BundleManifest() = default;

  std::vector<BundleFile> files_;
  std::string merkle_root_;
  std::uint64_t total_bytes_ = 0;
};

// A bundle's identity: a random UUID, like an object's.
using BundleId = ObjectId;

// What a bundle listing shows of one bundle.
struct BundleSummary {
  BundleId id;
  TenantId tenant;
  StorageClass storage_class = StorageClass::kHot;
  Timestamp created_at;
  std::string merkle_root;  // 64 lowercase hex digits
  std::uint64_t file_count = 0;
  std::uint64_t total_bytes = 0;
};

// A bundle with its manifest.
struct Bundle {
  BundleSummary summary;
  std::string metadata;           // a JSON object as text; empty: none given
  std::vector<BundleFile> files;  // sorted by path
};

}  // namespace castor
