#include "domain/object.h"

namespace castor {

std::string_view to_string(ObjectStatus status) {
  switch (status) {
    case ObjectStatus::kWriting:
      return "WRITING";
    case ObjectStatus::kCommitted:
      return "COMMITTED";
    case ObjectStatus::kDeleting:
      return "DELETING";
    case ObjectStatus::kDeleted:
      return "DELETED";
  }
  return "?";
}

Result<ObjectStatus> parse_object_status(std::string_view text) {
  for (auto s : {ObjectStatus::kWriting, ObjectStatus::kCommitted, ObjectStatus::kDeleting,
                 ObjectStatus::kDeleted}) {
    if (to_string(s) == text) {
      return s;
    }
  }
  return invalid_argument("unknown object status");
}

Object Object::begin(ObjectId id, Namespace ns, TenantId tenant, std::optional<ObjectKey> key,
                     StorageClass storage_class, std::string content_type, Timestamp now) {
  return Object(Fields{.id = id,
                       .ns = std::move(ns),
                       .tenant = std::move(tenant),
                       .key = std::move(key),
                       .storage_class = storage_class,
                       .status = ObjectStatus::kWriting,
                       .content_hash = std::nullopt,
                       .size_bytes = 0,
                       .content_type = std::move(content_type),
                       .created_at = now,
                       .updated_at = now,
                       .attributes = {},
                       .etag = {},
                       .retention = std::nullopt,
                       .legal_hold = false});
}

Result<Object> Object::restore(Fields fields) {
  if (fields.status != ObjectStatus::kWriting && !fields.content_hash) {
    return Error{ErrorCode::kDataLoss, "object " + fields.id.to_string() + " has no content hash"};
  }
  return Object(std::move(fields));
}

Status Object::commit(ContentHash hash, std::uint64_t size_bytes, Timestamp now) {
  if (auto s = transition(ObjectStatus::kWriting, ObjectStatus::kCommitted, now); !s) {
    return s;
  }
  f_.content_hash = std::move(hash);
  f_.size_bytes = size_bytes;
  return {};
}

Status Object::set_attributes(ObjectAttributes attributes, std::string etag) {
  if (f_.status != ObjectStatus::kWriting) {
    return Error{ErrorCode::kFailedPrecondition,
                 "object " + f_.id.to_string() + " is no longer WRITING: metadata is immutable"};
  }
  f_.attributes = std::move(attributes);
  f_.etag = std::move(etag);
  return {};
}

Status Object::replace_metadata(ObjectAttributes::Pairs metadata, std::string content_type,
                                std::optional<std::string> content_disposition, Timestamp now) {
  if (f_.status != ObjectStatus::kCommitted) {
    return Error{ErrorCode::kFailedPrecondition,
                 "object " + f_.id.to_string() + " is " + std::string(to_string(f_.status)) +
                     ": only a COMMITTED object's metadata can change"};
  }
  ObjectAttributes attributes = f_.attributes;
  attributes.metadata = std::move(metadata);
  constexpr std::string_view kDisposition = "content-disposition";
  auto& headers = attributes.headers;
  std::erase_if(headers, [&](const auto& h) { return h.first == kDisposition; });
  if (content_disposition) {
    // content-disposition is first in kStoredHeaders' order.
    headers.emplace(headers.begin(), std::string(kDisposition), std::move(*content_disposition));
  }
  if (auto s = check_attributes(attributes); !s) {
    return s;
  }
  f_.attributes = std::move(attributes);
  f_.content_type = std::move(content_type);
  f_.updated_at = now;
  return {};
}

Status Object::give_key(ObjectKey key) {
  if (f_.status != ObjectStatus::kWriting) {
    return Error{ErrorCode::kFailedPrecondition,
                 "object " + f_.id.to_string() + " is no longer WRITING: its key is fixed"};
  }
  f_.key = std::move(key);
  return {};
}

std::string Object::etag() const {
  if (!f_.etag.empty()) {
    return f_.etag;
  }
  return f_.content_hash ? f_.content_hash->hex() : std::string();
}

Status Object::set_lock(std::optional<Retention> retention, bool legal_hold, Timestamp now) {
  if (f_.status != ObjectStatus::kWriting) {
    return Error{ErrorCode::kFailedPrecondition,
                 "object " + f_.id.to_string() +
                     " is no longer WRITING: set its retention with "
                     "PUT /v1/objects/{id}/retention"};
  }
  if (retention && !retention->active(now)) {
    return invalid_argument("the retain-until date must be in the future");
  }
  f_.retention = retention;
  f_.legal_hold = legal_hold;
  return {};
}

Result<RetentionChange> Object::change_retention(std::optional<Retention> requested,
                                                 RetentionActor actor, Timestamp now) {
  if (f_.status != ObjectStatus::kCommitted) {
    return Error{ErrorCode::kFailedPrecondition,
                 "object " + f_.id.to_string() + " is " + std::string(to_string(f_.status))};
  }
  auto change = check_retention_change(f_.retention, requested, actor, now);
  if (!change) {
    return change;
  }
  f_.retention = requested;
  return change;
}

Status Object::set_legal_hold(bool on) {
  if (f_.status != ObjectStatus::kCommitted) {
    return Error{ErrorCode::kFailedPrecondition,
                 "object " + f_.id.to_string() + " is " + std::string(to_string(f_.status))};
  }
  f_.legal_hold = on;
  return {};
}

Status Object::check_deletable(Timestamp now) const {
  if (f_.legal_hold) {
    return Error{ErrorCode::kFailedPrecondition,
                 "object " + f_.id.to_string() + " is on legal hold", "object_locked"};
  }
  if (f_.retention && f_.retention->active(now)) {
    return Error{ErrorCode::kFailedPrecondition,
                 "object " + f_.id.to_string() + " is under " +
                     std::string(to_string(f_.retention->mode)) + " retention until " +
                     format_retention_time(f_.retention->retain_until),
                 "object_locked"};
  }
  return {};
}

Status Object::change_storage_class(StorageClass storage_class, Timestamp now) {
  if (f_.status != ObjectStatus::kCommitted) {
    return Error{ErrorCode::kFailedPrecondition,
                 "object " + f_.id.to_string() + " is " + std::string(to_string(f_.status)) +
                     ": only a COMMITTED object changes storage class"};
  }
  f_.storage_class = storage_class;
  f_.updated_at = now;
  return {};
}

Status Object::mark_deleting(Timestamp now) {
  return transition(ObjectStatus::kCommitted, ObjectStatus::kDeleting, now);
}

Status Object::mark_deleted(Timestamp now) {
  return transition(ObjectStatus::kDeleting, ObjectStatus::kDeleted, now);
}

Status Object::transition(ObjectStatus from, ObjectStatus to, Timestamp now) {
  if (f_.status != from) {
    return Error{ErrorCode::kFailedPrecondition,
                 "object " + f_.id.to_string() + " is " + std::string(to_string(f_.status)) +
                     ", cannot become " + std::string(to_string(to))};
  }
  f_.status = to;
  f_.updated_at = now;
  return {};
}

}  // namespace castor
