#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "application/ports/blob_store.h"
#include "application/ports/id_generator.h"
#include "application/ports/metadata_store.h"
#include "domain/blob.h"
#include "domain/error.h"
#include "domain/storage_class.h"

namespace castor {

// Copies one storage class's content files from one blob store to another (`castor
// migrate-storage`, docs/OPERATIONS.md "Moving a class between backends"): the directory to an S3
// bucket, or back. Online: the server keeps serving meanwhile, on the source.
//
// It walks the class's blob rows in content-hash order (BlobRepository::audit pages) from a cursor
// kept in the database (CursorRepository, "migrate.<class>.<target kind>"), and for each row:
//   - no content file in the source (small content held by its row, composite content that lives
//     as segments, or a row whose file is missing): skipped and counted (`unfiled`);
//   - the target holds the content file with the row's size already: skipped (`present`), so a
//     second run copies nothing;
//   - otherwise the source file is streamed in fixed chunks into a target temporary file
//     (create_temp, write, finish); a size or SHA-256 other than the row's is DAMAGE: counted,
//     reported through on_damage and never placed (the temporary copy is dropped);
//   - a verified copy is placed in ONE transaction under the content lock (the one the collector
//     takes before deleting content): if the row is gone meanwhile (the collector deleted it) the
//     copy is dropped (`vanished`); if the target holds a file of the wrong size, that file is
//     replaced; otherwise place() puts the copy at its content address.
// After each page the cursor moves past the page, so an interrupted run resumes there; a run that
// reaches the end clears the cursor, so the next run walks every row again (copying only what is
// missing: the content written by the server between two runs). Content that the collector deletes
// after it was copied leaves an orphan in the target, which the target's orphan scan removes.
//
// Memory: `parallel` chunks of kCopyChunk, plus what `parallel` target writers buffer (an S3
// writer holds about two parts). Blocking; run it on a thread of its own. Not reentrant per
// cursor: two runs of one (class, target kind) at once would both move the cursor.
class MigrateStorage {
 public:
  // Bytes read and written per step of a copy.
  static constexpr std::size_t kCopyChunk = 1 << 20;

  // Rows and bytes of a class's blob rows after a cursor.
  struct Totals {
    std::uint64_t blobs = 0;
    std::uint64_t bytes = 0;
  };

  // What a run has done so far. Every row walked is in exactly one of copied, present, unfiled,
  // damaged and vanished.
  struct Progress {
    std::uint64_t blobs_done = 0;  // rows walked by this run
    std::uint64_t bytes_done = 0;  // their sizes (size_bytes), bytes
    // The rows (and their bytes) this run walks, from its starting cursor; nullopt when unknown.
    std::optional<Totals> total;
    std::uint64_t copied = 0;        // rows whose content was copied and placed
    std::uint64_t copied_bytes = 0;  // bytes copied
    std::uint64_t present = 0;       // the target had the content already
    std::uint64_t unfiled = 0;       // no content file in the source: nothing to copy
    std::uint64_t damaged = 0;       // the source file is not the row's content: not placed
    std::uint64_t vanished = 0;      // the row was deleted during the copy: not placed
    std::chrono::steady_clock::duration elapsed{};  // since the run started
    bool finished = false;  // the final call: the run reached the end of the rows
  };

  struct Options {
    StorageClass storage_class = StorageClass::kHot;
    // The cursor's name; the CLI uses cursor_name(class, target kind).
    std::string cursor;
    // Forget the cursor first and walk from the first row (`--restart`).
    bool restart = false;
    std::size_t page_size = 256;  // rows per audit page (and per cursor update), >= 1
    std::size_t parallel = 4;     // copies in flight at once, >= 1
    // Counts the rows after a cursor (nullopt: from the first), for Progress::total; may be null
    // (totals unknown). An error only leaves the totals unknown.
    std::function<Result<Totals>(StorageClass, const std::optional<ContentHash>&)> count;
    // Called with the progress at most once per `progress_interval` (from whichever thread made
    // the progress, one call at a time), and once more at the end of a run that finishes. May be
    // null.
    std::function<void(const Progress&)> on_progress;
    std::chrono::steady_clock::duration progress_interval = std::chrono::seconds(1);
    // Told of each damaged row: `actual` is what the source file hashed to (nullopt when its size
    // was not the row's), `read` how many bytes it held. One call at a time. May be null.
    std::function<void(const Blob& blob, const std::optional<ContentHash>& actual,
                       std::uint64_t read)>
        on_damage;
    // The time source of progress throttling and `elapsed` (tests pass a fake).
    std::function<std::chrono::steady_clock::time_point()> now = std::chrono::steady_clock::now;
  };

  // The cursor name of migrating `storage_class` to a backend of `target_kind` ("fs" or "s3"):
  // "migrate.<class>.<target kind>".
  static std::string cursor_name(StorageClass storage_class, std::string_view target_kind);

  // `ids` names the target temporary files. All must outlive this object.
  MigrateStorage(MetadataStore& metadata, BlobStore& source, BlobStore& target, IdGenerator& ids)
      : metadata_(metadata), source_(source), target_(target), ids_(ids) {}

  // Runs from the cursor to the end of the class's rows. Returns the final progress (finished,
  // damaged counted) when every row was walked. On the first failure other than damage (a source
  // read error, a target write error — ResourceExhausted, Unavailable, Internal —, the database
  // unavailable) the copies in flight end, the cursor stays after the last page walked completely,
  // and that error is returned: a re-run resumes there. InvalidArgument for bad options.
  Result<Progress> run(const Options& options);

 private:
  class Run;

  MetadataStore& metadata_;
  BlobStore& source_;
  BlobStore& target_;
  IdGenerator& ids_;
};

}  // namespace castor
