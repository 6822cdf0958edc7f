#include "client/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace castor::client {
namespace {

Status write_all(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return internal_error("cannot write " + what + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

FileSink::FileSink(std::filesystem::path target) : target_(std::move(target)) {}

FileSink::~FileSink() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  if (!temp_.empty()) {
    ::unlink(temp_.c_str());
  }
}

Status FileSink::begin() {
  if (fd_ < 0) {
    std::string name =
        (target_.parent_path() / ("." + target_.filename().string() + ".castorctl-XXXXXX"))
            .string();
    std::vector<char> buffer(name.begin(), name.end());
    buffer.push_back('\0');
    fd_ = ::mkstemp(buffer.data());
    if (fd_ < 0) {
      return internal_error("cannot create a file beside " + target_.string() + ": " +
                            std::strerror(errno));
    }
    temp_ = buffer.data();
  } else if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0) {
    return internal_error("cannot rewind " + temp_.string() + ": " + std::strerror(errno));
  }
  size_ = 0;
  sha_.digest();  // reset
  return {};
}

Status FileSink::write(std::string_view bytes) {
  sha_.update(bytes);
  size_ += bytes.size();
  return write_all(fd_, bytes, temp_.string());
}

Status FileSink::commit(std::optional<std::uint32_t> mode) {
  if (fd_ < 0) {
    if (Status s = begin(); !s) {  // an empty body never called begin()
      return s;
    }
  }
  if (mode) {
    if (::fchmod(fd_, *mode) != 0) {
      return internal_error("cannot chmod " + temp_.string() + ": " + std::strerror(errno));
    }
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd_, 0644 & ~mask);
  }
  if (::close(fd_) != 0) {
    fd_ = -1;
    return internal_error("cannot write " + temp_.string() + ": " + std::strerror(errno));
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    return internal_error("cannot rename onto " + target_.string() + ": " + std::strerror(errno));
  }
  temp_.clear();
  return {};
}

Status StdoutSink::begin() {
  if (size_ > 0) {
    return Error{ErrorCode::kUnavailable, "the download broke off after " + std::to_string(size_) +
                                              " bytes went to standard output; run it again"};
  }
  return {};
}

Status StdoutSink::write(std::string_view bytes) {
  sha_.update(bytes);
  size_ += bytes.size();
  return write_all(STDOUT_FILENO, bytes, "standard output");
}

}  // namespace castor::client
