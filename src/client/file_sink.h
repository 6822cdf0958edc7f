#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "client/http_client.h"
#include "client/sha256.h"
#include "domain/error.h"

namespace castor::client {

// Writes a download to a temporary file beside `target` (".<name>.castorctl-XXXXXX", same
// directory, so the rename is atomic), hashing it as it goes; commit() moves it into place. The
// destructor removes the temporary file unless it was committed. Not thread-safe.
class FileSink final : public BodySink {
 public:
  explicit FileSink(std::filesystem::path target);
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  ~FileSink() override;

  Status begin() override;
  Status write(std::string_view bytes) override;

  // The SHA-256 (hex) and size of what was written.
  std::string hex_digest() { return sha_.hex_digest(); }
  std::uint64_t size() const { return size_; }

  // Sets the permission bits (when given; else 0644 minus the umask), closes the temporary file
  // and renames it onto the target. Internal on a filesystem error.
  Status commit(std::optional<std::uint32_t> mode);

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  Sha256 sha_;
};

// Writes a download to standard output, hashing it as it goes. A retry after bytes went out
// cannot start over: begin() then fails with Unavailable.
class StdoutSink final : public BodySink {
 public:
  Status begin() override;
  Status write(std::string_view bytes) override;
  std::string hex_digest() { return sha_.hex_digest(); }

 private:
  std::uint64_t size_ = 0;
  Sha256 sha_;
};

}  // namespace castor::client
