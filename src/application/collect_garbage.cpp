#include "application/collect_garbage.h"

#include <optional>

#include "application/uploads/abort_upload.h"

namespace castor {

namespace {
// Bounds one cycle's work so that a cycle always ends; the next cycle picks up the rest.
constexpr int kMaxBatchesPerStep = 64;

// Counts a skipped item and keeps its description, up to kMaxFailuresKept of them.
void skipped(CollectGarbage::Report& report, std::string what, const Error& error) {
  ++report.failed_items;
  if (report.failures.size() < CollectGarbage::kMaxFailuresKept) {
    report.failures.push_back(std::move(what) + ": " + error.message);
  }
}
}  // namespace

Result<CollectGarbage::Report> CollectGarbage::run_once() {
  Report report;
  std::optional<Error> first_error;
  for (auto step : {&CollectGarbage::tombstone_deleted, &CollectGarbage::expire_writing,
                    &CollectGarbage::expire_uploads, &CollectGarbage::delete_unreferenced_blobs,
                    &CollectGarbage::delete_orphan_files, &CollectGarbage::purge_tombstones}) {
    if (auto s = (this->*step)(report); !s && !first_error) {
      first_error = std::move(s).error();
    }
  }
  if (first_error) {
    return std::move(*first_error);
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
    Report failed;
    auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
      auto objects = tx.objects().lock_batch(ObjectStatus::kWriting, cutoff, kBatchSize);
      if (!objects) {
        return std::move(objects).error();
      }
      claimed = objects->size();
      expired = 0;
      failed = {};
      for (const Object& object : *objects) {
        // An upload still receiving content keeps its temporary file fresh: leave it be.
        auto modified = blobs_.temp_modified_at(object.storage_class(), object.id());
        if (!modified) {
          skipped(failed, "temporary file of object " + object.id().to_string(), modified.error());
          continue;
        }
        if (*modified && **modified >= cutoff) {
          continue;
        }
        if (auto t = blobs_.remove_temp(object.storage_class(), object.id()); !t) {
          skipped(failed, "temporary file of object " + object.id().to_string(), t.error());
          continue;
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
    report.failed_items += failed.failed_items;
    for (std::string& f : failed.failures) {
      if (report.failures.size() < kMaxFailuresKept) {
        report.failures.push_back(std::move(f));
      }
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

Status CollectGarbage::expire_uploads(Report& report) {
  for (int batch = 0; batch < kMaxBatchesPerStep; ++batch) {
    std::size_t claimed = 0;
    std::uint64_t aborted = 0;
    auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
      auto sessions = tx.uploads().lock_expired(clock_.now(), kBatchSize);
      if (!sessions) {
        return std::move(sessions).error();
      }
      claimed = sessions->size();
      aborted = 0;
      for (const UploadSession& session : *sessions) {
        if (auto t = drop_upload(tx, session); !t) {
          return t;
        }
        aborted += session.state() == UploadSession::State::kOpen ? 1 : 0;
      }
      return {};
    });
    if (!s) {
      return s;
    }
    report.expired_uploads += aborted;
    if (claimed < kBatchSize) {
      break;
    }
  }
  return {};
}

Status CollectGarbage::delete_unreferenced_blobs(Report& report) {
  // Rows skipped in one batch (held, or their file cannot be removed) are passed by the cursor.
  std::optional<BlobAddress> after;
  for (int batch = 0; batch < kMaxBatchesPerStep; ++batch) {
    std::size_t claimed = 0;
    Report done;
    std::optional<BlobAddress> last;
    auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
      done = {};
      auto blobs = tx.blobs().lock_unreferenced(kBatchSize, after, clock_.now());
      if (!blobs) {
        return std::move(blobs).error();
      }
      claimed = blobs->size();
      if (!blobs->empty()) {
        last = BlobAddress(blobs->back().storage_class(), blobs->back().hash());
      }
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
          skipped(done, "content file " + blob.hash().hex(), t.error());
          continue;  // the row stays, so that a later cycle retries
        }
        // A composite blob's segments go with it, dropping their references (the segment rows
        // hold the row by foreign key, so they must go first).
        auto segments = tx.segments().detach(blob.storage_class(), blob.hash());
        if (!segments) {
          return std::move(segments).error();
        }
        auto removed =
            tx.blobs().remove_unreferenced(blob.storage_class(), blob.hash(), clock_.now());
        if (!removed) {
          return std::move(removed).error();
        }
        if (!*removed && !segments->empty()) {
          // Cannot happen under the row lock; never keep a live blob without its segments.
          return internal_error("blob " + blob.hash().hex() + " changed under its row lock");
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
    report.failed_items += done.failed_items;
    for (std::string& f : done.failures) {
      if (report.failures.size() < kMaxFailuresKept) {
        report.failures.push_back(std::move(f));
      }
    }
    if (claimed < kBatchSize) {
      break;
    }
    after = last;
  }
  return {};
}

Status CollectGarbage::delete_orphan_files(Report& report) {
  // An incremental scan (docs/OPERATIONS.md "Storage backends"): each step reads at most
  // kOrphanPagesPerStep pages of content hashes per class, from a cursor kept in the database, so
  // that a bucket of millions of objects is never listed whole in one step, and the scan resumes
  // where any process stopped it.
  Status first;
  for (StorageClass storage_class : kAllStorageClasses) {
    const std::string cursor_name = "gc.orphans." + std::string(to_string(storage_class));
    auto s = [&]() -> Status {
      auto cursor = read_only(
          metadata_, [&](MetadataTransaction& tx) { return tx.cursors().get(cursor_name); });
      if (!cursor) {
        return std::move(cursor).error();
      }
      std::optional<ContentHash> after;
      if (*cursor) {
        if (auto h = ContentHash::parse(**cursor)) {
          after = *h;
        }
      }
      for (std::size_t page = 0; page < kOrphanPagesPerStep; ++page) {
        auto hashes = blobs_.scan_page(storage_class, after, kOrphanPageSize);
        if (!hashes) {
          return std::move(hashes).error();
        }
        if (auto d = delete_orphans_in(storage_class, hashes->hashes, report); !d) {
          return d;
        }
        std::optional<std::string> next;
        if (!hashes->end && !hashes->hashes.empty()) {
          after = hashes->hashes.back();
          next = after->hex();
        }
        if (auto t = metadata_.transact(
                [&](MetadataTransaction& tx) { return tx.cursors().set(cursor_name, next); });
            !t) {
          return t;
        }
        if (!next) {
          break;
        }
      }
      return {};
    }();
    if (!s && first) {
      first = std::move(s);
    }
  }
  return first;
}

Status CollectGarbage::delete_orphans_in(StorageClass storage_class,
                                         const std::vector<ContentHash>& hashes, Report& report) {
  auto missing = read_only(metadata_, [&](MetadataTransaction& tx) {
    return tx.blobs().missing(storage_class, hashes);
  });
  if (!missing) {
    return std::move(missing).error();
  }
  for (const ContentHash& hash : *missing) {
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
      // Objects or bundles that use the content without a row are a damaged database (fsck
      // reports and repairs it); their content is not garbage.
      auto live = tx.blobs().count_live_refs(storage_class, hash);
      if (!live) {
        return std::move(live).error();
      }
      if (*live > 0) {
        return {};
      }
      if (auto u = blobs_.remove(storage_class, hash); !u) {
        skipped(report, "orphan content file " + hash.hex(), u.error());
        return {};
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

Status CollectGarbage::purge_tombstones(Report& report) {
  const Timestamp cutoff = clock_.now() - tombstone_retention_;
  for (int batch = 0; batch < kMaxBatchesPerStep; ++batch) {
    std::size_t purged = 0;
    auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
      auto n = tx.objects().purge_tombstones(cutoff, kBatchSize);
      if (!n) {
        return std::move(n).error();
      }
      purged = *n;
      return {};
    });
    if (!s) {
      return s;
    }
    report.purged_tombstones += purged;
    if (purged < kBatchSize) {
      break;
    }
  }
  return {};
}

}  // namespace castor
