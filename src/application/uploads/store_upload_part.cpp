#include "application/uploads/store_upload_part.h"

#include <string>

namespace castor {

namespace {
Error too_large(std::uint64_t limit) {
  return {ErrorCode::kOutOfRange,
          "part is larger than the limit of " + std::to_string(limit) + " bytes"};
}

// The tenant's session `id`, locked when `for_update`, that may take a part at `now`.
Result<UploadSession> open_session(MetadataTransaction& tx, const TenantId& tenant,
                                   const UploadId& id, bool s3, bool for_update, Timestamp now,
                                   std::chrono::seconds ttl) {
  auto session = tx.uploads().find(id, for_update);
  if (!session) {
    return std::move(session).error();
  }
  if (session->tenant() != tenant || session->s3() != s3) {
    return Error{ErrorCode::kNotFound, "no upload " + id.to_string()};
  }
  if (auto s = session->accept_part(now, ttl); !s) {
    return std::move(s).error();
  }
  return session;
}
}  // namespace

Status StoreUploadPart::Upload::write(std::span<const std::byte> data) {
  if (writer_->size() + data.size() > max_size_) {
    return too_large(max_size_);
  }
  return writer_->write(data);
}

Result<std::unique_ptr<StoreUploadPart::Upload>> StoreUploadPart::begin(
    Request request, std::optional<std::uint64_t> declared_size) {
  if (auto s = check_part_number(request.number); !s) {
    return std::move(s).error();
  }
  if (declared_size && *declared_size > limits_.max_size) {
    return too_large(limits_.max_size);
  }
  auto session = read_only(metadata_, [&](MetadataTransaction& tx) {
    return open_session(tx, request.tenant, request.upload, request.s3, false, clock_.now(),
                        limits_.ttl);
  });
  if (!session) {
    return std::move(session).error();
  }
  const StorageClass storage_class = session->storage_class();
  auto writer = blobs_.create_temp(storage_class, ids_.next());
  if (!writer) {
    return std::move(writer).error();
  }
  return std::unique_ptr<Upload>(
      new Upload(std::move(request), storage_class, std::move(*writer), limits_.max_size));
}

Result<UploadPart> StoreUploadPart::commit(Upload& upload) {
  auto hash = upload.writer_->finish();
  if (!hash) {
    abort(upload);
    return std::move(hash).error();
  }
  const Request& r = upload.request_;
  const std::uint64_t size = upload.writer_->size();
  if (size == 0) {
    abort(upload);
    return invalid_argument("a part must hold at least one byte");
  }
  if (r.expected && *r.expected != *hash) {
    abort(upload);
    return Error{ErrorCode::kInvalidArgument,
                 "content hash mismatch: the part hashes to " + hash->hex() +
                     ", X-Content-SHA256 said " + r.expected->hex(),
                 "content_hash_mismatch"};
  }
  if (r.s3 && upload.md5_.empty()) {
    abort(upload);
    return Error{ErrorCode::kInternal, "an S3 part must come with its MD5"};
  }
  const StorageClass c = upload.storage_class_;
  UploadPart part{.number = r.number,
                  .hash = *hash,
                  .size_bytes = size,
                  .md5 = upload.md5_,
                  .checksums = upload.checksums_,
                  .uploaded_at = {}};
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    // Lock order: session row, then content lock, then blob rows.
    const Timestamp now = clock_.now();
    part.uploaded_at = now;
    auto session = open_session(tx, r.tenant, r.upload, r.s3, true, now, limits_.ttl);
    if (!session) {
      return std::move(session).error();
    }
    if (auto t = tx.lock_content(c, *hash); !t) {
      return t;
    }
    auto blob = tx.blobs().add_ref(c, *hash, size);
    if (!blob) {
      return std::move(blob).error();
    }
    if (blob->size_bytes() != size) {
      return Error{ErrorCode::kDataLoss, "blob " + hash->hex() + " is recorded with " +
                                             std::to_string(blob->size_bytes()) +
                                             " bytes, its content has " + std::to_string(size)};
    }
    if (auto granted = tx.blobs().grant(r.tenant, c, *hash, now); !granted) {
      return std::move(granted).error();
    }
    if (auto t = blobs_.place(*upload.writer_, c, *hash); !t) {
      return t;
    }
    auto replaced = tx.uploads().put_part(r.upload, part);
    if (!replaced) {
      return std::move(replaced).error();
    }
    if (*replaced) {
      if (auto t = tx.blobs().release_refs(c, {{(*replaced)->hash, 1}}); !t) {
        return t;
      }
    }
    return tx.uploads().update(*session);
  });
  if (!s) {
    abort(upload);
    return std::move(s).error();
  }
  return part;
}

void StoreUploadPart::abort(Upload& upload) { upload.writer_.reset(); }

}  // namespace castor
