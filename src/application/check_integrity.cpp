#include "application/check_integrity.h"

#include <optional>

namespace castor {

namespace {
// Rows per audit page, and the most rowless contents reported per storage class and run.
constexpr std::size_t kPageSize = 256;
constexpr std::size_t kMaxRowless = 10'000;
}  // namespace

std::string_view to_string(CheckIntegrity::Finding::Kind kind) {
  switch (kind) {
    case CheckIntegrity::Finding::Kind::kMissing:
      return "missing";
    case CheckIntegrity::Finding::Kind::kSizeMismatch:
      return "size_mismatch";
    case CheckIntegrity::Finding::Kind::kOrphan:
      return "orphan";
    case CheckIntegrity::Finding::Kind::kRefCountMismatch:
      return "refcount_mismatch";
  }
  return "unknown";
}

Result<CheckIntegrity::Report> CheckIntegrity::run(bool repair, const Observer& on_finding) {
  Report report;
  const Observer observe = [&](const Finding& f) {
    if (on_finding) {
      on_finding(f);
    }
  };
  for (StorageClass storage_class : kAllStorageClasses) {
    for (auto step : {&CheckIntegrity::check_rows, &CheckIntegrity::check_rowless,
                      &CheckIntegrity::check_files}) {
      if (auto s = (this->*step)(storage_class, repair, report, observe); !s) {
        return std::move(s).error();
      }
    }
  }
  return report;
}

Status CheckIntegrity::check_rows(StorageClass storage_class, bool repair, Report& report,
                                  const Observer& observe) {
  std::optional<ContentHash> after;
  for (;;) {
    auto read = read_only(metadata_, [&](MetadataTransaction& tx) {
      return tx.blobs().audit(storage_class, after, kPageSize);
    });
    if (!read) {
      return std::move(read).error();
    }
    std::vector<BlobAudit> page = std::move(*read);
    for (const BlobAudit& audit : page) {
      ++report.blobs;
      const Blob& blob = audit.blob;
      if (blob.ref_count() != audit.live_refs) {
        Finding f{.kind = Finding::Kind::kRefCountMismatch,
                  .storage_class = storage_class,
                  .hash = blob.hash(),
                  .ref_count = blob.ref_count(),
                  .live_refs = audit.live_refs};
        ++report.refcount_mismatch;
        if (repair) {
          auto fixed = repair_ref_count(storage_class, blob.hash(), blob.size_bytes());
          if (!fixed) {
            return std::move(fixed).error();
          }
          f.repaired = *fixed;
          report.repaired += *fixed ? 1 : 0;
        }
        observe(f);
      }
      if (blob.ref_count() > 0 || audit.live_refs > 0) {
        if (auto t = check_content(audit, report, observe); !t) {
          return t;
        }
      }
    }
    if (page.size() < kPageSize) {
      return {};
    }
    after = page.back().blob.hash();
  }
}

Status CheckIntegrity::check_content(const BlobAudit& audit, Report& report,
                                     const Observer& observe) {
  const StorageClass storage_class = audit.blob.storage_class();
  const ContentHash& hash = audit.blob.hash();
  auto size = blobs_.size_of(storage_class, hash);
  if (!size) {
    return std::move(size).error();
  }
  if (*size && **size == audit.blob.size_bytes()) {
    return {};
  }
  if (!*size && audit.blob.stored_inline()) {
    return {};  // small content, kept in its row (PostgreSQL looks after those bytes)
  }
  // Confirm under the content lock: an upload placing this content or a collection deleting it
  // holds the lock while it changes the file, so what is seen under it is settled.
  std::optional<Finding> finding;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    finding.reset();
    if (auto t = tx.lock_content(storage_class, hash); !t) {
      return t;
    }
    auto row = tx.blobs().find(storage_class, hash);
    if (!row) {
      return std::move(row).error();
    }
    auto live = tx.blobs().count_live_refs(storage_class, hash);
    if (!live) {
      return std::move(live).error();
    }
    const std::uint64_t ref_count = *row ? (*row)->ref_count() : 0;
    if (ref_count == 0 && *live == 0) {
      return {};  // collected meanwhile, or garbage: nobody can read it
    }
    const std::uint64_t expected = *row ? (*row)->size_bytes() : audit.blob.size_bytes();
    auto file_size = blobs_.size_of(storage_class, hash);
    if (!file_size) {
      return std::move(file_size).error();
    }
    if (*file_size && **file_size == expected) {
      return {};
    }
    if (!*file_size && *row && (*row)->stored_inline()) {
      return {};
    }
    if (!*file_size) {
      // A composite blob has no file of its own: its segments are blobs, checked as such.
      auto segments = tx.segments().segments(storage_class, hash);
      if (!segments) {
        return std::move(segments).error();
      }
      if (!segments->empty() && segments_size(*segments) == expected) {
        return {};
      }
    }
    auto users = tx.objects().using_content(storage_class, hash, kObjectsListed);
    if (!users) {
      return std::move(users).error();
    }
    finding = Finding{.kind = *file_size ? Finding::Kind::kSizeMismatch : Finding::Kind::kMissing,
                      .storage_class = storage_class,
                      .hash = hash,
                      .expected_size = expected,
                      .actual_size = file_size->value_or(0),
                      .ref_count = ref_count,
                      .live_refs = *live,
                      .has_row = row->has_value(),
                      .objects = std::move(*users)};
    return {};
  });
  if (!s) {
    return s;
  }
  if (finding) {
    ++(finding->kind == Finding::Kind::kMissing ? report.missing : report.size_mismatch);
    observe(*finding);
  }
  return {};
}

Status CheckIntegrity::check_rowless(StorageClass storage_class, bool repair, Report& report,
                                     const Observer& observe) {
  auto rowless = read_only(metadata_, [&](MetadataTransaction& tx) {
    return tx.blobs().audit_rowless(storage_class, kMaxRowless);
  });
  if (!rowless) {
    return std::move(rowless).error();
  }
  for (const BlobAudit& audit : *rowless) {
    const ContentHash& hash = audit.blob.hash();
    Finding f{.kind = Finding::Kind::kRefCountMismatch,
              .storage_class = storage_class,
              .hash = hash,
              .expected_size = audit.blob.size_bytes(),
              .live_refs = audit.live_refs,
              .has_row = false};
    ++report.refcount_mismatch;
    auto size = blobs_.size_of(storage_class, hash);
    if (!size) {
      return std::move(size).error();
    }
    const bool intact = *size && **size == audit.blob.size_bytes();
    if (repair && intact) {
      auto fixed = repair_ref_count(storage_class, hash, audit.blob.size_bytes());
      if (!fixed) {
        return std::move(fixed).error();
      }
      f.repaired = *fixed;
      report.repaired += *fixed ? 1 : 0;
    }
    observe(f);
    if (!intact) {
      if (auto t = check_content(audit, report, observe); !t) {
        return t;
      }
    }
  }
  return {};
}

Status CheckIntegrity::check_files(StorageClass storage_class, bool repair, Report& report,
                                   const Observer& observe) {
  return blobs_.scan(storage_class, [&](const std::vector<ContentHash>& hashes) -> Status {
    report.files += hashes.size();
    auto rowless = read_only(metadata_, [&](MetadataTransaction& tx) {
      return tx.blobs().missing(storage_class, hashes);
    });
    if (!rowless) {
      return std::move(rowless).error();
    }
    for (const ContentHash& hash : *rowless) {
      auto orphan = confirm_orphan(storage_class, hash, repair);
      if (!orphan) {
        return std::move(orphan).error();
      }
      if (*orphan) {
        ++report.orphans;
        report.repaired += repair ? 1 : 0;
        observe(Finding{.kind = Finding::Kind::kOrphan,
                        .storage_class = storage_class,
                        .hash = hash,
                        .repaired = repair});
      }
    }
    return {};
  });
}

Result<bool> CheckIntegrity::confirm_orphan(StorageClass storage_class, const ContentHash& hash,
                                            bool repair) {
  bool orphan = false;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    orphan = false;
    // An upload placing this content holds the lock until its row is committed: not an orphan.
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
    auto live = tx.blobs().count_live_refs(storage_class, hash);
    if (!live) {
      return std::move(live).error();
    }
    if (*row || *live > 0) {
      return {};  // a row now, or objects use it without one (a ref count finding): keep it
    }
    if (repair) {
      if (auto t = blobs_.remove(storage_class, hash); !t) {
        return t;
      }
    }
    orphan = true;
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return orphan;
}

Result<bool> CheckIntegrity::repair_ref_count(StorageClass storage_class, const ContentHash& hash,
                                              std::uint64_t size_bytes) {
  bool fixed = false;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    fixed = false;
    // Uploads add references under this lock; deletes drop theirs on the locked row, after we
    // commit, so the count read below stays right.
    if (auto t = tx.lock_content(storage_class, hash); !t) {
      return t;
    }
    auto row = tx.blobs().lock(storage_class, hash);
    if (!row) {
      return std::move(row).error();
    }
    auto live = tx.blobs().count_live_refs(storage_class, hash);
    if (!live) {
      return std::move(live).error();
    }
    if (*row && (*row)->ref_count() == *live) {
      fixed = true;  // settled meanwhile
      return {};
    }
    if (!*row && *live == 0) {
      fixed = true;  // nothing references it any more
      return {};
    }
    if (auto t = tx.blobs().set_ref_count(storage_class, hash,
                                          *row ? (*row)->size_bytes() : size_bytes, *live);
        !t) {
      return t;
    }
    fixed = true;
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return fixed;
}

}  // namespace castor
