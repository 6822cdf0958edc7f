#pragma once
// Internal to src/infrastructure: POSIX file helpers shared by the file-based adapters.

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <utility>

#include "domain/content_hash.h"
#include "domain/error.h"

namespace castor {

// The error for a failed system call on `path`: ResourceExhausted for ENOSPC/EDQUOT, else
// Internal. The message names the operation and the system error but never the path (it may
// reach a client); the path is logged instead.
Error io_error(const char* what, const std::filesystem::path& path, int err);

// A file descriptor closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

// fsync that retries on EINTR; returns fsync's result (errno set on failure).
int sync_fd(int fd);

// Makes `dir`'s entries durable (fsync of the directory).
Status sync_dir(const std::filesystem::path& dir);

// A SHA-256 over files read one after another (a segmented content's parts), 1 MiB at a time.
// Not thread-safe.
class FileHasher {
 public:
  FileHasher();
  ~FileHasher();
  FileHasher(const FileHasher&) = delete;
  FileHasher& operator=(const FileHasher&) = delete;

  // Hashes what `fd` holds from its current offset to its end and returns how many bytes that
  // was; `pace(n)` after each n bytes read (false stops: Aborted). `path` only names it in errors.
  Result<std::uint64_t> add(int fd, const std::filesystem::path& path,
                            const std::function<bool(std::uint64_t)>& pace);
  // The digest of everything added. Call once.
  Result<ContentHash> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The SHA-256 of what `fd` holds from its current offset to its end (one FileHasher::add).
Result<ContentHash> sha256_of_file(int fd, const std::filesystem::path& path,
                                   const std::function<bool(std::uint64_t)>& pace);

}  // namespace castor
