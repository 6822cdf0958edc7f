#include "application/copy_object.h"

namespace castor {

Result<Object> CopyObject::run(const Request& request) {
  if (request.attributes) {
    if (auto s = check_attributes(*request.attributes); !s) {
      return std::move(s).error();
    }
  }
  std::optional<Object> copied;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    // Lock order (write_policy.h): the key, the source row, content lock, blob row, holder.
    if (auto locked = tx.lock_key(request.ns, request.tenant, request.key); !locked) {
      return locked;
    }
    auto source = tx.objects().find_by_key(request.source_ns, request.tenant, request.source_key,
                                           /*for_update=*/true);
    if (!source) {
      if (source.error().code == ErrorCode::kNotFound) {
        return Error{ErrorCode::kNotFound, "no such source object", "NoSuchKey"};
      }
      return std::move(source).error();
    }
    if (request.source_etag && source->etag() != *request.source_etag) {
      return precondition_failed("the source object changed while it was being copied");
    }
    const Timestamp now = clock_.now();
    Object object = Object::begin(ids_.next(), request.ns, request.tenant, std::nullopt,
                                  source->storage_class(),
                                  request.content_type.value_or(source->content_type()), now);
    if (auto set = object.set_attributes(request.attributes.value_or(source->attributes()),
                                         source->fields().etag);
        !set) {
      return set;
    }
    const ContentHash& hash = *source->content_hash();
    if (auto locked = tx.lock_content(source->storage_class(), hash); !locked) {
      return locked;
    }
    if (auto blob = tx.blobs().add_ref(source->storage_class(), hash, source->size_bytes());
        !blob) {
      return std::move(blob).error();
    }
    if (auto claimed = claim_key(tx, object, request.key, request.policy, now); !claimed) {
      return claimed;
    }
    if (auto committed = object.commit(hash, source->size_bytes(), now); !committed) {
      return committed;
    }
    if (auto inserted = tx.objects().insert(object); !inserted) {
      return inserted;
    }
    copied = std::move(object);
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return std::move(*copied);
}

}  // namespace castor
