#include "application/objects/move_storage_class.h"

#include <optional>
#include <string>
#include <vector>

#include "application/content_reader.h"

namespace castor {

namespace {
// Step 2 found no way around a copy: an internal signal between run() and switch_class(), never
// returned to callers.
constexpr std::string_view kNeedsCopy = "needs_copy";

Error no_such_object() { return not_found("no such object"); }

bool is_tenants(const Object& object, const TenantId& tenant) {
  return object.visible() && object.tenant() == tenant;
}
}  // namespace

Result<Object> MoveStorageClass::run(const Request& request) {
  auto found = read_only(metadata_, [&](MetadataTransaction& tx) {
    return tx.objects().find(request.id, /*for_update=*/false);
  });
  if (!found) {
    if (found.error().code == ErrorCode::kNotFound) {
      return no_such_object();
    }
    return std::move(found).error();
  }
  if (!is_tenants(*found, request.tenant)) {
    return no_such_object();
  }
  if (found->storage_class() == request.storage_class) {
    return std::move(*found);
  }
  auto switched = switch_class(request, nullptr);
  if (switched || switched.error().reason != kNeedsCopy) {
    return switched;
  }
  auto copy = copy_content(*found, request.storage_class);
  if (!copy) {
    // A delete that won the race may have taken the source away mid-copy: report the object as
    // gone rather than its content as lost.
    if (copy.error().reason != kContentDamaged) {
      auto still = read_only(metadata_, [&](MetadataTransaction& tx) {
        return tx.objects().find(request.id, /*for_update=*/false);
      });
      if (!still && still.error().code == ErrorCode::kNotFound) {
        return no_such_object();
      }
      if (still && !is_tenants(*still, request.tenant)) {
        return no_such_object();
      }
    }
    return std::move(copy).error();
  }
  // The copy's temporary file goes when `copy` does, unless the switch placed it.
  return switch_class(request, copy->get());
}

Result<Object> MoveStorageClass::switch_class(const Request& request, BlobWriter* copy) {
  const StorageClass target = request.storage_class;
  std::optional<Object> moved;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    moved.reset();
    // Lock order, as uploads and deletes: object row, then content lock, then blob rows.
    auto current = tx.objects().find(request.id, /*for_update=*/true);
    if (!current) {
      return current.error().code == ErrorCode::kNotFound ? no_such_object()
                                                          : std::move(current).error();
    }
    if (!is_tenants(*current, request.tenant)) {
      return no_such_object();
    }
    if (current->storage_class() == target) {
      moved = std::move(*current);  // a concurrent move got there first
      return {};
    }
    // No retention check: a move never drops content (the target holds a verified copy before
    // the source reference goes), so retained and held objects move too, as S3 lifecycle
    // transitions do under Object Lock (docs/RETENTION.md).
    const StorageClass source = current->storage_class();
    const ContentHash hash = *current->content_hash();
    const std::uint64_t size = current->size_bytes();
    const Timestamp now = clock_.now();
    // Held until the commit: the collector cannot delete the target's file or row meanwhile, and
    // cannot see a copy renamed into place without its row.
    if (auto t = tx.lock_content(target, hash); !t) {
      return t;
    }
    // Both blob rows, in class order (hot, then cold): two moves of one content in opposite
    // directions (each holding its target's content lock) then queue instead of deadlocking.
    for (StorageClass c : kAllStorageClasses) {
      if (auto row = tx.blobs().lock(c, hash); !row) {
        return std::move(row).error();
      }
    }
    if (copy != nullptr) {
      auto blob = tx.blobs().add_ref(target, hash, size);
      if (!blob) {
        return std::move(blob).error();
      }
      // A row that holds the bytes needs no file; an existing file is kept (place discards ours).
      if (!blob->stored_inline()) {
        if (auto t = blobs_.place(*copy, target, hash); !t) {
          return t;
        }
      }
    } else {
      auto present = content_present(tx, blobs_, target, hash);
      if (!present) {
        return std::move(present).error();
      }
      if (*present) {
        if (auto blob = tx.blobs().add_ref(target, hash, size); !blob) {
          return std::move(blob).error();
        }
      } else {
        // Small content lives in its blob row: copied row to row, no file involved.
        auto bytes = tx.blobs().inline_content(source, hash);
        if (!bytes) {
          return std::move(bytes).error();
        }
        if (!*bytes) {
          return Error{ErrorCode::kFailedPrecondition, "the content must be copied",
                       std::string(kNeedsCopy)};
        }
        if (auto blob = tx.blobs().add_ref_inline(target, hash, **bytes); !blob) {
          return std::move(blob).error();
        }
      }
    }
    if (auto granted = tx.blobs().grant(current->tenant(), target, hash, now); !granted) {
      return std::move(granted).error();
    }
    if (auto t = current->change_storage_class(target, now); !t) {
      return t;
    }
    if (auto t = tx.objects().update(*current); !t) {
      return t;
    }
    if (auto released = tx.blobs().release(source, hash); !released) {
      // A committed object always holds a reference; anything else is a broken invariant.
      return internal_error("blob of object " + current->id().to_string() +
                            " cannot be released: " + released.error().message);
    }
    moved = std::move(*current);
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return std::move(*moved);
}

Result<std::unique_ptr<BlobWriter>> MoveStorageClass::copy_content(const Object& object,
                                                                   StorageClass target) {
  const ContentHash& expected = *object.content_hash();
  auto reader = open_content(metadata_, blobs_, object.storage_class(), expected);
  if (!reader) {
    if (reader.error().code == ErrorCode::kNotFound) {
      return Error{ErrorCode::kDataLoss,
                   "the content of object " + object.id().to_string() + " is stored nowhere"};
    }
    return std::move(reader).error();
  }
  // A fresh name: concurrent moves of one object must not share a temporary file.
  auto writer = blobs_.create_temp(target, ids_.next());
  if (!writer) {
    return std::move(writer).error();
  }
  std::vector<std::byte> buffer(kCopyChunk);
  std::uint64_t offset = 0;
  bool oversized = false;
  for (;;) {
    auto n = (*reader)->read_at(offset, buffer);
    if (!n) {
      return std::move(n).error();
    }
    if (*n == 0) {
      break;
    }
    offset += *n;
    if (offset > object.size_bytes()) {
      oversized = true;
      break;
    }
    if (auto t = (*writer)->write(std::span<const std::byte>(buffer.data(), *n)); !t) {
      return std::move(t).error();
    }
  }
  auto damaged = [&](const std::optional<ContentHash>& actual) -> Error {
    if (on_damage_) {
      on_damage_(object, actual);
    }
    return Error{ErrorCode::kFailedPrecondition,
                 "the stored content of object " + object.id().to_string() +
                     " does not match its content hash; it was not moved",
                 std::string(kContentDamaged)};
  };
  if (oversized || offset != object.size_bytes()) {
    return damaged(std::nullopt);
  }
  auto hash = (*writer)->finish();
  if (!hash) {
    return std::move(hash).error();
  }
  if (*hash != expected) {
    return damaged(*hash);
  }
  return std::move(*writer);
}

}  // namespace castor
