// The integrity side of FsBlobStore: re-hashing content (the scrubber, completions of upload
// sessions), sizes, quarantine and the scan of content files (fsck, the collector's orphan step).
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cassert>
#include <cerrno>

#include <spdlog/spdlog.h>

#include "application/io_thread.h"
#include "infrastructure/fs_blob_store.h"
#include "infrastructure/posix_file.h"

namespace castor {
namespace fs = std::filesystem;
namespace {

bool is_hex_name(const std::string& name, std::size_t size) {
  if (name.size() != size) {
    return false;
  }
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::optional<std::uint64_t>> FsBlobStore::size_of(StorageClass storage_class,
                                                          const ContentHash& hash) {
  struct stat st {};
  const fs::path path = content_path(storage_class, hash);
  if (::stat(path.c_str(), &st) == 0) {
    return std::optional<std::uint64_t>(static_cast<std::uint64_t>(st.st_size));
  }
  if (errno == ENOENT) {
    return std::optional<std::uint64_t>();
  }
  return io_error("stat", path, errno);
}

Result<ContentHash> FsBlobStore::hash_content(StorageClass storage_class, const ContentHash& hash,
                                              const std::function<bool(std::uint64_t)>& pace) {
  assert(!on_io_thread() && "content re-hashed on an IO thread");
  const fs::path path = content_path(storage_class, hash);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) {
      return not_found("content file missing");
    }
    return io_error("open", path, errno);
  }
  return sha256_of_file(fd.get(), path, pace);
}

Result<ContentHash> FsBlobStore::hash_segments(StorageClass storage_class,
                                               std::span<const Segment> segments,
                                               const std::function<bool(std::uint64_t)>& pace) {
  assert(!on_io_thread() && "content hashed on an IO thread");
  FileHasher hasher;
  for (const Segment& segment : segments) {
    const fs::path path = content_path(storage_class, segment.hash);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno == ENOENT) {
        return not_found("content file of segment " + segment.hash.hex() + " missing");
      }
      return io_error("open", path, errno);
    }
    auto n = hasher.add(fd.get(), path, pace);
    if (!n) {
      return std::move(n).error();
    }
    if (*n != segment.size_bytes) {
      return Error{ErrorCode::kDataLoss, "segment " + segment.hash.hex() + " holds " +
                                             std::to_string(*n) + " bytes, not " +
                                             std::to_string(segment.size_bytes)};
    }
  }
  return hasher.finish();
}

Status FsBlobStore::quarantine(StorageClass storage_class, const ContentHash& hash) {
  const fs::path from = content_path(storage_class, hash);
  const fs::path dir = root(storage_class) / kQuarantineDir;
  if (auto s = make_dir(dir); !s) {
    return s;
  }
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const fs::path to =
      dir / (hash.hex() + "." +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count()));
  if (::rename(from.c_str(), to.c_str()) != 0) {
    if (errno == ENOENT) {
      return {};
    }
    return io_error("quarantine", from, errno);
  }
  spdlog::warn("storage: content file {} moved to {}", from.string(), to.string());
  if (auto s = sync_dir(dir); !s) {
    return s;
  }
  return sync_dir(from.parent_path());
}

Status FsBlobStore::scan(StorageClass storage_class,
                         const std::function<Status(const std::vector<ContentHash>&)>& visit) {
  std::error_code ec;
  for (const auto& top : fs::directory_iterator(root(storage_class), ec)) {
    const std::string a = top.path().filename().string();
    if (!is_hex_name(a, 2) || !top.is_directory()) {
      continue;
    }
    for (const auto& mid : fs::directory_iterator(top.path(), ec)) {
      const std::string b = mid.path().filename().string();
      if (!is_hex_name(b, 2) || !mid.is_directory()) {
        continue;
      }
      std::vector<ContentHash> batch;
      for (const auto& file : fs::directory_iterator(mid.path(), ec)) {
        const std::string name = file.path().filename().string();
        if (is_hex_name(name, 64) && name.starts_with(a + b)) {
          batch.push_back(*ContentHash::parse(name));
        }
      }
      if (!batch.empty()) {
        if (auto s = visit(batch); !s) {
          return s;
        }
      }
    }
  }
  if (ec) {
    spdlog::error("storage: cannot scan {}: {}", root(storage_class).string(), ec.message());
    return internal_error("storage error: cannot scan content files: " + ec.message());
  }
  return {};
}

Result<ContentPage> FsBlobStore::scan_page(StorageClass storage_class,
                                           const std::optional<ContentHash>& after,
                                           std::size_t limit) {
  // Shard directories in name order, from the one holding `after`: the page is ascending, and a
  // page reads only the shards it covers (256 x 256 directories for a whole class).
  const std::string from = after ? after->hex() : std::string();
  auto sorted_names = [](const fs::path& dir, std::size_t length, std::error_code& ec) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      if (is_hex_name(name, length)) {
        names.push_back(std::move(name));
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  ContentPage page;
  std::error_code ec;
  const fs::path& top_dir = root(storage_class);
  for (const std::string& a : sorted_names(top_dir, 2, ec)) {
    if (!from.empty() && a < from.substr(0, 2)) {
      continue;
    }
    for (const std::string& b : sorted_names(top_dir / a, 2, ec)) {
      if (!from.empty() && a + b < from.substr(0, 4)) {
        continue;
      }
      for (const std::string& name : sorted_names(top_dir / a / b, 64, ec)) {
        if (!name.starts_with(a + b) || (!from.empty() && name <= from)) {
          continue;
        }
        if (page.hashes.size() == limit) {
          return page;
        }
        page.hashes.push_back(*ContentHash::parse(name));
      }
    }
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    spdlog::error("storage: cannot scan {}: {}", top_dir.string(), ec.message());
    return internal_error("storage error: cannot scan content files: " + ec.message());
  }
  page.end = true;
  return page;
}

}  // namespace castor
