#pragma once

#include <memory>
#include <vector>

#include "application/ports/blob_store.h"

namespace castor {

// The blob store of a storage class while it moves to another backend (`castor migrate-storage`,
// <CLASS>_STORAGE_FALLBACK=fs; docs/OPERATIONS.md "Storage backends"): new content goes to the
// primary store (the S3 bucket); reads look there first and then in the fallback (the directory
// the class used before), so that content written before the switch and not yet copied stays
// readable; removals and quarantines apply to both. Scans and uploads in progress are the
// primary's. A segmented content must have all its segments in one of the two. Thread-safe as
// its stores are.
class FallbackBlobStore final : public BlobStore {
 public:
  FallbackBlobStore(std::shared_ptr<BlobStore> primary, std::shared_ptr<BlobStore> fallback)
      : primary_(std::move(primary)), fallback_(std::move(fallback)) {}

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
  std::shared_ptr<BlobStore> primary_;
  std::shared_ptr<BlobStore> fallback_;
};

}  // namespace castor
