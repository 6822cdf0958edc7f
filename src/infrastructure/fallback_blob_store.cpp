#include "infrastructure/fallback_blob_store.h"

namespace castor {

Result<std::unique_ptr<BlobWriter>> FallbackBlobStore::create_temp(StorageClass storage_class,
                                                                   const ObjectId& object) {
  return primary_->create_temp(storage_class, object);
}

Status FallbackBlobStore::place(BlobWriter& writer, StorageClass storage_class,
                                const ContentHash& hash) {
  return primary_->place(writer, storage_class, hash);
}

Result<std::unique_ptr<BlobReader>> FallbackBlobStore::open(StorageClass storage_class,
                                                            const ContentHash& hash) {
  auto r = primary_->open(storage_class, hash);
  if (!r && r.error().code == ErrorCode::kNotFound) {
    return fallback_->open(storage_class, hash);
  }
  return r;
}

Result<bool> FallbackBlobStore::exists(StorageClass storage_class, const ContentHash& hash) {
  auto r = primary_->exists(storage_class, hash);
  if (r && !*r) {
    return fallback_->exists(storage_class, hash);
  }
  return r;
}

Status FallbackBlobStore::remove(StorageClass storage_class, const ContentHash& hash) {
  if (auto s = primary_->remove(storage_class, hash); !s) {
    return s;
  }
  return fallback_->remove(storage_class, hash);
}

Result<std::optional<std::uint64_t>> FallbackBlobStore::size_of(StorageClass storage_class,
                                                                const ContentHash& hash) {
  auto r = primary_->size_of(storage_class, hash);
  if (r && !*r) {
    return fallback_->size_of(storage_class, hash);
  }
  return r;
}

Result<ContentHash> FallbackBlobStore::hash_content(
    StorageClass storage_class, const ContentHash& hash,
    const std::function<bool(std::uint64_t)>& pace) {
  auto r = primary_->hash_content(storage_class, hash, pace);
  if (!r && r.error().code == ErrorCode::kNotFound) {
    return fallback_->hash_content(storage_class, hash, pace);
  }
  return r;
}

Result<ContentHash> FallbackBlobStore::hash_segments(
    StorageClass storage_class, std::span<const Segment> segments,
    const std::function<bool(std::uint64_t)>& pace) {
  auto r = primary_->hash_segments(storage_class, segments, pace);
  if (!r && r.error().code == ErrorCode::kNotFound) {
    return fallback_->hash_segments(storage_class, segments, pace);
  }
  return r;
}

Status FallbackBlobStore::quarantine(StorageClass storage_class, const ContentHash& hash) {
  if (auto s = primary_->quarantine(storage_class, hash); !s) {
    return s;
  }
  return fallback_->quarantine(storage_class, hash);
}

Status FallbackBlobStore::remove_temp(StorageClass storage_class, const ObjectId& object) {
  return primary_->remove_temp(storage_class, object);
}

Result<std::optional<Timestamp>> FallbackBlobStore::temp_modified_at(StorageClass storage_class,
                                                                     const ObjectId& object) {
  return primary_->temp_modified_at(storage_class, object);
}

Result<std::size_t> FallbackBlobStore::remove_temps_older_than(Timestamp before) {
  return primary_->remove_temps_older_than(before);
}

Status FallbackBlobStore::scan(
    StorageClass storage_class,
    const std::function<Status(const std::vector<ContentHash>&)>& visit) {
  return primary_->scan(storage_class, visit);
}

Result<ContentPage> FallbackBlobStore::scan_page(StorageClass storage_class,
                                                 const std::optional<ContentHash>& after,
                                                 std::size_t limit) {
  return primary_->scan_page(storage_class, after, limit);
}

bool FallbackBlobStore::is_remote(StorageClass storage_class) const {
  return primary_->is_remote(storage_class);
}

Result<std::optional<std::string>> FallbackBlobStore::download_url(
    StorageClass storage_class, const ContentHash& hash, const DownloadUrlOptions& options) {
  // A URL of the primary only for content it has: the rest is streamed from the fallback.
  auto there = primary_->exists(storage_class, hash);
  if (!there) {
    return std::move(there).error();
  }
  if (!*there) {
    return std::optional<std::string>();
  }
  return primary_->download_url(storage_class, hash, options);
}

}  // namespace castor
