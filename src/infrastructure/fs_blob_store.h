#pragma once

#include <filesystem>
#include <memory>

#include "application/ports/blob_store.h"

namespace castor {

// Permission bits of what FsBlobStore creates (applied exactly, whatever the umask).
struct StorageModes {
  unsigned file = 0640;  // content and temporary files (STORAGE_FILE_MODE)
  unsigned dir = 0750;   // shard, .tmp and .quarantine directories (STORAGE_DIR_MODE)
};

// BlobStore on a local filesystem. Each storage class has a root directory:
//   {root}/{h[0:2]}/{h[2:4]}/{h}   content files, named by their SHA-256 hex (h)
//   {root}/.tmp/{object id}        uploads in progress
//   {root}/.quarantine/{h}.{time}  content found damaged by the scrubber, kept for inspection
// Temporary files live under the root so that placing one is a rename within one filesystem.
// Durability follows LevelDB's recipe: write, fsync the file, rename, fsync the directory.
//
// Errors returned never name a path (their messages may reach clients); the path and the system
// error are logged instead.
class FsBlobStore final : public BlobStore {
 public:
  using Modes = StorageModes;

  // Directories under each storage root beside the content shards: uploads in progress, and
  // content files the scrubber or fsck set aside.
  static constexpr const char* kTempDir = ".tmp";
  static constexpr const char* kQuarantineDir = ".quarantine";

  // Creates the roots and their .tmp directories if missing. Internal error naming the path if
  // they cannot be created or are not writable.
  static Result<std::unique_ptr<FsBlobStore>> create(std::filesystem::path hot_root,
                                                     std::filesystem::path cold_root,
                                                     Modes modes = {});

  Result<std::unique_ptr<BlobWriter>> create_temp(StorageClass storage_class,
                                                  const ObjectId& object) override;
  Status place(BlobWriter& writer, StorageClass storage_class, const ContentHash& hash) override;
  Result<std::unique_ptr<BlobReader>> open(StorageClass storage_class,
                                           const ContentHash& hash) override;
  Result<bool> exists(StorageClass storage_class, const ContentHash& hash) override;
  Status remove(StorageClass storage_class, const ContentHash& hash) override;
  Status remove_temp(StorageClass storage_class, const ObjectId& object) override;
  Result<std::optional<Timestamp>> temp_modified_at(StorageClass storage_class,
                                                    const ObjectId& object) override;
  Result<std::size_t> remove_temps_older_than(Timestamp before) override;
  Status scan(StorageClass storage_class,
              const std::function<Status(const std::vector<ContentHash>&)>& visit) override;
  Result<ContentPage> scan_page(StorageClass storage_class, const std::optional<ContentHash>& after,
                                std::size_t limit) override;
  Result<std::optional<std::uint64_t>> size_of(StorageClass storage_class,
                                               const ContentHash& hash) override;
  Result<ContentHash> hash_content(StorageClass storage_class, const ContentHash& hash,
                                   const std::function<bool(std::uint64_t)>& pace) override;
  Result<ContentHash> hash_segments(StorageClass storage_class, std::span<const Segment> segments,
                                    const std::function<bool(std::uint64_t)>& pace) override;
  Status quarantine(StorageClass storage_class, const ContentHash& hash) override;

  const std::filesystem::path& root(StorageClass storage_class) const;
  std::filesystem::path content_path(StorageClass storage_class, const ContentHash& hash) const;
  std::filesystem::path temp_path(StorageClass storage_class, const ObjectId& object) const;

 private:
  FsBlobStore(std::filesystem::path hot_root, std::filesystem::path cold_root, Modes modes)
      : hot_root_(std::move(hot_root)), cold_root_(std::move(cold_root)), modes_(modes) {}

  // Creates `dir` (one level) with modes_.dir if missing, durably.
  Status make_dir(const std::filesystem::path& dir) const;

  std::filesystem::path hot_root_;
  std::filesystem::path cold_root_;
  Modes modes_;
};

// Checks that `dir` accepts a new file: creates, fsyncs and removes a probe file. Unavailable with
// the reason (not the path, which is logged) otherwise. Blocking.
Status check_writable(const std::filesystem::path& dir);

}  // namespace castor
