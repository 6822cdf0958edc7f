#include "infrastructure/posix_file.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

namespace castor {
namespace fs = std::filesystem;

namespace {
constexpr std::size_t kHashReadSize = 1 << 20;  // bytes per read when re-hashing
}  // namespace

Error io_error(const char* what, const fs::path& path, int err) {
  if (err == ENOSPC || err == EDQUOT) {
    return {ErrorCode::kResourceExhausted, "insufficient storage"};
  }
  spdlog::error("storage: {} {}: {}", what, path.string(), std::strerror(err));
  return {ErrorCode::kInternal, std::string("storage error: ") + what + ": " + std::strerror(err)};
}

int sync_fd(int fd) {
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

Status sync_dir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || sync_fd(fd.get()) != 0) {
    return io_error("fsync directory", dir, errno);
  }
  return {};
}

struct FileHasher::Impl {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> sha{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  bool ok = false;
  std::vector<std::byte> buffer;
};

FileHasher::FileHasher() : impl_(std::make_unique<Impl>()) {
  impl_->ok = impl_->sha && EVP_DigestInit_ex(impl_->sha.get(), EVP_sha256(), nullptr) == 1;
}

FileHasher::~FileHasher() = default;

Result<std::uint64_t> FileHasher::add(int fd, const fs::path& path,
                                      const std::function<bool(std::uint64_t)>& pace) {
  if (!impl_->ok) {
    return internal_error("SHA-256 init failed");
  }
  impl_->buffer.resize(kHashReadSize);
  std::uint64_t total = 0;
  for (;;) {
    const ssize_t n = ::read(fd, impl_->buffer.data(), impl_->buffer.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return io_error("read", path, errno);
    }
    if (n == 0) {
      return total;
    }
    if (EVP_DigestUpdate(impl_->sha.get(), impl_->buffer.data(), static_cast<std::size_t>(n)) !=
        1) {
      return internal_error("SHA-256 update failed");
    }
    total += static_cast<std::uint64_t>(n);
    if (pace && !pace(static_cast<std::uint64_t>(n))) {
      return Error{ErrorCode::kAborted, "re-hashing stopped"};
    }
  }
}

Result<ContentHash> FileHasher::finish() {
  ContentHash::Bytes digest{};
  unsigned int len = 0;
  if (!impl_->ok || EVP_DigestFinal_ex(impl_->sha.get(), digest.data(), &len) != 1 ||
      len != digest.size()) {
    return internal_error("SHA-256 final failed");
  }
  return ContentHash::from_bytes(digest);
}

Result<ContentHash> sha256_of_file(int fd, const fs::path& path,
                                   const std::function<bool(std::uint64_t)>& pace) {
  FileHasher hasher;
  if (auto n = hasher.add(fd, path, pace); !n) {
    return std::move(n).error();
  }
  return hasher.finish();
}

}  // namespace castor
