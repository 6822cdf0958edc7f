#include "client/sha256.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
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

Result<std::string> hash_file(const std::filesystem::path& path,
                              const std::function<void(std::size_t)>& on_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return usage_error("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  Sha256 sha;
  std::vector<char> buffer(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int saved = errno;
      ::close(fd);
      return usage_error("cannot read " + path.string() + ": " + std::strerror(saved));
    }
    if (n == 0) {
      break;
    }
    sha.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    if (on_bytes) {
      on_bytes(static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return sha.hex_digest();
}

}  // namespace castor::client
