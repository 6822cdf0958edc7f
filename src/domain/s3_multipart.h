#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"
#include "domain/upload_session.h"

namespace castor {

// The rules of S3 multipart uploads (S3 API Reference: CompleteMultipartUpload, UploadPart;
// docs/S3.md "Multipart uploads") that do not depend on storage.

// S3's minimum size of every part but the last: 5 MiB. castor makes it configurable for tests
// (UploadLimits::s3_min_part_size, S3_MIN_PART_SIZE).
inline constexpr std::uint64_t kS3MinPartSize = 5ull * 1024 * 1024;

// One <Part> of a CompleteMultipartUpload request.
struct S3ListedPart {
  std::uint32_t number = 0;
  std::string etag;  // as sent, with or without the surrounding quotes
};

// Checks the part list of a CompleteMultipartUpload against the parts the session holds (`held`,
// in part-number order) and returns the listed parts as held, in order. Errors, as S3 names them
// in Error::reason (all InvalidArgument):
//   "InvalidPartOrder": the list is not strictly ascending by part number;
//   "InvalidPart":      a listed part was not uploaded, or its ETag is not the held part's MD5
//                       (compared without quotes, ASCII case ignored), or the list is empty;
//   "EntityTooSmall":   a listed part other than the last is under `min_part_size` bytes.
Result<std::vector<UploadPart>> check_completion(std::span<const UploadPart> held,
                                                 std::span<const S3ListedPart> listed,
                                                 std::uint64_t min_part_size);

// The bytes whose MD5 makes a multipart ETag: the parts' MD5 digests (16 bytes each, decoded from
// UploadPart::md5) in order. InvalidArgument if a part has no MD5 or a malformed one.
Result<std::vector<std::uint8_t>> multipart_etag_input(std::span<const UploadPart> parts);

// The multipart ETag, bare: hex(`md5_of_input`) + "-" + `part_count`, where `md5_of_input` is the
// MD5 of multipart_etag_input() (S3 "Checking object integrity", multipart ETags).
std::string multipart_etag(std::span<const std::uint8_t> md5_of_input, std::size_t part_count);

// The bytes whose checksum makes a composite checksum of `algorithm` (lowercase S3 name, e.g.
// "crc32c"): every part's decoded checksum of that algorithm, in order. InvalidArgument when a
// part lacks one or it is not base64. (S3 "Checking object integrity", composite checksums.)
Result<std::vector<std::uint8_t>> composite_checksum_input(std::span<const UploadPart> parts,
                                                           std::string_view algorithm);

// A composite checksum as S3 returns it: base64(`checksum_of_input`) + "-" + `part_count`.
std::string composite_checksum(std::span<const std::uint8_t> checksum_of_input,
                               std::size_t part_count);

}  // namespace castor
