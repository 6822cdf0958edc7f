#include "infrastructure/checksummers.h"

#include <climits>
#include <new>
#include <string>

#include <isa-l/crc.h>
#include <isa-l/crc64.h>
#include <openssl/evp.h>

#include "infrastructure/crc64_nvme.h"

namespace castor {
namespace {

// The `bytes` low bytes of `value`, most significant first.
std::vector<std::uint8_t> big_endian(std::uint64_t value, std::size_t bytes) {
  std::vector<std::uint8_t> out(bytes);
  for (std::size_t i = 0; i < bytes; ++i) {
    out[bytes - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  return out;
}

unsigned char* isal_buffer(const void* data) {
  // ISA-L's prototypes take non-const buffers; it only reads them.
  return const_cast<unsigned char*>(static_cast<const unsigned char*>(data));
}

// crc_ holds the finished CRC of the bytes so far (zlib's convention; ISA-L's *_refl functions
// and crc64_nvme_update chain that way).
class Crc32 final : public Checksummer {
 public:
  ChecksumAlgorithm algorithm() const override { return ChecksumAlgorithm::kCrc32; }
  void update(const void* data, std::size_t size) override {
    if (size > 0) {
      crc_ = crc32_gzip_refl(crc_, isal_buffer(data), size);
    }
  }
  std::vector<std::uint8_t> digest() const override { return big_endian(crc_, 4); }

 private:
  std::uint32_t crc_ = 0;
};

// crc32_iscsi() works on the raw register (no inversion in or out) and takes an int length.
class Crc32c final : public Checksummer {
 public:
  ChecksumAlgorithm algorithm() const override { return ChecksumAlgorithm::kCrc32c; }
  void update(const void* data, std::size_t size) override {
    constexpr std::size_t kMaxChunk = std::size_t{1} << 30;  // < INT_MAX
    const auto* p = static_cast<const unsigned char*>(data);
    while (size > 0) {
      const std::size_t n = size < kMaxChunk ? size : kMaxChunk;
      register_ = crc32_iscsi(isal_buffer(p), static_cast<int>(n), register_);
      p += n;
      size -= n;
    }
  }
  std::vector<std::uint8_t> digest() const override { return big_endian(~register_, 4); }

 private:
  std::uint32_t register_ = 0xFFFFFFFF;
};

class Crc64Nvme final : public Checksummer {
 public:
  ChecksumAlgorithm algorithm() const override { return ChecksumAlgorithm::kCrc64Nvme; }
  void update(const void* data, std::size_t size) override {
    if (size > 0) {
#ifdef CASTOR_ISAL_HAS_CRC64_ROCKSOFT
      crc_ = crc64_rocksoft_refl(crc_, isal_buffer(data), size);
#else
      crc_ = crc64_nvme_update(crc_, data, size);
#endif
    }
  }
  std::vector<std::uint8_t> digest() const override { return big_endian(crc_, 8); }

 private:
  std::uint64_t crc_ = 0;
};

struct MdContextFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdContext = std::unique_ptr<EVP_MD_CTX, MdContextFree>;

class EvpDigest final : public Checksummer {
 public:
  EvpDigest(ChecksumAlgorithm algorithm, MdContext ctx)
      : algorithm_(algorithm), ctx_(std::move(ctx)) {}

  ChecksumAlgorithm algorithm() const override { return algorithm_; }
  void update(const void* data, std::size_t size) override {
    if (size > 0 && EVP_DigestUpdate(ctx_.get(), data, size) != 1) {
      throw std::bad_alloc();  // the built-in digests fail only when memory does
    }
  }
  std::vector<std::uint8_t> digest() const override {
    MdContext copy(EVP_MD_CTX_new());
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int size = 0;
    if (!copy || EVP_MD_CTX_copy_ex(copy.get(), ctx_.get()) != 1 ||
        EVP_DigestFinal_ex(copy.get(), out.data(), &size) != 1) {
      throw std::bad_alloc();
    }
    out.resize(size);
    return out;
  }

 private:
  ChecksumAlgorithm algorithm_;
  MdContext ctx_;  // holds the bytes so far; digest() finishes a copy
};

Result<std::unique_ptr<Checksummer>> make_evp(ChecksumAlgorithm algorithm, const EVP_MD* md) {
  MdContext ctx(EVP_MD_CTX_new());
  if (!ctx) {
    throw std::bad_alloc();
  }
  if (md == nullptr || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
    return internal_error("OpenSSL cannot compute " + std::string(checksum_name(algorithm)));
  }
  return std::unique_ptr<Checksummer>(std::make_unique<EvpDigest>(algorithm, std::move(ctx)));
}

}  // namespace

Result<std::unique_ptr<Checksummer>> make_checksummer(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return std::unique_ptr<Checksummer>(std::make_unique<Crc32>());
    case ChecksumAlgorithm::kCrc32c:
      return std::unique_ptr<Checksummer>(std::make_unique<Crc32c>());
    case ChecksumAlgorithm::kCrc64Nvme:
      return std::unique_ptr<Checksummer>(std::make_unique<Crc64Nvme>());
    case ChecksumAlgorithm::kSha1:
      return make_evp(algorithm, EVP_sha1());
    case ChecksumAlgorithm::kSha256:
      return make_evp(algorithm, EVP_sha256());
    case ChecksumAlgorithm::kMd5:
      return make_evp(algorithm, EVP_md5());
  }
  return internal_error("unknown checksum algorithm");
}

}  // namespace castor
