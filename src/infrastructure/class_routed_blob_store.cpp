#include "infrastructure/class_routed_blob_store.h"

namespace castor {

Result<std::unique_ptr<BlobWriter>> ClassRoutedBlobStore::create_temp(StorageClass storage_class,
                                                                      const ObjectId& object) {
  return of(storage_class).create_temp(storage_class, object);
}

Status ClassRoutedBlobStore::place(BlobWriter& writer, StorageClass storage_class,
                                   const ContentHash& hash) {
  return of(storage_class).place(writer, storage_class, hash);
}

Result<std::unique_ptr<BlobReader>> ClassRoutedBlobStore::open(StorageClass storage_class,
                                                               const ContentHash& hash) {
  return of(storage_class).open(storage_class, hash);
}

Result<bool> ClassRoutedBlobStore::exists(StorageClass storage_class, const ContentHash& hash) {
  return of(storage_class).exists(storage_class, hash);
}

Status ClassRoutedBlobStore::remove(StorageClass storage_class, const ContentHash& hash) {
  return of(storage_class).remove(storage_class, hash);
}

Result<std::optional<std::uint64_t>> ClassRoutedBlobStore::size_of(StorageClass storage_class,
                                                                   const ContentHash& hash) {
  return of(storage_class).size_of(storage_class, hash);
}

Result<ContentHash> ClassRoutedBlobStore::hash_content(
    StorageClass storage_class, const ContentHash& hash,
    const std::function<bool(std::uint64_t)>& pace) {
  return of(storage_class).hash_content(storage_class, hash, pace);
}

Result<ContentHash> ClassRoutedBlobStore::hash_segments(
    StorageClass storage_class, std::span<const Segment> segments,
    const std::function<bool(std::uint64_t)>& pace) {
  return of(storage_class).hash_segments(storage_class, segments, pace);
}

Status ClassRoutedBlobStore::quarantine(StorageClass storage_class, const ContentHash& hash) {
  return of(storage_class).quarantine(storage_class, hash);
}

Status ClassRoutedBlobStore::remove_temp(StorageClass storage_class, const ObjectId& object) {
  return of(storage_class).remove_temp(storage_class, object);
}

Result<std::optional<Timestamp>> ClassRoutedBlobStore::temp_modified_at(StorageClass storage_class,
                                                                        const ObjectId& object) {
  return of(storage_class).temp_modified_at(storage_class, object);
}

Result<std::size_t> ClassRoutedBlobStore::remove_temps_older_than(Timestamp before) {
  std::size_t removed = 0;
  Status first;
  for (BlobStore* store : {hot_.get(), cold_.get()}) {
    if (store == cold_.get() && cold_ == hot_) {
      break;
    }
    auto n = store->remove_temps_older_than(before);
    if (n) {
      removed += *n;
    } else if (first) {
      first = std::move(n).error();
    }
  }
  if (!first) {
    return std::move(first).error();
  }
  return removed;
}

Status ClassRoutedBlobStore::scan(
    StorageClass storage_class,
    const std::function<Status(const std::vector<ContentHash>&)>& visit) {
  return of(storage_class).scan(storage_class, visit);
}

Result<ContentPage> ClassRoutedBlobStore::scan_page(StorageClass storage_class,
                                                    const std::optional<ContentHash>& after,
                                                    std::size_t limit) {
  return of(storage_class).scan_page(storage_class, after, limit);
}

bool ClassRoutedBlobStore::is_remote(StorageClass storage_class) const {
  return of(storage_class).is_remote(storage_class);
}

Result<std::optional<std::string>> ClassRoutedBlobStore::download_url(
    StorageClass storage_class, const ContentHash& hash, const DownloadUrlOptions& options) {
  return of(storage_class).download_url(storage_class, hash, options);
}

}  // namespace castor
