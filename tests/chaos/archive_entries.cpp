#include "chaos/archive_entries.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <stdexcept>

#include "support/sha256.h"

namespace castor::chaos {

std::vector<ArchiveEntry> read_archive(std::string_view bytes) {
  const std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(),
                                                                      &archive_read_free);
  archive* a = reader.get();
  const auto failed = [a](const std::string& what) {
    const char* message = archive_error_string(a);
    return std::runtime_error(what + ": " + (message != nullptr ? message : "?"));
  };
  archive_read_support_format_tar(a);
  archive_read_support_format_zip(a);
  if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    throw failed("opening the archive");
  }
  std::vector<ArchiveEntry> entries;
  archive_entry* header = nullptr;
  for (;;) {
    const int status = archive_read_next_header(a, &header);
    if (status == ARCHIVE_EOF) {
      return entries;
    }
    if (status != ARCHIVE_OK) {
      throw failed("reading entry " + std::to_string(entries.size() + 1));
    }
    ArchiveEntry entry;
    const char* path = archive_entry_pathname_utf8(header);
    if (path == nullptr) {
      path = archive_entry_pathname(header);
    }
    entry.path = path != nullptr ? path : "";
    entry.mode = archive_entry_perm(header) & 07777;
    entry.regular = archive_entry_filetype(header) == AE_IFREG;
    std::string body;
    char buffer[64 * 1024];
    for (;;) {
      const la_ssize_t n = archive_read_data(a, buffer, sizeof(buffer));
      if (n < 0) {
        throw failed("reading the body of " + entry.path);
      }
      if (n == 0) {
        break;
      }
      body.append(buffer, static_cast<std::size_t>(n));
    }
    entry.size = body.size();
    entry.sha256 = testing::sha256_hex(body);
    entries.push_back(std::move(entry));
  }
}

}  // namespace castor::chaos
