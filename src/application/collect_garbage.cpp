#include "application/collect_garbage.h"

namespace castor {

namespace {
// Bounds one cycle's work so that a cycle always ends; the next cycle picks up the rest.
constexpr int kMaxBatchesPerStep = 64;
}  // namespace

Result<CollectGarbage::Report> CollectGarbage::run_once() {
  Report report;
  for (auto step :
       {&CollectGarbage::tombstone_deleted, &CollectGarbage::expire_writing,
        &CollectGarbage::delete_unreferenced_blobs, &CollectGarbage::delete_orphan_files}) {
    if (auto s = (this->*step)(report); !s) {
      return std::move(s).error();
    }
  }
  return report;
}

Status CollectGarbage::tombstone_deleted(Report& report) {
  for (int batch = 0; batch < kMaxBatchesPerStep; ++batch) {
    std::size_t claimed = 0;
    auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
      const Timestamp now = clock_.now();
      auto objects = tx.objects().lock_batch(ObjectStatus::kDeleting, now, kBatchSize);
      if (!objects) {
        return std::move(objects).error();
      }
      claimed = objects->size();
      for (Object& object : *objects) {
        if (auto t = object.mark_deleted(now); !t) {
          return t;
        }
        if (auto t = tx.objects().update(object); !t) {
          return t;
        }
      }
      return {};
    });
    if (!s) {
      return s;
    }
    report.tombstoned_objects += claimed;
    if (claimed < kBatchSize) {
      break;
    }
  }
  return {};
}

Status CollectGarbage::expire_writing(Report& report) {
  const Timestamp cutoff = clock_.now() - writing_timeout_;
  for (int batch = 0; batch < kMaxBatchesPerStep; ++batch) {
    std::size_t claimed = 0;
    std::size_t expired = 0;
    auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
      auto objects = tx.objects().lock_batch(ObjectStatus::kWriting, cutoff, kBatchSize);
      if (!objects) {
        return std::move(objects).error();
      }
      claimed = objects->size();
      expired = 0;
      for (const Object& object : *objects) {
        // An upload still receiving content keeps its temporary file fresh: leave it be.
        auto modified = blobs_.temp_modified_at(object.storage_class(), object.id());
        if (!modified) {
          return std::move(modified).error();
        }
        if (*modified && **modified >= cutoff) {
          continue;
        }
        if (auto t = blobs_.remove_temp(object.storage_class(), object.id()); !t) {
          return t;
        }
        if (auto t = tx.objects().remove(object.id()); !t) {
          return t;
        }
        ++expired;
      }
      return {};
    });
    if (!s) {
      return s;
    }
    report.expired_writing_objects += expired;
    if (claimed < kBatchSize || expired == 0) {
      break;
    }
  }
  auto removed = blobs_.remove_temps_older_than(cutoff);
  if (!removed) {
    return std::move(removed).error();
  }
  report.removed_temp_files += *removed;
  return {};
}

Status CollectGarbage::delete_unreferenced_blobs(Report& report) {
  for (int batch = 0; batch < kMaxBatchesPerStep; ++batch) {
    std::size_t claimed = 0;
    Report done;
    auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
      done = {};
      auto blobs = tx.blobs().lock_unreferenced(kBatchSize);
      if (!blobs) {
        return std::move(blobs).error();
      }
      claimed = blobs->size();
      for (const Blob& blob : *blobs) {
        // An upload holding the content lock is about to re-reference this blob: leave it.
        auto locked = tx.try_lock_content(blob.storage_class(), blob.hash());
        if (!locked) {
          return std::move(locked).error();
        }
        if (!*locked) {
          continue;
        }
        // File first: if the row removal is rolled back, an upload that re-references the row
        // finds the file missing and puts its own copy in place.
        if (auto t = blobs_.remove(blob.storage_class(), blob.hash()); !t) {
          return t;
        }
        auto removed = tx.blobs().remove_unreferenced(blob.storage_class(), blob.hash());
        if (!removed) {
          return std::move(removed).error();
        }
        if (*removed) {
          ++done.deleted_blobs;
          done.reclaimed_bytes += blob.size_bytes();
        }
      }
      return {};
    });
    if (!s) {
      return s;
    }
    report.deleted_blobs += done.deleted_blobs;
    report.reclaimed_bytes += done.reclaimed_bytes;
    if (claimed < kBatchSize) {
      break;
    }
  }
  return {};
}

Status CollectGarbage::delete_orphan_files(Report& report) {
  for (StorageClass storage_class : kAllStorageClasses) {
    auto s = blobs_.scan(storage_class, [&](const std::vector<ContentHash>& hashes) -> Status {
      return delete_orphans_in(storage_class, hashes, report);
    });
    if (!s) {
      return s;
    }
  }
  return {};
}

Status CollectGarbage::delete_orphans_in(StorageClass storage_class,
                                         const std::vector<ContentHash>& hashes, Report& report) {
  std::vector<ContentHash> missing;
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        auto m = tx.blobs().missing(storage_class, hashes);
        if (!m) {
          return std::move(m).error();
        }
        missing = std::move(*m);
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return s;
  }
  for (const ContentHash& hash : missing) {
    // Re-check under the content lock: an upload that placed this file holds the lock until its
    // blob row is committed, so a row seen missing under the lock is missing for good.
    bool removed = false;
    auto t = metadata_.transact([&](MetadataTransaction& tx) -> Status {
      removed = false;
      auto locked = tx.try_lock_content(storage_class, hash);
      if (!locked) {
        return std::move(locked).error();
      }
      if (!*locked) {
        return {};
      }
      auto row = tx.blobs().find(storage_class, hash);
      if (!row) {
        return std::move(row).error();
      }
      if (*row) {
        return {};
      }
      if (auto u = blobs_.remove(storage_class, hash); !u) {
        return u;
      }
      removed = true;
      return {};
    });
    if (!t) {
      return t;
    }
    report.removed_orphan_files += removed ? 1 : 0;
  }
  return {};
}

}  // namespace castor
