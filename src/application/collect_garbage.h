#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/clock.h"
#include "application/ports/metadata_store.h"

namespace castor {

// One cycle of the garbage collector. Safe to run in several processes sharing one database and
// one set of storage roots at the same time: batches are claimed with SELECT ... FOR UPDATE SKIP
// LOCKED, and every content file is created or deleted only under its content lock (see
// MetadataTransaction), never by an in-process mutex. A cycle:
//   1. tombstones DELETING objects (DELETING -> DELETED);
//   2. removes WRITING objects (and their temporary files) older than `writing_timeout` whose
//      upload has not written anything for that long either, and temporary files older than that;
//   3. aborts upload sessions past their expiry (dropping their parts' references) and forgets
//      completed ones past it;
//   4. removes blobs whose ref_count is 0 and whose retention (a blob stored through the blob
//      API is kept BLOB_GRACE_SECONDS) is unset or past, file first, then row and grants,
//      re-checked under the content lock so that an upload re-referencing the content at the same
//      moment keeps its file; a bundle referencing it at the same moment either locked the row
//      first (the collector skips it) or finds it gone (the bundle is refused); a composite
//      blob's segment rows go with it, dropping their references on the segment blobs (which a
//      later batch or cycle collects);
//   5. removes content files that have no blob row (left by a crash between rename and commit),
//      again under the content lock, so that an upload placing that content is never raced, and
//      only when no COMMITTED object uses that content either;
//   6. purges tombstones (DELETED objects) older than `tombstone_retention`.
// One item that cannot be handled (a content or temporary file that cannot be removed) is counted
// in Report::failed_items, described in Report::failures and skipped: the rest of the cycle still
// runs, and later cycles retry it without being blocked by it. A step that fails as a whole (the
// database is down, a directory cannot be listed) does not stop the steps after it either.
class CollectGarbage {
 public:
  // What one cycle did.
  struct Report {
    std::uint64_t tombstoned_objects = 0;
    std::uint64_t expired_writing_objects = 0;
    std::uint64_t removed_temp_files = 0;
    std::uint64_t expired_uploads = 0;  // open upload sessions aborted because they expired
    std::uint64_t deleted_blobs = 0;
    std::uint64_t reclaimed_bytes = 0;  // sizes of the deleted blobs
    std::uint64_t removed_orphan_files = 0;
    std::uint64_t purged_tombstones = 0;
    std::uint64_t failed_items = 0;     // items skipped because they could not be handled
    std::vector<std::string> failures;  // the first kMaxFailuresKept of them, described
  };

  // Failures described per cycle (all are counted).
  static constexpr std::size_t kMaxFailuresKept = 16;

  // Rows claimed per transaction.
  static constexpr std::size_t kBatchSize = 256;
  // The orphan scan's step: pages of content hashes listed from the blob store per class.
  static constexpr std::size_t kOrphanPageSize = 1000;
  static constexpr std::size_t kOrphanPagesPerStep = 10;

  CollectGarbage(MetadataStore& metadata, BlobStore& blobs, Clock& clock,
                 std::chrono::seconds writing_timeout,
                 std::chrono::seconds tombstone_retention = std::chrono::hours(24 * 7))
      : metadata_(metadata),
        blobs_(blobs),
        clock_(clock),
        writing_timeout_(writing_timeout),
        tombstone_retention_(tombstone_retention) {}

  // Runs one cycle: every step, even after one failed. Returns the first step's infrastructure
  // error (Unavailable, Internal), if any; work done stays done. Blocking.
  Result<Report> run_once();

 private:
  Status tombstone_deleted(Report& report);
  Status expire_writing(Report& report);
  Status expire_uploads(Report& report);
  Status delete_unreferenced_blobs(Report& report);
  Status delete_orphan_files(Report& report);
  Status delete_orphans_in(StorageClass storage_class, const std::vector<ContentHash>& hashes,
                           Report& report);
  Status purge_tombstones(Report& report);

  MetadataStore& metadata_;
  BlobStore& blobs_;
  Clock& clock_;
  std::chrono::seconds writing_timeout_;
  std::chrono::seconds tombstone_retention_;
};

}  // namespace castor
