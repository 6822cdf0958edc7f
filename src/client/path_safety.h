#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor::client {

// The longest relative path a bundle may hold, in bytes.
inline constexpr std::size_t kMaxRelativePathBytes = 4096;

// Why `path` is not a safe relative path, or nullopt when it is one: 1..4096 bytes of UTF-8,
// '/'-separated, not absolute, without empty, `.` or `..` segments, NUL or control characters.
// The same rules as the server's for bundle paths.
std::optional<std::string> relative_path_problem(std::string_view path);

// Makes the parent directories of `dest`/`relative` (under `dest`, which must exist) and returns
// that path. Refuses, with DataLoss (a verification failure), a `relative` with a
// relative_path_problem and any existing component below `dest` that is a symlink or not a
// directory, so that nothing is ever written outside `dest`. Other failures (permissions, disk)
// are Internal.
Result<std::filesystem::path> prepare_destination(const std::filesystem::path& dest,
                                                  std::string_view relative);

}  // namespace castor::client
