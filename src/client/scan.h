#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "client/exclude.h"
#include "domain/error.h"

namespace castor::client {

// A regular file found by a scan.
struct ScannedFile {
  std::filesystem::path source{};  // where to read it
  std::string relative{};          // its path in the bundle or key: '/'-separated, see below
  std::uint64_t size = 0;          // bytes, when scanned
  std::uint32_t mode = 0644;       // permission bits (st_mode & 0777)
};

struct ScanOptions {
  ExcludeSet excludes{};
  bool follow_symlinks = false;
};

// What a scan found: regular files sorted by relative path, and what it skipped.
struct ScanResult {
  std::vector<ScannedFile> files{};
  std::uint64_t total_bytes = 0;
  std::vector<std::string> skipped{};  // symlinks (unless followed), sockets, devices, loops
};

// Walks `roots`. A directory root contributes its contents, relative to itself; a file root
// contributes itself under its name. Symlinks are skipped unless `follow_symlinks` (then a
// directory reached twice through links is entered once). Excluded entries (see ExcludeSet) are
// skipped, excluded directories not entered. Returns a usage error for a root that does not exist,
// two roots giving the same relative path, or a relative path the server would refuse
// (relative_path_problem).
Result<ScanResult> scan(const std::vector<std::filesystem::path>& roots,
                        const ScanOptions& options);

}  // namespace castor::client
