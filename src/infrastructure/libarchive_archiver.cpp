#include "infrastructure/libarchive_archiver.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <utility>

namespace castor {
namespace {

// libarchive converts names through the calling thread's locale. The process stays in the "C"
// locale (ASCII), where libarchive cannot write UTF-8 names (ZIP loses its UTF-8 flag, pax falls
// back to hdrcharset=BINARY, and some paths crash), so every call into libarchive runs with this
// thread's locale switched to C.UTF-8. (locale_t)0 if the system has no C.UTF-8.
locale_t utf8_locale() {
  static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return locale;
}

// Switches the calling thread's locale for its lifetime (uselocale: other threads are unaffected).
class ScopedThreadLocale {
 public:
  explicit ScopedThreadLocale(locale_t locale) : previous_(uselocale(locale)) {}
  ~ScopedThreadLocale() { uselocale(previous_); }
  ScopedThreadLocale(const ScopedThreadLocale&) = delete;
  ScopedThreadLocale& operator=(const ScopedThreadLocale&) = delete;

 private:
  locale_t previous_;
};

struct ArchiveWriteFree {
  void operator()(struct archive* archive) const { archive_write_free(archive); }
};
struct ArchiveEntryFree {
  void operator()(struct archive_entry* entry) const { archive_entry_free(entry); }
};

Error data_loss(std::string message) { return {ErrorCode::kDataLoss, std::move(message)}; }

class LibarchiveStream final : public ArchiveStream {
 public:
  LibarchiveStream(std::vector<ArchiveEntry> entries, Archiver::ContentOpener open_content,
                   std::size_t piece_bytes)
      : entries_(std::move(entries)),
        open_content_(std::move(open_content)),
        piece_(piece_bytes + 1) {}

  ~LibarchiveStream() override {
    // archive_write_free closes an archive still open, which writes its trailer: refuse those
    // writes so that an abandoned stream ends at once.
    abandoned_ = true;
    archive_.reset();
  }

  LibarchiveStream(const LibarchiveStream&) = delete;
  LibarchiveStream& operator=(const LibarchiveStream&) = delete;

  // Creates the libarchive writer. Call once, before read(); `this` must not move afterwards.
  Status start(ArchiveFormat format) {
    ScopedThreadLocale locale(utf8_locale());
    archive_.reset(archive_write_new());
    if (!archive_) {
      return internal_error("archive: archive_write_new failed");
    }
    struct archive* a = archive_.get();
    if (format == ArchiveFormat::kZip) {
      if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
          archive_write_set_format_option(a, "zip", "compression", "store") != ARCHIVE_OK ||
          archive_write_set_format_option(a, "zip", "hdrcharset", "UTF-8") != ARCHIVE_OK) {
        return failure("cannot set up the ZIP writer");
      }
    } else if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK) {
      return failure("cannot set up the tar writer");
    }
    // No blocking: every write goes straight to on_write, and nothing pads the end.
    if (archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open2(a, this, nullptr, &LibarchiveStream::on_write, nullptr, nullptr) !=
            ARCHIVE_OK) {
      return failure("cannot open the archive");
    }
    return {};
  }

  Result<std::size_t> read(std::span<std::byte> out) override {
    if (failure_) {
      return *failure_;
    }
    // Pending bytes first; they exist only when the previous read's buffer was full.
    const std::size_t from_pending = std::min(out.size(), pending_.size() - pending_start_);
    if (from_pending > 0) {
      std::memcpy(out.data(), pending_.data() + pending_start_, from_pending);
      pending_start_ += from_pending;
    }
    if (pending_start_ < pending_.size()) {
      return from_pending;
    }
    pending_.clear();
    pending_start_ = 0;

    out_ = out;
    out_used_ = from_pending;
    ScopedThreadLocale locale(utf8_locale());
    while (out_used_ < out_.size() && !finished_) {
      if (Status s = step(); !s) {
        out_ = {};
        failure_ = s.error();
        return std::move(s).error();
      }
    }
    out_ = {};
    return out_used_;
  }

 private:
  // libarchive's write callback: fills the caller's buffer, keeps the rest in pending_.
  static la_ssize_t on_write(struct archive* archive, void* client_data, const void* data,
                             size_t size) noexcept {
    auto* self = static_cast<LibarchiveStream*>(client_data);
    if (self->abandoned_) {
      archive_set_error(archive, ECANCELED, "the archive stream was abandoned");
      return -1;
    }
    const auto* bytes = static_cast<const std::byte*>(data);
    const std::size_t direct = std::min(size, self->out_.size() - self->out_used_);
    if (direct > 0) {
      std::memcpy(self->out_.data() + self->out_used_, bytes, direct);
      self->out_used_ += direct;
    }
    try {
      self->pending_.insert(self->pending_.end(), bytes + direct, bytes + size);
    } catch (const std::bad_alloc&) {
      archive_set_error(archive, ENOMEM, "out of memory for the archive's output");
      return -1;
    }
    return static_cast<la_ssize_t>(size);
  }

  // Produces the next bytes: an entry's header, a piece of its content, its end, or the trailer.
  Status step() {
    if (reader_) {
      return write_piece();
    }
    if (next_entry_ < entries_.size()) {
      return begin_entry();
    }
    if (archive_write_close(archive_.get()) != ARCHIVE_OK) {
      return failure("cannot finish the archive");
    }
    finished_ = true;
    return {};
  }

  Status begin_entry() {
    const ArchiveEntry& entry = entries_[next_entry_];
    if (entry.size_bytes > static_cast<std::uint64_t>(std::numeric_limits<la_int64_t>::max())) {
      return internal_error("archive: entry " + entry.path + " is too large");
    }
    auto reader = open_content_(entry);
    if (!reader) {
      return std::move(reader).error();
    }
    if ((*reader)->size() != entry.size_bytes) {
      return data_loss("archive: the content of " + entry.path + " holds " +
                       std::to_string((*reader)->size()) + " bytes, not " +
                       std::to_string(entry.size_bytes));
    }
    std::unique_ptr<struct archive_entry, ArchiveEntryFree> header(archive_entry_new());
    if (!header) {
      return internal_error("archive: archive_entry_new failed");
    }
    using std::chrono::floor;
    using std::chrono::nanoseconds;
    using std::chrono::seconds;
    const auto mtime = floor<seconds>(entry.modified_at);
    archive_entry_set_pathname(header.get(), entry.path.c_str());
    archive_entry_set_filetype(header.get(), AE_IFREG);
    archive_entry_set_perm(header.get(), static_cast<mode_t>(entry.mode & 07777));
    archive_entry_set_size(header.get(), static_cast<la_int64_t>(entry.size_bytes));
    archive_entry_set_mtime(header.get(), mtime.time_since_epoch().count(),
                            static_cast<long>(nanoseconds(entry.modified_at - mtime).count()));
    if (archive_write_header(archive_.get(), header.get()) != ARCHIVE_OK) {
      return failure("cannot write the header of " + entry.path);
    }
    reader_ = std::move(*reader);
    entry_offset_ = 0;
    return {};
  }

  // Feeds the next piece of the current entry's content; ends the entry after its last byte.
  Status write_piece() {
    const ArchiveEntry& entry = entries_[next_entry_];
    const std::uint64_t remaining = entry.size_bytes - entry_offset_;
    const std::size_t piece_bytes = piece_.size() - 1;
    // The last read asks for one byte more than the entry holds, to see content that goes on.
    const std::size_t want =
        remaining < piece_bytes ? static_cast<std::size_t>(remaining) + 1 : piece_bytes;
    auto got = reader_->read_at(entry_offset_, std::span<std::byte>(piece_.data(), want));
    if (!got) {
      return std::move(got).error();
    }
    if (*got > remaining) {
      return data_loss("archive: the content of " + entry.path + " is longer than " +
                       std::to_string(entry.size_bytes) + " bytes");
    }
    if (*got == 0 && remaining > 0) {
      return data_loss("archive: the content of " + entry.path + " ends after " +
                       std::to_string(entry_offset_) + " of " + std::to_string(entry.size_bytes) +
                       " bytes");
    }
    if (*got > 0) {
      const la_ssize_t written = archive_write_data(archive_.get(), piece_.data(), *got);
      if (written < 0 || static_cast<std::size_t>(written) != *got) {
        return failure("cannot write the content of " + entry.path);
      }
      entry_offset_ += *got;
    }
    if (entry_offset_ < entry.size_bytes) {
      return {};
    }
    if (archive_write_finish_entry(archive_.get()) != ARCHIVE_OK) {
      return failure("cannot finish the entry " + entry.path);
    }
    reader_.reset();
    ++next_entry_;
    return {};
  }

  Error failure(const std::string& what) const {
    const char* detail = archive_ ? archive_error_string(archive_.get()) : nullptr;
    return internal_error("archive: " + what + ": " +
                          (detail ? detail : "unknown libarchive error"));
  }

  std::vector<ArchiveEntry> entries_;
  Archiver::ContentOpener open_content_;
  std::size_t next_entry_ = 0;          // the entry being written, or the next one
  std::unique_ptr<BlobReader> reader_;  // the current entry's content; null between entries
  std::uint64_t entry_offset_ = 0;      // bytes of the current entry fed to libarchive
  std::vector<std::byte> piece_;        // piece_bytes + 1 (see write_piece)
  std::span<std::byte> out_;            // the caller's buffer, during read() only
  std::size_t out_used_ = 0;            // bytes of out_ filled
  std::vector<std::byte> pending_;      // output that did not fit the caller's buffer
  std::size_t pending_start_ = 0;       // bytes of pending_ already handed out
  std::optional<Error> failure_;        // once set, every read returns it
  bool finished_ = false;               // the trailer is written
  bool abandoned_ = false;              // being destroyed: refuse libarchive's writes
  std::unique_ptr<struct archive, ArchiveWriteFree> archive_;  // last: freed first
};

}  // namespace

LibarchiveArchiver::LibarchiveArchiver(std::size_t piece_bytes)
    : piece_bytes_(std::max<std::size_t>(piece_bytes, 1)) {}

Result<std::unique_ptr<ArchiveStream>> LibarchiveArchiver::open(ArchiveFormat format,
                                                                std::vector<ArchiveEntry> entries,
                                                                ContentOpener open_content) {
  if (utf8_locale() == static_cast<locale_t>(0)) {
    return internal_error("archive: the C.UTF-8 locale is not available");
  }
  auto stream =
      std::make_unique<LibarchiveStream>(std::move(entries), std::move(open_content), piece_bytes_);
  if (Status s = stream->start(format); !s) {
    return std::move(s).error();
  }
  return std::unique_ptr<ArchiveStream>(std::move(stream));
}

}  // namespace castor
