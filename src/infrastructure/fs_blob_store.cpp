#include "infrastructure/fs_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>

#include <openssl/evp.h>

#include "application/io_thread.h"

namespace castor {
namespace fs = std::filesystem;
namespace {

constexpr const char* kTempDir = ".tmp";
constexpr std::size_t kWriteSize = 64 * 1024;  // bytes per write(2) call

Error io_error(const char* what, const fs::path& path, int err) {
  const ErrorCode code =
      (err == ENOSPC || err == EDQUOT) ? ErrorCode::kResourceExhausted : ErrorCode::kInternal;
  const std::string message =
      code == ErrorCode::kResourceExhausted
          ? "insufficient storage"
          : std::string(what) + " " + path.string() + ": " + std::strerror(err);
  return {code, message};
}

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

// fsync that retries on EINTR.
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

// Creates `dir` (one level) if missing and makes the new entry durable in its parent.
Status make_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) {
    return sync_dir(dir.parent_path());
  }
  if (errno == EEXIST) {
    return {};
  }
  return io_error("create directory", dir, errno);
}

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

Timestamp mtime_of(const struct stat& st) {
  return Timestamp(std::chrono::microseconds(std::int64_t{st.st_mtim.tv_sec} * 1'000'000 +
                                             st.st_mtim.tv_nsec / 1000));
}

class FsBlobWriter final : public BlobWriter {
 public:
  FsBlobWriter(fs::path path, Fd fd, EVP_MD_CTX* sha)
      : path_(std::move(path)), fd_(std::move(fd)), sha_(sha) {}
  ~FsBlobWriter() override {
    EVP_MD_CTX_free(sha_);
    if (!placed_) {
      ::unlink(path_.c_str());
    }
  }

  Status write(std::span<const std::byte> data) override {
    if (EVP_DigestUpdate(sha_, data.data(), data.size()) != 1) {
      return internal_error("SHA-256 update failed");
    }
    while (!data.empty()) {
      // At most kWriteSize per call: the kernel copies small writes into the page cache faster
      // (measured on the benchmark VM: 2-4 GB/s at <= 64 KiB per call, 0.2-0.6 GB/s above).
      const ssize_t n = ::write(fd_.get(), data.data(), std::min(data.size(), kWriteSize));
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return io_error("write", path_, errno);
      }
      data = data.subspan(static_cast<std::size_t>(n));
      size_ += static_cast<std::uint64_t>(n);
    }
    return {};
  }

  std::uint64_t size() const override { return size_; }

  Result<ContentHash> finish() override {
    assert(!on_io_thread() && "fsync on an IO thread");
    ContentHash::Bytes digest{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(sha_, digest.data(), &len) != 1 || len != digest.size()) {
      return internal_error("SHA-256 final failed");
    }
    if (sync_fd(fd_.get()) != 0) {
      return io_error("fsync", path_, errno);
    }
    return ContentHash::from_bytes(digest);
  }

  const fs::path& path() const { return path_; }
  void mark_placed() { placed_ = true; }

 private:
  fs::path path_;
  Fd fd_;
  EVP_MD_CTX* sha_;  // owned
  std::uint64_t size_ = 0;
  bool placed_ = false;
};

class FsBlobReader final : public BlobReader {
 public:
  FsBlobReader(fs::path path, Fd fd, std::uint64_t size)
      : path_(std::move(path)), fd_(std::move(fd)), size_(size) {}

  std::uint64_t size() const override { return size_; }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    for (;;) {
      const ssize_t n = ::pread(fd_.get(), out.data(), out.size(), static_cast<off_t>(offset));
      if (n >= 0) {
        return static_cast<std::size_t>(n);
      }
      if (errno != EINTR) {
        return io_error("read", path_, errno);
      }
    }
  }

 private:
  fs::path path_;
  Fd fd_;
  std::uint64_t size_;
};

}  // namespace

Status check_writable(const fs::path& dir) {
  // Per process: replicas sharing a root must not remove each other's probe.
  const fs::path probe = dir / (".ready-probe-" + std::to_string(::getpid()));
  Fd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    return Error{ErrorCode::kUnavailable,
                 dir.string() + " is not writable: " + std::strerror(errno)};
  }
  const bool ok = ::write(fd.get(), "ok", 2) == 2 && sync_fd(fd.get()) == 0;
  const int err = errno;
  ::unlink(probe.c_str());
  if (!ok) {
    return Error{ErrorCode::kUnavailable, dir.string() + " is not writable: " + std::strerror(err)};
  }
  return {};
}

Result<std::unique_ptr<FsBlobStore>> FsBlobStore::create(fs::path hot_root, fs::path cold_root) {
  for (const fs::path& root : {hot_root, cold_root}) {
    std::error_code ec;
    fs::create_directories(root / kTempDir, ec);
    if (ec) {
      return internal_error("cannot create storage root " + root.string() + ": " + ec.message());
    }
    if (auto s = check_writable(root / kTempDir); !s) {
      return internal_error(s.error().message);
    }
  }
  return std::unique_ptr<FsBlobStore>(new FsBlobStore(std::move(hot_root), std::move(cold_root)));
}

const fs::path& FsBlobStore::root(StorageClass storage_class) const {
  return storage_class == StorageClass::kHot ? hot_root_ : cold_root_;
}

fs::path FsBlobStore::content_path(StorageClass storage_class, const ContentHash& hash) const {
  const std::string& h = hash.hex();
  return root(storage_class) / h.substr(0, 2) / h.substr(2, 2) / h;
}

fs::path FsBlobStore::temp_path(StorageClass storage_class, const ObjectId& object) const {
  return root(storage_class) / kTempDir / object.to_string();
}

Result<std::unique_ptr<BlobWriter>> FsBlobStore::create_temp(StorageClass storage_class,
                                                             const ObjectId& object) {
  fs::path path = temp_path(storage_class, object);
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return io_error("create", path, errno);
  }
  EVP_MD_CTX* sha = EVP_MD_CTX_new();
  if (sha == nullptr || EVP_DigestInit_ex(sha, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(sha);
    ::unlink(path.c_str());
    return internal_error("SHA-256 init failed");
  }
  return std::unique_ptr<BlobWriter>(new FsBlobWriter(std::move(path), std::move(fd), sha));
}

Status FsBlobStore::place(BlobWriter& writer, StorageClass storage_class, const ContentHash& hash) {
  assert(!on_io_thread() && "rename and directory fsync on an IO thread");
  auto& temp = static_cast<FsBlobWriter&>(writer);
  const fs::path final_path = content_path(storage_class, hash);
  const fs::path shard = final_path.parent_path();
  struct stat st {};
  if (::stat(final_path.c_str(), &st) == 0) {
    // The content is stored already (the caller holds its content lock, so it stays).
    ::unlink(temp.path().c_str());
    temp.mark_placed();
    return {};
  }
  if (auto s = make_dir(shard.parent_path()); !s) {
    return s;
  }
  if (auto s = make_dir(shard); !s) {
    return s;
  }
  if (::rename(temp.path().c_str(), final_path.c_str()) != 0) {
    return io_error("rename into", final_path, errno);
  }
  temp.mark_placed();
  return sync_dir(shard);
}

Result<std::unique_ptr<BlobReader>> FsBlobStore::open(StorageClass storage_class,
                                                      const ContentHash& hash) {
  fs::path path = content_path(storage_class, hash);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) {
      return not_found("content file missing");
    }
    return io_error("open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return io_error("stat", path, errno);
  }
  return std::unique_ptr<BlobReader>(
      new FsBlobReader(std::move(path), std::move(fd), static_cast<std::uint64_t>(st.st_size)));
}

Result<bool> FsBlobStore::exists(StorageClass storage_class, const ContentHash& hash) {
  struct stat st {};
  const fs::path path = content_path(storage_class, hash);
  if (::stat(path.c_str(), &st) == 0) {
    return true;
  }
  if (errno == ENOENT) {
    return false;
  }
  return io_error("stat", path, errno);
}

Status FsBlobStore::remove(StorageClass storage_class, const ContentHash& hash) {
  const fs::path path = content_path(storage_class, hash);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return io_error("remove", path, errno);
  }
  return {};
}

Status FsBlobStore::remove_temp(StorageClass storage_class, const ObjectId& object) {
  const fs::path path = temp_path(storage_class, object);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return io_error("remove", path, errno);
  }
  return {};
}

Result<std::optional<Timestamp>> FsBlobStore::temp_modified_at(StorageClass storage_class,
                                                               const ObjectId& object) {
  const fs::path path = temp_path(storage_class, object);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    return std::optional<Timestamp>(mtime_of(st));
  }
  if (errno == ENOENT) {
    return std::optional<Timestamp>();
  }
  return io_error("stat", path, errno);
}

Result<std::size_t> FsBlobStore::remove_temps_older_than(Timestamp before) {
  std::size_t removed = 0;
  for (StorageClass storage_class : kAllStorageClasses) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root(storage_class) / kTempDir, ec)) {
      struct stat st {};
      if (::lstat(entry.path().c_str(), &st) == 0 && S_ISREG(st.st_mode) && mtime_of(st) < before &&
          ::unlink(entry.path().c_str()) == 0) {
        ++removed;
      }
    }
    if (ec) {
      return internal_error("cannot list " + (root(storage_class) / kTempDir).string() + ": " +
                            ec.message());
    }
  }
  return removed;
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
    return internal_error("cannot scan " + root(storage_class).string() + ": " + ec.message());
  }
  return {};
}

}  // namespace castor
