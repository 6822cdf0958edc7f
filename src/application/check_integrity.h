#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/metadata_store.h"

namespace castor {

// fsck: checks that the metadata and the content files agree, in both directions, and optionally
// repairs what is safe to repair.
//
//  * missing / size_mismatch: a blob that is referenced (by its ref_count, COMMITTED objects or
//    bundle files) whose content file is missing or has another size than its row says. That is
//    data loss: it is reported with the objects that use the content, and never repaired.
//  * orphan: a content file with no blob row (left by a crash between rename and commit).
//    Repair removes it, as the garbage collector would.
//  * refcount_mismatch: a blob whose ref_count differs from its live references: the COMMITTED
//    objects and the bundle files that point at it (see docs/BLOBS_AND_BUNDLES.md), including
//    content that COMMITTED objects point at but that has no blob row. Repair sets ref_count to
//    the live count (inserting the missing row when the content file is present with the
//    objects' size).
//
// The ref count is what the upload protocol maintains: UploadObject adds the reference in the
// same transaction that turns the object COMMITTED, DeleteObject drops it in the one that turns it
// DELETING; CreateBundle and DeleteBundle add and drop one per bundle file with the bundle row.
// WRITING, DELETING and DELETED objects hold none. So the live references of a blob are exactly
// its COMMITTED objects and bundle files, and the check reads both in one snapshot.
//
// Repairs run under the content lock the garbage collector and uploads take, re-reading the row
// (locked) and the live count inside it, so that they never race an upload or a collection, and
// never delete content that is referenced. Safe to run while the service serves traffic.
class CheckIntegrity {
 public:
  struct Finding {
    enum class Kind { kMissing, kSizeMismatch, kOrphan, kRefCountMismatch };
    Kind kind;
    StorageClass storage_class;
    ContentHash hash;
    std::uint64_t expected_size = 0;     // the row's size (kMissing, kSizeMismatch)
    std::uint64_t actual_size = 0;       // the file's size (kSizeMismatch, kOrphan)
    std::uint64_t ref_count = 0;         // the row's ref_count (0 when there is no row)
    std::uint64_t live_refs = 0;         // COMMITTED objects and bundle files using it
    bool has_row = true;                 // false: COMMITTED objects point at content with no row
    std::vector<ObjectId> objects = {};  // some objects using it (kMissing, kSizeMismatch)
    bool repaired = false;
  };

  struct Report {
    std::uint64_t blobs = 0;  // blob rows checked
    std::uint64_t files = 0;  // content files checked
    std::uint64_t missing = 0;
    std::uint64_t size_mismatch = 0;
    std::uint64_t orphans = 0;
    std::uint64_t refcount_mismatch = 0;
    std::uint64_t repaired = 0;

    // Problems found and not repaired.
    std::uint64_t unresolved() const {
      return missing + size_mismatch + orphans + refcount_mismatch - repaired;
    }
  };

  // Objects named per damaged blob.
  static constexpr std::size_t kObjectsListed = 20;

  CheckIntegrity(MetadataStore& metadata, BlobStore& blobs) : metadata_(metadata), blobs_(blobs) {}

  // Checks every storage class; with `repair`, fixes orphans and ref counts. Calls `on_finding`
  // for each problem as it is found (may be empty). Returns the first infrastructure error
  // (Unavailable, Internal); work done before it stays done. Blocking.
  Result<Report> run(bool repair, const std::function<void(const Finding&)>& on_finding);

 private:
  using Observer = std::function<void(const Finding&)>;

  Status check_rows(StorageClass storage_class, bool repair, Report& report,
                    const Observer& observe);
  Status check_rowless(StorageClass storage_class, bool repair, Report& report,
                       const Observer& observe);
  Status check_files(StorageClass storage_class, bool repair, Report& report,
                     const Observer& observe);
  // Checks the content file of a referenced blob; reports data loss.
  Status check_content(const BlobAudit& audit, Report& report, const Observer& observe);
  // Sets the blob's ref count to its live references under the content lock. Returns whether it
  // changed anything.
  Result<bool> repair_ref_count(StorageClass storage_class, const ContentHash& hash,
                                std::uint64_t size_bytes);
  // Whether the content file, seen without a row, is still an orphan under the content lock;
  // with `repair`, removes it there.
  Result<bool> confirm_orphan(StorageClass storage_class, const ContentHash& hash, bool repair);

  MetadataStore& metadata_;
  BlobStore& blobs_;
};

// "missing", "size_mismatch", "orphan", "refcount_mismatch".
std::string_view to_string(CheckIntegrity::Finding::Kind kind);

}  // namespace castor
