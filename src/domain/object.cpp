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
                       .etag = {}});
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
