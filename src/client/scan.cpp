#include "client/scan.h"

#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <system_error>
#include <utility>

#include "client/exit_code.h"
#include "client/path_safety.h"

namespace castor::client {
namespace {

class Walker {
 public:
  Walker(const ScanOptions& options, ScanResult& result) : options_(options), result_(result) {}

  Status add_file(const std::filesystem::path& source, std::string relative,
                  const struct stat& st) {
    if (auto problem = relative_path_problem(relative)) {
      return usage_error("cannot push '" + source.string() + "': " + *problem);
    }
    result_.total_bytes += static_cast<std::uint64_t>(st.st_size);
    result_.files.push_back({.source = source,
                             .relative = std::move(relative),
                             .size = static_cast<std::uint64_t>(st.st_size),
                             .mode = static_cast<std::uint32_t>(st.st_mode & 0777)});
    return {};
  }

  // Walks the directory `dir`, whose entries are named `prefix` + name.
  Status walk(const std::filesystem::path& dir, const std::string& prefix) {
    struct stat dir_st {};
    if (::stat(dir.c_str(), &dir_st) == 0 &&
        !visited_.insert({dir_st.st_dev, dir_st.st_ino}).second) {
      result_.skipped.push_back(dir.string() + " (directory loop)");
      return {};
    }
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
      return usage_error("cannot read directory " + dir.string() + ": " + ec.message());
    }
    std::vector<std::filesystem::path> entries;
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
      entries.push_back(it->path());
    }
    if (ec) {
      return usage_error("cannot read directory " + dir.string() + ": " + ec.message());
    }
    std::sort(entries.begin(), entries.end());
    for (const std::filesystem::path& entry : entries) {
      if (Status s = visit(entry, prefix + entry.filename().string()); !s) {
        return s;
      }
    }
    return {};
  }

  Status visit(const std::filesystem::path& path, std::string relative) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      return usage_error("cannot read " + path.string());
    }
    if (S_ISLNK(st.st_mode)) {
      if (!options_.follow_symlinks) {
        result_.skipped.push_back(path.string() + " (symlink)");
        return {};
      }
      if (::stat(path.c_str(), &st) != 0) {
        result_.skipped.push_back(path.string() + " (dangling symlink)");
        return {};
      }
    }
    const bool is_dir = S_ISDIR(st.st_mode);
    if (options_.excludes.excluded(relative, is_dir)) {
      return {};
    }
    if (is_dir) {
      return walk(path, relative + "/");
    }
    if (!S_ISREG(st.st_mode)) {
      result_.skipped.push_back(path.string() + " (not a regular file)");
      return {};
    }
    return add_file(path, std::move(relative), st);
  }

 private:
  const ScanOptions& options_;
  ScanResult& result_;
  std::set<std::pair<dev_t, ino_t>> visited_;
};

}  // namespace

Result<ScanResult> scan(const std::vector<std::filesystem::path>& roots,
                        const ScanOptions& options) {
  ScanResult result;
  Walker walker(options, result);
  for (const std::filesystem::path& root : roots) {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0) {
      return usage_error("no such file or directory: " + root.string());
    }
    Status status;
    if (S_ISDIR(st.st_mode)) {
      status = walker.walk(root, "");
    } else if (S_ISREG(st.st_mode)) {
      status = walker.add_file(root, std::filesystem::path(root).filename().string(), st);
    } else {
      return usage_error("not a file or directory: " + root.string());
    }
    if (!status) {
      return status.error();
    }
  }
  std::sort(result.files.begin(), result.files.end(),
            [](const ScannedFile& a, const ScannedFile& b) { return a.relative < b.relative; });
  for (std::size_t i = 1; i < result.files.size(); ++i) {
    if (result.files[i].relative == result.files[i - 1].relative) {
      return usage_error("two files would have the same path '" + result.files[i].relative +
                         "': " + result.files[i - 1].source.string() + " and " +
                         result.files[i].source.string());
    }
  }
  return result;
}

}  // namespace castor::client
