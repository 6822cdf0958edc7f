// The uploads-in-progress side of S3BlobStore: temp keys ({prefix}.tmp/{object id}) and the
// multipart uploads that become them, for the collector (expired uploads, leftovers of crashes).
#include <algorithm>

#include <spdlog/spdlog.h>

#include "infrastructure/s3/s3_blob_store.h"

namespace castor {
namespace {

constexpr std::size_t kTempPageKeys = 1000;  // keys per ListObjectsV2 page of temp keys

void keep_latest(std::optional<Timestamp>& latest, Timestamp t) {
  if (!latest || t > *latest) {
    latest = t;
  }
}

}  // namespace

Status S3BlobStore::remove_temp(StorageClass storage_class, const ObjectId& object) {
  check_class(storage_class);
  const std::string key = keys_.temp_key(object);
  auto uploads = client_->list_multipart_uploads(key);
  if (!uploads) {
    return std::move(uploads).error();
  }
  for (const S3MultipartUpload& upload : *uploads) {
    if (upload.key != key) {
      continue;  // another object whose id starts the same (never, with UUIDs of one length)
    }
    if (auto s = client_->abort_multipart(upload.key, upload.upload_id); !s) {
      return s;
    }
  }
  return client_->remove(key);
}

Result<std::optional<Timestamp>> S3BlobStore::temp_modified_at(StorageClass storage_class,
                                                               const ObjectId& object) {
  check_class(storage_class);
  const std::string id = object.to_string();
  const std::string key = keys_.temp_key(object);
  std::optional<Timestamp> latest = live_write_at(id);
  auto head = client_->head(key);
  if (!head) {
    return std::move(head).error();
  }
  if (*head) {
    keep_latest(latest, (*head)->last_modified);
  }
  // An upload receiving parts on another replica: its latest part says it is alive.
  auto uploads = client_->list_multipart_uploads(key);
  if (!uploads) {
    return std::move(uploads).error();
  }
  for (const S3MultipartUpload& upload : *uploads) {
    if (upload.key != key) {
      continue;
    }
    keep_latest(latest, upload.initiated);
    auto part = client_->last_part_at(upload.key, upload.upload_id);
    if (!part) {
      if (part.error().code == ErrorCode::kNotFound) {
        continue;  // completed or aborted meanwhile
      }
      return std::move(part).error();
    }
    if (*part) {
      keep_latest(latest, **part);
    }
  }
  return latest;
}

Result<std::size_t> S3BlobStore::remove_temps_older_than(Timestamp before) {
  std::size_t removed = 0;
  auto live = [&](const std::string& key) {
    auto object = keys_.temp_object(key);
    return object && live_write_at(*object).has_value();
  };
  auto uploads = client_->list_multipart_uploads(keys_.temp_prefix());
  if (!uploads) {
    return std::move(uploads).error();
  }
  for (const S3MultipartUpload& upload : *uploads) {
    if (upload.initiated >= before || live(upload.key)) {
      continue;
    }
    auto part = client_->last_part_at(upload.key, upload.upload_id);
    if (!part) {
      if (part.error().code == ErrorCode::kNotFound) {
        continue;
      }
      return std::move(part).error();
    }
    if (*part && **part >= before) {
      continue;  // still receiving parts (on another replica)
    }
    if (auto s = client_->abort_multipart(upload.key, upload.upload_id); !s) {
      return std::move(s).error();
    }
    spdlog::info("storage: aborted the stale multipart upload of {}", upload.key);
    ++removed;
  }
  // Temp keys: completed uploads whose place() never ran or whose delete failed. A few pages per
  // call, resuming where the last call stopped, so that a long listing is never read whole.
  std::string after;
  {
    std::lock_guard lock(temp_scan_mu_);
    after = temp_scan_after_;
  }
  for (int page = 0; page < kTempPagesPerCall; ++page) {
    auto listed = client_->list(keys_.temp_prefix(), after, kTempPageKeys);
    if (!listed) {
      return std::move(listed).error();
    }
    for (const S3ObjectInfo& object : listed->objects) {
      if (object.last_modified >= before || live(object.key)) {
        continue;
      }
      if (auto s = client_->remove(object.key); !s) {
        return std::move(s).error();
      }
      ++removed;
    }
    if (!listed->truncated || listed->objects.empty()) {
      after.clear();
      break;
    }
    after = listed->objects.back().key;
  }
  {
    std::lock_guard lock(temp_scan_mu_);
    temp_scan_after_ = after;
  }
  return removed;
}

}  // namespace castor
