#include "infrastructure/s3/s3_blob_store.h"

#include <algorithm>
#include <cassert>

#include <spdlog/spdlog.h>

#include "application/io_thread.h"
#include "infrastructure/checksummers.h"
#include "infrastructure/s3/s3_blob_reader.h"
#include "infrastructure/s3/s3_blob_writer.h"
#include "infrastructure/s3/s3_request_url.h"
#include "infrastructure/system_services.h"

namespace castor {

Result<std::unique_ptr<S3BlobStore>> S3BlobStore::create(std::unique_ptr<S3Client> client,
                                                         S3BackendSettings settings,
                                                         StorageClass storage_class, Clock* clock) {
  if (!client) {
    return invalid_argument("S3 blob store: no S3 client");
  }
  if (settings.part_size == 0) {
    return invalid_argument("S3 blob store: the part size must be at least 1 byte");
  }
  if (!settings.prefix.empty() && !settings.prefix.ends_with('/')) {
    return invalid_argument("S3 blob store: the key prefix must be empty or end in '/'");
  }
  return std::unique_ptr<S3BlobStore>(
      new S3BlobStore(std::move(client), std::move(settings), storage_class, clock));
}

S3BlobStore::S3BlobStore(std::unique_ptr<S3Client> client, S3BackendSettings settings,
                         StorageClass storage_class, Clock* clock)
    : client_(std::move(client)),
      settings_(std::move(settings)),
      storage_class_(storage_class),
      keys_(settings_.prefix) {
  if (clock == nullptr) {
    own_clock_ = std::make_unique<SystemClock>();
    clock = own_clock_.get();
  }
  clock_ = clock;
  // A thread per connection: each part or window in flight holds one; the queue bounds waiting
  // work (an upload waits for room; a read-ahead is skipped when there is none).
  const std::size_t threads = std::max<std::size_t>(settings_.max_connections, 1);
  pool_ = std::make_unique<TransferPool>(threads, 2 * threads);
}

S3BlobStore::~S3BlobStore() = default;

Status S3BlobStore::check() { return client_->check_bucket(); }

void S3BlobStore::check_class(StorageClass storage_class) const {
  assert(storage_class == storage_class_ && "an S3 blob store serves one storage class");
  (void)storage_class;
}

void S3BlobStore::account(std::int64_t delta) {
  const std::uint64_t now =
      buffered_.fetch_add(static_cast<std::uint64_t>(delta)) + static_cast<std::uint64_t>(delta);
  std::uint64_t peak = peak_buffered_.load();
  while (now > peak && !peak_buffered_.compare_exchange_weak(peak, now)) {
  }
}

void S3BlobStore::writer_started(const std::string& object) {
  std::lock_guard lock(live_mu_);
  LiveUpload& live = live_[object];
  ++live.writers;
  live.last_write = now();
}

void S3BlobStore::writer_wrote(const std::string& object) {
  const Timestamp t = now();
  std::lock_guard lock(live_mu_);
  live_[object].last_write = t;
}

void S3BlobStore::writer_ended(const std::string& object) {
  std::lock_guard lock(live_mu_);
  auto it = live_.find(object);
  if (it != live_.end() && --it->second.writers <= 0) {
    live_.erase(it);
  }
}

std::optional<Timestamp> S3BlobStore::live_write_at(const std::string& object) {
  std::lock_guard lock(live_mu_);
  auto it = live_.find(object);
  if (it == live_.end()) {
    return std::nullopt;
  }
  return it->second.last_write;
}

Result<std::unique_ptr<BlobWriter>> S3BlobStore::create_temp(StorageClass storage_class,
                                                             const ObjectId& object) {
  check_class(storage_class);
  auto sha = make_checksummer(ChecksumAlgorithm::kSha256);
  if (!sha) {
    return std::move(sha).error();
  }
  return std::unique_ptr<BlobWriter>(
      std::make_unique<S3BlobWriter>(*this, object.to_string(), std::move(*sha)));
}

Status S3BlobStore::place(BlobWriter& writer, StorageClass storage_class, const ContentHash& hash) {
  check_class(storage_class);
  assert(!on_io_thread() && "S3 requests on an IO thread");
  auto& temp = static_cast<S3BlobWriter&>(writer);
  if (!temp.finished()) {
    return internal_error("storage error: content placed before its upload finished");
  }
  const std::string key = keys_.content_key(hash);
  auto head = client_->head(key);
  if (!head) {
    return std::move(head).error();
  }
  if (*head) {
    if ((*head)->size == temp.size()) {
      // Stored already (the caller holds the content lock, so it stays).
      temp.drop_temp();
      return {};
    }
    // A damaged copy (truncated, overwritten): the upload's copy of this very content replaces it.
    spdlog::error("storage: {} holds {} bytes, not {}: replaced by an upload's copy", key,
                  (*head)->size, temp.size());
  }
  if (temp.in_memory()) {
    if (auto s = client_->put(key, temp.memory()); !s) {
      return s;
    }
  } else if (auto s = client_->copy(temp.temp_key(), key, temp.size()); !s) {
    return s;
  }
  temp.drop_temp();
  return {};
}

Result<std::unique_ptr<BlobReader>> S3BlobStore::open_key(const std::string& key) {
  auto head = client_->head(key);
  if (!head) {
    return std::move(head).error();
  }
  if (!*head) {
    return not_found("content file missing");
  }
  return std::unique_ptr<BlobReader>(std::make_unique<S3BlobReader>(*this, key, (*head)->size));
}

Result<std::unique_ptr<BlobReader>> S3BlobStore::open(StorageClass storage_class,
                                                      const ContentHash& hash) {
  check_class(storage_class);
  return open_key(keys_.content_key(hash));
}

Result<bool> S3BlobStore::exists(StorageClass storage_class, const ContentHash& hash) {
  auto size = size_of(storage_class, hash);
  if (!size) {
    return std::move(size).error();
  }
  return size->has_value();
}

Status S3BlobStore::remove(StorageClass storage_class, const ContentHash& hash) {
  check_class(storage_class);
  return client_->remove(keys_.content_key(hash));
}

Result<std::optional<std::uint64_t>> S3BlobStore::size_of(StorageClass storage_class,
                                                          const ContentHash& hash) {
  check_class(storage_class);
  auto head = client_->head(keys_.content_key(hash));
  if (!head) {
    return std::move(head).error();
  }
  if (!*head) {
    return std::optional<std::uint64_t>();
  }
  return std::optional<std::uint64_t>((*head)->size);
}

Result<std::optional<std::string>> S3BlobStore::download_url(StorageClass storage_class,
                                                             const ContentHash& hash,
                                                             const DownloadUrlOptions& options) {
  check_class(storage_class);
  if (!settings_.redirect_downloads) {
    return std::optional<std::string>();
  }
  const std::string key = keys_.content_key(hash);
  if (settings_.public_url) {
    std::string base = *settings_.public_url;
    while (base.ends_with('/')) {
      base.pop_back();
    }
    return std::optional<std::string>(base + "/" + s3_escape_key(key));
  }
  return std::optional<std::string>(client_->presign_get(
      key, settings_.redirect_ttl, options.content_type, options.content_disposition));
}

}  // namespace castor
