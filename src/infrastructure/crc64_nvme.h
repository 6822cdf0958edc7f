#pragma once

#include <cstddef>
#include <cstdint>

namespace castor {

// CRC-64/NVME (the Rocksoft polynomial; S3's CRC64NVME checksum) in portable C++: reflected
// polynomial 0xAD93D23594C93659, init and xorout ~0, check value 0xAE8B14860A799888 for
// "123456789". Slice-by-8 tables, no SIMD.
//
// `crc` is the CRC of the bytes before `data` (0 for none), as zlib's crc32() chains: the CRC of
// a+b is crc64_nvme_update(crc64_nvme_update(0, a), b). Thread-safe, never fails.
//
// It exists because the ISA-L of Debian bookworm (2.30) has no CRC-64/NVME; ISA-L 2.31 added
// crc64_rocksoft_refl(), which checksummers.cpp uses instead when the build finds it.
std::uint64_t crc64_nvme_update(std::uint64_t crc, const void* data, std::size_t size);

}  // namespace castor
