#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "application/ports/blob_store.h"
#include "domain/content_hash.h"
#include "domain/error.h"
#include "domain/object.h"

namespace castor {

// The archive formats a bundle downloads as (GET /v1/bundles/{id}/download?format=zip|tar).
enum class ArchiveFormat { kZip, kTar };

// One file of an archive: where it goes, its permission bits and its content.
struct ArchiveEntry {
  std::string path;  // relative, '/'-separated, already validated (see docs/BLOBS_AND_BUNDLES.md)
  std::uint32_t mode = 0644;  // permission bits (st_mode & 07777)
  std::uint64_t size_bytes = 0;
  Timestamp modified_at;  // recorded as the entry's modification time
  ContentHash hash;       // the content, opened through the archiver's `open_content`
};

// An archive produced on demand: each read() returns the next bytes of the archive, reading the
// entries' content as it goes, so that memory stays bounded (a few hundred KiB) whatever the
// archive's size. Owned by one download; not thread-safe. Blocking (disk): call it from the disk
// pool, never from an IO thread.
class ArchiveStream {
 public:
  virtual ~ArchiveStream() = default;
  // Fills `out` with up to out.size() bytes of the archive; returns how many, 0 once the archive
  // is complete. DataLoss if an entry's content is shorter or longer than its size_bytes; the
  // errors of `open_content` and BlobReader::read_at as they come; Internal for an archiver
  // failure. After an error the stream is unusable.
  virtual Result<std::size_t> read(std::span<std::byte> out) = 0;
};

// Builds archives of stored content. Thread-safe (each stream is independent).
class Archiver {
 public:
  // Opens the content of one entry; called once per entry, in order, from ArchiveStream::read.
  using ContentOpener = std::function<Result<std::unique_ptr<BlobReader>>(const ArchiveEntry&)>;

  virtual ~Archiver() = default;
  // An archive of `entries`, in the given order, in `format`: entries stored uncompressed, their
  // modes kept, ZIP64 records where a ZIP needs them (an entry or the archive past 4 GiB, more
  // than 65,535 entries). Internal if the archiver cannot be set up.
  virtual Result<std::unique_ptr<ArchiveStream>> open(ArchiveFormat format,
                                                      std::vector<ArchiveEntry> entries,
                                                      ContentOpener open_content) = 0;
};

}  // namespace castor
