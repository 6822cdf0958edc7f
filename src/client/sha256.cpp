#include "client/sha256.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <optional>
#include <vector>

#include <openssl/evp.h>

#include "client/exit_code.h"
#include "domain/hex.h"

namespace castor::client {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    throw std::bad_alloc();
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(std::string_view bytes) { EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()); }

std::array<std::uint8_t, 32> Sha256::digest() {
  std::array<std::uint8_t, 32> out{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_, out.data(), &length);
  EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
  return out;
}

std::string Sha256::hex_digest() { return to_hex(digest()); }

std::string sha256_hex(std::string_view bytes) {
  Sha256 sha;
  sha.update(bytes);
  return sha.hex_digest();
}

namespace {

// Hashes the bytes of `path` from `offset`: `length` of them, or to the end when unset.
Result<std::string> hash_bytes_of(const std::filesystem::path& path, std::uint64_t offset,
                                  std::optional<std::uint64_t> length,
                                  const std::function<void(std::size_t)>& on_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return usage_error("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  Sha256 sha;
  std::vector<char> buffer(1 << 20);
  std::uint64_t position = offset;
  for (;;) {
    std::size_t want = buffer.size();
    if (length) {
      want = static_cast<std::size_t>(std::min<std::uint64_t>(want, offset + *length - position));
      if (want == 0) {
        break;
      }
    }
    const ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(position));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int saved = errno;
      ::close(fd);
      return usage_error("cannot read " + path.string() + ": " + std::strerror(saved));
    }
    if (n == 0) {
      if (length) {
        ::close(fd);
        return Error{ErrorCode::kDataLoss, path.string() + " became shorter while it was read"};
      }
      break;
    }
    sha.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    position += static_cast<std::uint64_t>(n);
    if (on_bytes) {
      on_bytes(static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return sha.hex_digest();
}

}  // namespace

Result<std::string> hash_file(const std::filesystem::path& path,
                              const std::function<void(std::size_t)>& on_bytes) {
  return hash_bytes_of(path, 0, std::nullopt, on_bytes);
}

Result<std::string> hash_file_range(const std::filesystem::path& path, std::uint64_t offset,
                                    std::uint64_t length) {
  return hash_bytes_of(path, offset, length, {});
}

}  // namespace castor::client
