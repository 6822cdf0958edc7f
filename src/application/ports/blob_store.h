#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/content_hash.h"
#include "domain/error.h"
#include "domain/object.h"
#include "domain/object_id.h"
#include "domain/segment.h"
#include "domain/storage_class.h"

namespace castor {

// Content being received into a temporary file beside its final place, hashed (SHA-256) as it is
// written. Owned by one upload; not thread-safe. Destroying a writer whose content was not placed
// removes its temporary file.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;

  // Appends `data`. ResourceExhausted when the disk is full, Internal on other IO errors;
  // Unavailable, PermissionDenied or Internal when a remote backend fails a request. May block on
  // the disk or the network (the S3 backend waits while the previous part is still being sent),
  // so call it from a worker, never from an IO thread.
  virtual Status write(std::span<const std::byte> data) = 0;
  // Bytes written so far.
  virtual std::uint64_t size() const = 0;
  // Makes the content durable (fsync) and returns its hash. Call once, after the last write.
  virtual Result<ContentHash> finish() = 0;
};

// Read access to one stored content file. Not thread-safe.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Size of the content in bytes.
  virtual std::uint64_t size() const = 0;
  // Reads up to out.size() bytes at `offset`; returns how many were read (0 at the end).
  virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) = 0;
};

// One page of an incremental scan of a storage class's content (BlobStore::scan_page).
struct ContentPage {
  std::vector<ContentHash> hashes;  // ascending, each after the `after` asked for
  bool end = false;                 // true: no content comes after the last hash
};

// What a redirected download asks the backend to answer with (S3 GetObject's
// response-content-type and response-content-disposition overrides).
struct DownloadUrlOptions {
  std::string content_type;         // empty: the backend's own
  std::string content_disposition;  // empty: none
};

// Content files, addressed by (storage class, content hash), with temporary files for uploads in
// progress. Thread-safe. Every method except BlobWriter::write may block on the disk (fsync), so
// call them from the worker pool, never from an IO thread.
class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Starts a temporary file for `object`'s content. ResourceExhausted or Internal on IO errors.
  virtual Result<std::unique_ptr<BlobWriter>> create_temp(StorageClass storage_class,
                                                          const ObjectId& object) = 0;

  // Makes the finished `writer`'s content the content file of `hash`: renames the temporary file
  // into place, or discards it when that content file already exists; then makes the directory
  // entry durable. Idempotent, so a retried transaction may call it again. The caller holds the
  // content lock (MetadataTransaction::lock_content).
  virtual Status place(BlobWriter& writer, StorageClass storage_class, const ContentHash& hash) = 0;

  // Opens the content file. NotFound if it does not exist.
  virtual Result<std::unique_ptr<BlobReader>> open(StorageClass storage_class,
                                                   const ContentHash& hash) = 0;

  // Whether the content file exists.
  virtual Result<bool> exists(StorageClass storage_class, const ContentHash& hash) = 0;

  // Deletes the content file; succeeds if it is already gone. The caller holds the content lock.
  virtual Status remove(StorageClass storage_class, const ContentHash& hash) = 0;

  // The size in bytes of the content file; nullopt if there is none.
  virtual Result<std::optional<std::uint64_t>> size_of(StorageClass storage_class,
                                                       const ContentHash& hash) = 0;

  // Re-reads the content file and returns the SHA-256 of the bytes it holds. Calls `pace(n)` after
  // each n bytes read; `pace` may sleep to throttle, and returning false stops the read (Aborted).
  // NotFound if there is no file (it may vanish meanwhile: no lock is needed or taken); Internal
  // on a read error.
  virtual Result<ContentHash> hash_content(StorageClass storage_class, const ContentHash& hash,
                                           const std::function<bool(std::uint64_t)>& pace) = 0;

  // Reads the content files of `segments` (laid out, in content order) once, in order, and returns
  // the SHA-256 of their concatenation: the whole content of a segmented blob. Calls `pace(n)`
  // after each n bytes read, as hash_content does. NotFound if a file is missing; DataLoss if one
  // is not its segment's size; Internal on a read error.
  virtual Result<ContentHash> hash_segments(StorageClass storage_class,
                                            std::span<const Segment> segments,
                                            const std::function<bool(std::uint64_t)>& pace) = 0;

  // Moves the content file out of the content addresses into a quarantine area, kept for an
  // operator to inspect; afterwards the content reads as missing, and an upload of the same
  // content places a fresh copy. Succeeds if there is no file. The caller holds the content lock.
  virtual Status quarantine(StorageClass storage_class, const ContentHash& hash) = 0;

  // Deletes the temporary file of `object`'s upload, if any.
  virtual Status remove_temp(StorageClass storage_class, const ObjectId& object) = 0;

  // When the temporary file of `object`'s upload was last written to; nullopt if there is none.
  virtual Result<std::optional<Timestamp>> temp_modified_at(StorageClass storage_class,
                                                            const ObjectId& object) = 0;

  // Deletes temporary files last modified before `before`; returns how many.
  virtual Result<std::size_t> remove_temps_older_than(Timestamp before) = 0;

  // Calls `visit` with batches of the content hashes stored in `storage_class` (one batch per shard
  // directory, at most a few thousand each). Files that are not content files are ignored. `visit`
  // may return an error to stop the scan; that error is returned.
  virtual Status scan(StorageClass storage_class,
                      const std::function<Status(const std::vector<ContentHash>&)>& visit) = 0;

  // Up to `limit` (>= 1) content hashes stored in `storage_class` that come after `after` (from
  // the first when nullopt), ascending: one bounded step of a scan that a caller resumes later,
  // from a cursor it keeps (the collector's orphan scan keeps it in the database). Content placed
  // or removed meanwhile may or may not be seen. Internal or Unavailable on IO errors.
  virtual Result<ContentPage> scan_page(StorageClass storage_class,
                                        const std::optional<ContentHash>& after,
                                        std::size_t limit) = 0;

  // Whether the class's content lives in a remote object store (the S3 backend) rather than on a
  // local filesystem: each read is a network request there, so readers read in large ranges.
  virtual bool is_remote(StorageClass /*storage_class*/) const { return false; }

  // A URL from which whoever holds it may GET the content file of `hash` for the class's
  // <CLASS>_REDIRECT_TTL_SECONDS (a presigned URL of the S3 backend, or its public URL), when the
  // class redirects downloads (<CLASS>_REDIRECT_DOWNLOADS, the StorageBackend seed's get_url);
  // nullopt when it does not, and castor streams the content itself. Does not check that the
  // content exists.
  virtual Result<std::optional<std::string>> download_url(StorageClass /*storage_class*/,
                                                          const ContentHash& /*hash*/,
                                                          const DownloadUrlOptions& /*options*/) {
    return std::optional<std::string>();
  }
};

}  // namespace castor
