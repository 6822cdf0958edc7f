#pragma once

#include <memory>
#include <vector>

#include "application/ports/blob_store.h"

namespace castor {

// A BlobStore that hands each call to the store of its storage class (hot and cold may live on
// different backends: docs/OPERATIONS.md "Storage backends"). The two may be one store (both
// classes on the filesystem). Thread-safe as its stores are.
class ClassRoutedBlobStore final : public BlobStore {
 public:
  // `hot` and `cold` may be the same object; it is then owned once.
  ClassRoutedBlobStore(std::shared_ptr<BlobStore> hot, std::shared_ptr<BlobStore> cold)
      : hot_(std::move(hot)), cold_(std::move(cold)) {}

  Result<std::unique_ptr<BlobWriter>> create_temp(StorageClass storage_class,
                                                  const ObjectId& object) override;
  Status place(BlobWriter& writer, StorageClass storage_class, const ContentHash& hash) override;
  Result<std::unique_ptr<BlobReader>> open(StorageClass storage_class,
                                           const ContentHash& hash) override;
  Result<bool> exists(StorageClass storage_class, const ContentHash& hash) override;
  Status remove(StorageClass storage_class, const ContentHash& hash) override;
  Result<std::optional<std::uint64_t>> size_of(StorageClass storage_class,
                                               const ContentHash& hash) override;
  Result<ContentHash> hash_content(StorageClass storage_class, const ContentHash& hash,
                                   const std::function<bool(std::uint64_t)>& pace) override;
  Result<ContentHash> hash_segments(StorageClass storage_class, std::span<const Segment> segments,
                                    const std::function<bool(std::uint64_t)>& pace) override;
  Status quarantine(StorageClass storage_class, const ContentHash& hash) override;
  Status remove_temp(StorageClass storage_class, const ObjectId& object) override;
  Result<std::optional<Timestamp>> temp_modified_at(StorageClass storage_class,
                                                    const ObjectId& object) override;
  // Each distinct store once; the sum of what they removed (the first error, after trying all).
  Result<std::size_t> remove_temps_older_than(Timestamp before) override;
  Status scan(StorageClass storage_class,
              const std::function<Status(const std::vector<ContentHash>&)>& visit) override;
  Result<ContentPage> scan_page(StorageClass storage_class, const std::optional<ContentHash>& after,
                                std::size_t limit) override;
  bool is_remote(StorageClass storage_class) const override;
  Result<std::optional<std::string>> download_url(StorageClass storage_class,
                                                  const ContentHash& hash,
                                                  const DownloadUrlOptions& options) override;

 private:
  BlobStore& of(StorageClass storage_class) const {
    return storage_class == StorageClass::kCold ? *cold_ : *hot_;
  }

  std::shared_ptr<BlobStore> hot_;
  std::shared_ptr<BlobStore> cold_;
};

}  // namespace castor
