#include "application/write_policy.h"

namespace castor {

Error precondition_failed(std::string message) {
  return Error{ErrorCode::kFailedPrecondition, std::move(message), "PreconditionFailed"};
}

bool etag_condition_matches(std::string_view condition, std::string_view etag) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
      s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
      s.remove_suffix(1);
    }
    return s;
  };
  while (!condition.empty()) {
    const std::size_t comma = condition.find(',');
    std::string_view tag = trim(condition.substr(0, comma));
    condition = comma == std::string_view::npos ? std::string_view() : condition.substr(comma + 1);
    if (tag == "*") {
      return true;
    }
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
      tag = tag.substr(1, tag.size() - 2);
    }
    if (!tag.empty() && tag == etag) {
      return true;
    }
  }
  return false;
}

Status claim_key(MetadataTransaction& tx, Object& object, const ObjectKey& key,
                 const WritePolicy& policy, Timestamp now) {
  if (auto s = tx.lock_key(object.ns(), object.tenant(), key); !s) {
    return s;
  }
  auto holder = tx.objects().find_by_key(object.ns(), object.tenant(), key, /*for_update=*/true);
  if (!holder && holder.error().code != ErrorCode::kNotFound) {
    return std::move(holder).error();
  }
  const bool held = holder.has_value() && holder->id() != object.id();
  if (!held) {
    if (policy.if_match) {
      return not_found("no object holds key '" + key.str() + "' (If-Match)");
    }
  } else {
    if (policy.if_none_match_any) {
      return precondition_failed("key '" + key.str() + "' is in use (If-None-Match: *)");
    }
    if (policy.if_match && !etag_condition_matches(*policy.if_match, holder->etag())) {
      return precondition_failed("the object at key '" + key.str() +
                                 "' does not have the ETag If-Match names");
    }
    if (policy.mode == WritePolicy::Mode::kCreate) {
      return Error{ErrorCode::kAlreadyExists,
                   "key '" + key.str() + "' is already used in namespace " + object.ns().str() +
                       " of tenant " + object.tenant().str()};
    }
    Object& old = *holder;
    // WORM (docs/RETENTION.md): the holder is retired only if it could be deleted, and only if its
    // namespace allows overwrites. The configuration is read only here, when a key is actually
    // written over, so that writes of new keys pay nothing for it.
    if (auto s = old.check_deletable(now); !s) {
      return s;
    }
    auto config = tx.retention().find_namespace(object.tenant(), object.ns(), /*for_update=*/false);
    if (!config) {
      return std::move(config).error();
    }
    if (*config && !(*config)->allow_overwrite) {
      return Error{ErrorCode::kFailedPrecondition,
                   "namespace " + object.ns().str() + " is WORM (" +
                       std::string(to_string((*config)->mode)) +
                       " retention, allow_overwrite false): key '" + key.str() +
                       "' cannot be written over",
                   "overwrite_refused"};
    }
    if (auto s = old.mark_deleting(now); !s) {
      return s;
    }
    if (auto s = tx.objects().update(old); !s) {
      return s;
    }
    if (auto blob = tx.blobs().release(old.storage_class(), *old.content_hash()); !blob) {
      if (blob.error().code == ErrorCode::kAborted ||
          blob.error().code == ErrorCode::kUnavailable) {
        return std::move(blob).error();  // a deadlock or a lost connection: the commit is retried
      }
      return Error{ErrorCode::kInternal, "blob of object " + old.id().to_string() +
                                             " cannot be released: " + blob.error().message};
    }
  }
  if (policy.require_bucket) {
    if (auto bucket = tx.buckets().require(object.ns(), object.tenant()); !bucket) {
      if (bucket.error().code == ErrorCode::kNotFound) {
        return Error{ErrorCode::kNotFound, "The specified bucket does not exist", "NoSuchBucket"};
      }
      return std::move(bucket).error();
    }
  } else if (auto bucket = tx.buckets().ensure(object.ns(), object.tenant(), now); !bucket) {
    return std::move(bucket).error();
  }
  return object.give_key(key);
}

}  // namespace castor
