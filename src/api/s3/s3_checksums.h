#pragma once

#include <optional>
#include <string>

namespace castor {

// The flexible checksums of an object or a part as S3 carries them in XML (ChecksumCRC32, ...)
// and headers (x-amz-checksum-crc32, ...): the base64 of the big-endian digest. Absent ones are
// not written.
struct S3Checksums {
  std::optional<std::string> crc32;
  std::optional<std::string> crc32c;
  std::optional<std::string> crc64nvme;
  std::optional<std::string> sha1;
  std::optional<std::string> sha256;
};

}  // namespace castor
