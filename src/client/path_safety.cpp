#include "client/path_safety.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "domain/utf8.h"

namespace castor::client {

std::optional<std::string> relative_path_problem(std::string_view path) {
  if (path.empty()) {
    return "empty path";
  }
  if (path.size() > kMaxRelativePathBytes) {
    return "path longer than 4096 bytes";
  }
  if (!is_valid_utf8(path)) {
    return "path is not UTF-8";
  }
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return "path contains a control character";
    }
  }
  if (path.front() == '/') {
    return "absolute path";
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty()) {
      return "empty path segment";
    }
    if (segment == "." || segment == "..") {
      return "'.' or '..' segment";
    }
    start = end + 1;
  }
  return std::nullopt;
}

Result<std::filesystem::path> prepare_destination(const std::filesystem::path& dest,
                                                  std::string_view relative) {
  if (auto problem = relative_path_problem(relative)) {
    return Error{ErrorCode::kDataLoss,
                 "refusing unsafe path '" + std::string(relative) + "' (" + *problem + ")"};
  }
  std::filesystem::path current = dest;
  std::size_t start = 0;
  for (std::size_t slash = relative.find('/'); slash != std::string_view::npos;
       start = slash + 1, slash = relative.find('/', start)) {
    current /= std::string(relative.substr(start, slash - start));
    struct stat st {};
    if (::lstat(current.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        return Error{ErrorCode::kDataLoss, "refusing to write '" + std::string(relative) +
                                               "': " + current.string() +
                                               " is a symlink or not a directory"};
      }
      continue;
    }
    if (::mkdir(current.c_str(), 0777) != 0 && errno != EEXIST) {
      return internal_error("cannot create directory " + current.string() + ": " +
                            std::strerror(errno));
    }
    // Created (or raced with another worker creating it): check it is a real directory.
    if (::lstat(current.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Error{ErrorCode::kDataLoss, current.string() + " is not a directory"};
    }
  }
  return current / std::string(relative.substr(start));
}

}  // namespace castor::client
