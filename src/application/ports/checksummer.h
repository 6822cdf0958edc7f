#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/error.h"

namespace castor {

// The digests an S3 client may send or ask for: the flexible checksums (x-amz-checksum-crc32,
// -crc32c, -crc64nvme, -sha1, -sha256) and Content-MD5. Each is carried as the base64 of its
// big-endian digest.
//   kCrc32      CRC-32/ISO-HDLC (zlib, gzip): reflected 0x04C11DB7, init and xorout ~0
//   kCrc32c     CRC-32/ISCSI (Castagnoli): reflected 0x1EDC6F41, init and xorout ~0
//   kCrc64Nvme  CRC-64/NVME (Rocksoft): reflected 0xAD93D23594C93659, init and xorout ~0
enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256, kMd5 };

// Every algorithm, in the order above.
inline constexpr ChecksumAlgorithm kChecksumAlgorithms[] = {
    ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
    ChecksumAlgorithm::kSha1,  ChecksumAlgorithm::kSha256, ChecksumAlgorithm::kMd5};

// The digest's size in bytes: 4, 4, 8, 20, 32, 16.
constexpr std::size_t checksum_size(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c:
      return 4;
    case ChecksumAlgorithm::kCrc64Nvme:
      return 8;
    case ChecksumAlgorithm::kSha1:
      return 20;
    case ChecksumAlgorithm::kSha256:
      return 32;
    case ChecksumAlgorithm::kMd5:
      return 16;
  }
  return 0;
}

// The name S3 uses in x-amz-checksum-algorithm and x-amz-sdk-checksum-algorithm: "CRC32",
// "CRC32C", "CRC64NVME", "SHA1", "SHA256"; "MD5" for Content-MD5.
constexpr std::string_view checksum_name(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return "CRC32";
    case ChecksumAlgorithm::kCrc32c:
      return "CRC32C";
    case ChecksumAlgorithm::kCrc64Nvme:
      return "CRC64NVME";
    case ChecksumAlgorithm::kSha1:
      return "SHA1";
    case ChecksumAlgorithm::kSha256:
      return "SHA256";
    case ChecksumAlgorithm::kMd5:
      return "MD5";
  }
  return "";
}

// The algorithm named `name` (as checksum_name() spells it; ASCII case ignored, as S3 does for
// x-amz-checksum-algorithm), or nullopt.
inline std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name) {
  for (ChecksumAlgorithm a : kChecksumAlgorithms) {
    const std::string_view candidate = checksum_name(a);
    if (candidate.size() != name.size()) {
      continue;
    }
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) {
      char c = name[i];
      if (c >= 'a' && c <= 'z') {
        c = static_cast<char>(c - 'a' + 'A');
      }
      same = c == candidate[i];
    }
    if (same) {
      return a;
    }
  }
  return std::nullopt;
}

// An incremental digest of one algorithm over a stream of bytes: feed it with update() as the
// bytes arrive, read digest() whenever needed. One owner at a time (not thread-safe); cheap
// enough to create one per request. Updating in pieces gives the same digest as one update of
// the whole, wherever the pieces are cut.
class Checksummer {
 public:
  Checksummer() = default;
  virtual ~Checksummer() = default;
  Checksummer(const Checksummer&) = delete;
  Checksummer& operator=(const Checksummer&) = delete;

  virtual ChecksumAlgorithm algorithm() const = 0;
  // Adds `size` bytes at `data` (which may be null when size is 0). Never fails.
  virtual void update(const void* data, std::size_t size) = 0;
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  // The digest of every byte passed to update() so far, big-endian (the bytes S3 base64-encodes),
  // checksum_size(algorithm()) bytes. Does not end the stream: update() may go on after it.
  virtual std::vector<std::uint8_t> digest() const = 0;
};

// Makes checksummers. Thread-safe.
class ChecksummerFactory {
 public:
  virtual ~ChecksummerFactory() = default;
  // A checksummer over no bytes yet. Internal if the crypto library cannot provide the
  // algorithm (an OpenSSL configured without MD5 or SHA-1, for example).
  virtual Result<std::unique_ptr<Checksummer>> create(ChecksumAlgorithm algorithm) const = 0;
};

}  // namespace castor
