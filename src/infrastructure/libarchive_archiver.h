#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "application/ports/archiver.h"

namespace castor {

// Archiver on libarchive's write API, driven as a pull stream: each ArchiveStream::read feeds
// libarchive the next pieces of the current entry (BlobReader::read_at) until the caller's buffer
// is full, and keeps what does not fit for the next read.
//
// ZIP: entries stored, CRC-32 and sizes in a data descriptor after each entry (sizes also in the
// local header), Unix modes in the external attributes, UTF-8 names flagged as such, ZIP64 records
// where needed (an entry past 4 GiB, entries past a 4 GiB offset, more than 65,535 entries).
// Tar: POSIX pax, as plain ustar headers unless an entry needs extensions (a long or non-ASCII
// path, a size past 8 GiB); owner 0:0; no end-of-archive padding beyond the two zero blocks.
//
// Memory per stream: one piece buffer (`piece_bytes`) plus what one step produces beyond the
// caller's buffer (at most one piece and one header), and for a ZIP the central directory
// (about 100 bytes per entry, held by libarchive until the end and handed out by the last reads).
// Stateless and thread-safe; each stream is independent.
class LibarchiveArchiver final : public Archiver {
 public:
  // How much of an entry's content one BlobReader::read_at asks for, by default.
  static constexpr std::size_t kDefaultPieceBytes = 256 * 1024;

  // `piece_bytes` (> 0): the size of the reads of entries' content.
  explicit LibarchiveArchiver(std::size_t piece_bytes = kDefaultPieceBytes);

  // Internal if libarchive cannot be set up (or the C.UTF-8 locale, which it needs to write
  // UTF-8 names, is missing). Errors of the entries come from the stream's reads.
  Result<std::unique_ptr<ArchiveStream>> open(ArchiveFormat format,
                                              std::vector<ArchiveEntry> entries,
                                              ContentOpener open_content) override;

 private:
  std::size_t piece_bytes_;
};

}  // namespace castor
