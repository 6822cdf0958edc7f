#include "application/blobs/store_blob.h"

#include <string>
#include "application/content_reader.h"

namespace castor {

namespace {
Error too_large(std::uint64_t limit) {
  return {ErrorCode::kOutOfRange,
          "blob is larger than the limit of " + std::to_string(limit) + " bytes"};
}

Error size_mismatch(std::uint64_t got, std::uint64_t declared) {
  return {ErrorCode::kInvalidArgument,
          "size mismatch: the body has " + std::to_string(got) + " bytes, size_bytes said " +
              std::to_string(declared),
          "size_mismatch"};
}
}  // namespace

Status StoreBlob::Upload::write(std::span<const std::byte> data) {
  if (writer_->size() + data.size() > max_size_) {
    if (request_.size_bytes) {
      return size_mismatch(writer_->size() + data.size(), *request_.size_bytes);
    }
    return too_large(max_size_);
  }
  return writer_->write(data);
}

Result<std::optional<Blob>> StoreBlob::held(const TenantId& tenant, StorageClass storage_class,
                                            const ContentHash& hash) {
  std::optional<Blob> found;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    found.reset();
    auto blob = tx.blobs().retain_held(tenant, storage_class, hash, clock_.now() + grace_);
    if (!blob) {
      return std::move(blob).error();
    }
    if (!*blob) {
      return {};
    }
    // Under the row lock: the collector cannot delete the file now, so what is seen is settled.
    // A file missing (a collection rolled back after removing it) is put back by a real store.
    auto present = content_present(tx, blobs_, storage_class, hash);
    if (!present) {
      return std::move(present).error();
    }
    if (*present) {
      found = std::move(*blob);
    }
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return found;
}

Result<std::unique_ptr<StoreBlob::Upload>> StoreBlob::begin(
    Request request, std::optional<std::uint64_t> declared_size) {
  if ((declared_size && *declared_size > max_size_) ||
      (request.size_bytes && *request.size_bytes > max_size_)) {
    return too_large(max_size_);
  }
  if (declared_size && request.size_bytes && *declared_size != *request.size_bytes) {
    return size_mismatch(*declared_size, *request.size_bytes);
  }
  auto writer = blobs_.create_temp(request.storage_class, ids_.next());
  if (!writer) {
    return std::move(writer).error();
  }
  // A body longer than the size it declared is refused as soon as it is.
  const std::uint64_t limit = request.size_bytes ? *request.size_bytes : max_size_;
  return std::unique_ptr<Upload>(new Upload(std::move(request), std::move(*writer), limit));
}

Result<StoreBlob::Stored> StoreBlob::commit(Upload& upload) {
  auto hash = upload.writer_->finish();
  if (!hash) {
    abort(upload);
    return std::move(hash).error();
  }
  const Request& r = upload.request_;
  const std::uint64_t size = upload.writer_->size();
  if (*hash != r.hash) {
    abort(upload);
    return Error{ErrorCode::kInvalidArgument,
                 "content hash mismatch: the body hashes to " + hash->hex() + ", the path names " +
                     r.hash.hex(),
                 "content_hash_mismatch"};
  }
  if (r.size_bytes && *r.size_bytes != size) {
    abort(upload);
    return size_mismatch(size, *r.size_bytes);
  }
  std::optional<Stored> stored;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    stored.reset();
    // Lock order, everywhere: content lock, then blob row.
    if (auto t = tx.lock_content(r.storage_class, r.hash); !t) {
      return t;
    }
    const Timestamp now = clock_.now();
    auto blob = tx.blobs().retain(r.storage_class, r.hash, size, now + grace_);
    if (!blob) {
      return std::move(blob).error();
    }
    if (blob->size_bytes() != size) {
      return Error{ErrorCode::kDataLoss, "blob " + r.hash.hex() + " is recorded with " +
                                             std::to_string(blob->size_bytes()) +
                                             " bytes, its content has " + std::to_string(size)};
    }
    auto granted = tx.blobs().grant(r.tenant, r.storage_class, r.hash, now);
    if (!granted) {
      return std::move(granted).error();
    }
    if (auto t = blobs_.place(*upload.writer_, r.storage_class, r.hash); !t) {
      return t;
    }
    stored = Stored{std::move(*blob), *granted};
    return {};
  });
  if (!s) {
    abort(upload);
    return std::move(s).error();
  }
  return std::move(*stored);
}

void StoreBlob::abort(Upload& upload) { upload.writer_.reset(); }

}  // namespace castor
