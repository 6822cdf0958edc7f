#include "application/upload_object.h"

#include <algorithm>
#include <cctype>

#include "application/content_reader.h"

namespace castor {

namespace {
constexpr std::string_view kDefaultContentType = "application/octet-stream";

Error too_large(std::uint64_t limit) {
  return {ErrorCode::kOutOfRange,
          "object is larger than the limit of " + std::to_string(limit) + " bytes"};
}

Error key_in_use(const Object& object) {
  return {ErrorCode::kAlreadyExists, "key '" + object.key()->str() +
                                         "' is already used in namespace " + object.ns().str() +
                                         " of tenant " + object.tenant().str()};
}
}  // namespace

std::string effective_content_type(std::string_view given, const std::optional<ObjectKey>& key,
                                   const MediaTypes* media_types) {
  // curl --data-binary (and HTML forms) label any body as a form unless told otherwise; an
  // object store that echoed that back would serve model weights as form data.
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  const bool form =
      given.size() >= kForm.size() &&
      std::equal(kForm.begin(), kForm.end(), given.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }) &&
      (given.size() == kForm.size() || given[kForm.size()] == ';');
  if (!given.empty() && !form) {
    return std::string(given);
  }
  if (key && media_types != nullptr) {
    if (auto guessed = media_types->for_name(key->str())) {
      return std::move(*guessed);
    }
  }
  return std::string(kDefaultContentType);
}

bool is_valid_content_type(std::string_view content_type) {
  if (content_type.empty() || content_type.size() > 255) {
    return false;
  }
  for (char c : content_type) {
    if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  return true;
}

Status UploadObject::Upload::write(std::span<const std::byte> data) {
  if (buffer_) {
    // max_size_ is the declared size here; the HTTP layer holds the body to it already.
    if (buffer_->size() + data.size() > max_size_) {
      return invalid_argument("the body is longer than its declared length");
    }
    buffer_->insert(buffer_->end(), data.begin(), data.end());
    return {};
  }
  if (writer_->size() + data.size() > max_size_) {
    return too_large(max_size_);
  }
  return writer_->write(data);
}

Result<std::unique_ptr<UploadObject::Upload>> UploadObject::begin(
    Request request, std::optional<std::uint64_t> declared_size) {
  if (declared_size && *declared_size > max_object_size_) {
    return too_large(max_object_size_);
  }
  request.content_type = effective_content_type(request.content_type, request.key, media_types_);
  if (!is_valid_content_type(request.content_type)) {
    return invalid_argument("content type must be 1 to 255 printable ASCII characters");
  }
  if (auto s = check_attributes(request.attributes); !s) {
    return std::move(s).error();
  }
  std::optional<ObjectKey> deferred_key;
  if (request.policy) {
    deferred_key = std::move(request.key);
    request.key.reset();
  }
  Object object = Object::begin(ids_.next(), std::move(request.ns), std::move(request.tenant),
                                std::move(request.key), request.storage_class,
                                std::move(request.content_type), clock_.now());
  if (auto s = object.set_lock(request.retention, request.legal_hold, object.created_at()); !s) {
    return std::move(s).error();
  }
  if (is_small(declared_size)) {
    // The small-object path: nothing to prepare; the commit does it all.
    std::unique_ptr<Upload> upload(
        new Upload(std::move(object), nullptr, std::move(request.expected_hash)));
    upload->buffer_.emplace();
    upload->buffer_->reserve(static_cast<std::size_t>(*declared_size));
    upload->max_size_ = *declared_size;
    upload->attributes_ = std::move(request.attributes);
    upload->policy_ = std::move(request.policy);
    upload->deferred_key_ = std::move(deferred_key);
    return upload;
  }
  // The temporary file first: if it cannot be created, no row is left behind.
  auto writer = blobs_.create_temp(object.storage_class(), object.id());
  if (!writer) {
    return std::move(writer).error();
  }
  if (auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
        // The quota pre-check (docs/USAGE_AND_QUOTAS.md), before the body is read; the commit
        // checks again under the quota's lock.
        if (auto q =
                tx.usage().check_quota(object.tenant(), object.ns(), 1, declared_size.value_or(0));
            !q) {
          return q;
        }
        return tx.objects().insert(object);
      });
      !s) {
    if (s.error().code == ErrorCode::kAlreadyExists && object.key()) {
      return key_in_use(object);
    }
    return std::move(s).error();
  }
  std::unique_ptr<Upload> upload(
      new Upload(std::move(object), std::move(*writer), std::move(request.expected_hash)));
  upload->max_size_ = max_object_size_;
  upload->attributes_ = std::move(request.attributes);
  upload->policy_ = std::move(request.policy);
  upload->deferred_key_ = std::move(deferred_key);
  return upload;
}

Result<Object> UploadObject::commit(Upload& upload) {
  if (upload.buffer_) {
    return commit_inline(upload);
  }
  auto hash = upload.writer_->finish();
  if (!hash) {
    abort(upload);
    return std::move(hash).error();
  }
  if (upload.expected_ && *upload.expected_ != *hash) {
    abort(upload);
    return Error{ErrorCode::kInvalidArgument,
                 "content hash mismatch: the body hashes to " + hash->to_string() +
                     ", X-Content-SHA256 said " + upload.expected_->to_string(),
                 "content_hash_mismatch"};
  }
  Object committed = upload.object_;
  if (auto s = commit_metadata(upload, *hash, committed); !s) {
    abort(upload);
    return std::move(s).error();
  }
  upload.object_ = committed;
  return committed;
}

Status UploadObject::commit_metadata(Upload& upload, const ContentHash& hash, Object& committed) {
  const StorageClass storage_class = upload.object_.storage_class();
  const std::uint64_t size = upload.writer_->size();
  return metadata_.transact([&](MetadataTransaction& tx) -> Status {
    // Lock order, everywhere: object row, then content lock, then blob row.
    auto current = tx.objects().find(upload.object_.id(), /*for_update=*/true);
    if (!current) {
      if (current.error().code == ErrorCode::kNotFound) {
        return Error{ErrorCode::kAborted, "the upload took too long and was abandoned"};
      }
      return std::move(current).error();
    }
    committed = std::move(*current);
    if (committed.status() != ObjectStatus::kWriting) {
      return Error{ErrorCode::kAborted, "the upload was abandoned: the object is " +
                                            std::string(to_string(committed.status()))};
    }
    if (auto s = committed.set_attributes(upload.attributes_, upload.etag_); !s) {
      return s;
    }
    if (upload.policy_ && upload.deferred_key_) {
      // The key lock first (write_policy.h): writers of one key queue here, holding nothing else.
      if (auto s = tx.lock_key(committed.ns(), committed.tenant(), *upload.deferred_key_); !s) {
        return s;
      }
    }
    if (auto s = tx.lock_content(storage_class, hash); !s) {
      return s;
    }
    auto blob = tx.blobs().add_ref(storage_class, hash, size);
    if (!blob) {
      return std::move(blob).error();
    }
    const Timestamp now = clock_.now();
    if (upload.policy_ && upload.deferred_key_) {
      if (auto s = claim_key(tx, committed, *upload.deferred_key_, *upload.policy_, now); !s) {
        return s;
      }
    } else if (auto bucket = tx.buckets().ensure(committed.ns(), committed.tenant(), now);
               !bucket) {
      // A native upload makes its namespace a bucket (docs/S3.md "Native uploads and buckets").
      return std::move(bucket).error();
    }
    if (auto s = committed.commit(hash, size, now); !s) {
      return Error{ErrorCode::kAborted, "the upload was abandoned: " + s.error().message};
    }
    // The tenant has proven it holds this content: it may bundle or read it as a blob too.
    if (auto granted = tx.blobs().grant(committed.tenant(), storage_class, hash, clock_.now());
        !granted) {
      return std::move(granted).error();
    }
    // Content its blob row holds already (the small-object path) needs no file as well; the
    // temporary file goes with the writer.
    if (!blob->stored_inline()) {
      if (auto s = blobs_.place(*upload.writer_, storage_class, hash); !s) {
        return s;
      }
    }
    return tx.objects().update(committed);
  });
}

Result<Object> UploadObject::commit_inline(Upload& upload) {
  const std::span<const std::byte> content(*upload.buffer_);
  auto hashed = hash_bytes(*inline_.sha256, content);
  if (!hashed) {
    return std::move(hashed).error();
  }
  const ContentHash hash = *hashed;
  if (upload.expected_ && *upload.expected_ != hash) {
    return Error{ErrorCode::kInvalidArgument,
                 "content hash mismatch: the body hashes to " + hash.to_string() +
                     ", X-Content-SHA256 said " + upload.expected_->to_string(),
                 "content_hash_mismatch"};
  }
  const StorageClass storage_class = upload.object_.storage_class();
  const bool claim = upload.policy_ && upload.deferred_key_;
  Object committed = upload.object_;
  if (!claim) {
    // The native API: one statement, so one round trip and one commit (insert_small).
    if (auto t = committed.set_attributes(upload.attributes_, upload.etag_); !t) {
      return std::move(t).error();
    }
    if (auto t = committed.commit(hash, content.size(), clock_.now()); !t) {
      return std::move(t).error();
    }
    auto s = metadata_.transact(
        [&](MetadataTransaction& tx) { return tx.objects().insert_small(committed, content); },
        MetadataStore::Mode::kSingleStatement);
    if (!s) {
      if (s.error().code == ErrorCode::kAlreadyExists && committed.key()) {
        return key_in_use(committed);
      }
      return std::move(s).error();
    }
    upload.object_ = committed;
    return committed;
  }
  // S3 writes claim their key under a policy (write_policy.h): a transaction of several steps.
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    committed = upload.object_;
    if (auto t = committed.set_attributes(upload.attributes_, upload.etag_); !t) {
      return t;
    }
    // The lock order of commit_metadata (there is no object row yet): key, content, blob row.
    if (auto t = tx.lock_key(committed.ns(), committed.tenant(), *upload.deferred_key_); !t) {
      return t;
    }
    if (auto t = tx.lock_content(storage_class, hash); !t) {
      return t;
    }
    if (auto blob = tx.blobs().add_ref_inline(storage_class, hash, content); !blob) {
      return std::move(blob).error();
    }
    const Timestamp now = clock_.now();
    if (auto t = claim_key(tx, committed, *upload.deferred_key_, *upload.policy_, now); !t) {
      return t;
    }
    if (auto t = committed.commit(hash, content.size(), now); !t) {
      return t;
    }
    if (auto granted = tx.blobs().grant(committed.tenant(), storage_class, hash, now); !granted) {
      return std::move(granted).error();
    }
    return tx.objects().insert(committed);
  });
  if (!s) {
    return std::move(s).error();
  }
  upload.object_ = committed;
  return committed;
}

void UploadObject::abort(Upload& upload) {
  if (upload.buffer_) {
    return;  // the small-object path left nothing anywhere
  }
  (void)blobs_.remove_temp(upload.object_.storage_class(), upload.object_.id());
  (void)metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto current = tx.objects().find(upload.object_.id(), /*for_update=*/true);
    if (!current || current->status() != ObjectStatus::kWriting) {
      return {};  // gone already, or (never) committed by someone else
    }
    return tx.objects().remove(upload.object_.id());
  });
}

}  // namespace castor
