#pragma once

#include <memory>

#include "application/ports/checksummer.h"
#include "domain/error.h"

namespace castor {

// Checksummers for S3's flexible checksums and Content-MD5: CRC32 (ISA-L crc32_gzip_refl),
// CRC32C (ISA-L crc32_iscsi), CRC64NVME (ISA-L crc64_rocksoft_refl where the installed ISA-L
// has it, else crc64_nvme.h), and MD5, SHA-1, SHA-256 through OpenSSL's EVP interface.
// Internal if OpenSSL refuses the digest (an FIPS-only configuration refuses MD5, for example).
Result<std::unique_ptr<Checksummer>> make_checksummer(ChecksumAlgorithm algorithm);

// The ChecksummerFactory port over make_checksummer(). Stateless, thread-safe.
class Checksummers final : public ChecksummerFactory {
 public:
  Result<std::unique_ptr<Checksummer>> create(ChecksumAlgorithm algorithm) const override {
    return make_checksummer(algorithm);
  }
};

}  // namespace castor
