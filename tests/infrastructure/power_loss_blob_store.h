#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "application/ports/blob_store.h"
#include "infrastructure/fs_blob_store.h"

namespace castor::testing {

// A BlobStore that models the page cache in front of a real FsBlobStore, for power-loss tests
// (after LevelDB's db/fault_injection_test.cc). Everything is written to the real files, but the
// wrapper remembers what the disk would still hold after a power cut:
// - a writer's bytes are durable only once BlobWriter::finish() (the fsync) has succeeded;
// - a content file's name is durable once place() (rename + directory fsync) has succeeded; its
//   bytes are those that were durable in the writer at that moment (none if it never finished:
//   the zero-length file a crash leaves after an un-fsynced rename);
// - remove() and quarantine() forget the file.
// power_loss() then rewrites the storage roots to that state: temporary files vanish, content
// files whose name is not durable vanish, content files whose bytes are not durable are
// truncated to zero. Everything else passes through. Thread-safe.
class PowerLossBlobStore final : public BlobStore {
 public:
  struct Faults {
    // finish() fsyncs and returns the hash but the wrapper records nothing as durable: a disk
    // that acknowledges flushes it has not done, or an upload path that skips the fsync. For
    // showing that the tests built on this wrapper catch lost content.
    bool fsync_lies = false;
  };

  PowerLossBlobStore(FsBlobStore& inner, std::filesystem::path hot_root,
                     std::filesystem::path cold_root, Faults faults)
      : inner_(inner),
        hot_root_(std::move(hot_root)),
        cold_root_(std::move(cold_root)),
        faults_(faults) {}
  PowerLossBlobStore(FsBlobStore& inner, std::filesystem::path hot_root,
                     std::filesystem::path cold_root)
      : PowerLossBlobStore(inner, std::move(hot_root), std::move(cold_root), Faults{}) {}

  // Drops everything the disk would not hold after a power cut (see above). Call with no other
  // call in flight. Returns how many files were removed or truncated.
  std::size_t power_loss();

  // How many content files are durable (name and bytes), for the tests' own checks.
  std::size_t durable_files() const;

  Result<std::unique_ptr<BlobWriter>> create_temp(StorageClass storage_class,
                                                  const ObjectId& object) override;
  Status place(BlobWriter& writer, StorageClass storage_class, const ContentHash& hash) override;
  Result<std::unique_ptr<BlobReader>> open(StorageClass storage_class,
                                           const ContentHash& hash) override {
    return inner_.open(storage_class, hash);
  }
  Result<bool> exists(StorageClass storage_class, const ContentHash& hash) override {
    return inner_.exists(storage_class, hash);
  }
  Status remove(StorageClass storage_class, const ContentHash& hash) override;
  Status remove_temp(StorageClass storage_class, const ObjectId& object) override {
    return inner_.remove_temp(storage_class, object);
  }
  Result<std::optional<Timestamp>> temp_modified_at(StorageClass storage_class,
                                                    const ObjectId& object) override {
    return inner_.temp_modified_at(storage_class, object);
  }
  Result<std::size_t> remove_temps_older_than(Timestamp before) override {
    return inner_.remove_temps_older_than(before);
  }
  Status scan(StorageClass storage_class,
              const std::function<Status(const std::vector<ContentHash>&)>& visit) override {
    return inner_.scan(storage_class, visit);
  }
  Result<ContentPage> scan_page(StorageClass storage_class, const std::optional<ContentHash>& after,
                                std::size_t limit) override {
    return inner_.scan_page(storage_class, after, limit);
  }
  Result<std::optional<std::uint64_t>> size_of(StorageClass storage_class,
                                               const ContentHash& hash) override {
    return inner_.size_of(storage_class, hash);
  }
  Result<ContentHash> hash_content(StorageClass storage_class, const ContentHash& hash,
                                   const std::function<bool(std::uint64_t)>& pace) override {
    return inner_.hash_content(storage_class, hash, pace);
  }
  Result<ContentHash> hash_segments(StorageClass storage_class, std::span<const Segment> segments,
                                    const std::function<bool(std::uint64_t)>& pace) override {
    return inner_.hash_segments(storage_class, segments, pace);
  }
  Status quarantine(StorageClass storage_class, const ContentHash& hash) override;

 private:
  // What survives a power cut of one content file.
  enum class Durability { kNameAndBytes, kNameOnly };
  using Key = std::pair<std::string, std::string>;  // storage class, hash hex

  FsBlobStore& inner_;
  const std::filesystem::path hot_root_;
  const std::filesystem::path cold_root_;
  const Faults faults_;
  mutable std::mutex mutex_;
  std::map<Key, Durability> durable_;  // guarded by mutex_
};

}  // namespace castor::testing
