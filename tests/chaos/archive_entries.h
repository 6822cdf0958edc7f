#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace castor::chaos {

// One entry of a bundle download, as libarchive reads it back.
struct ArchiveEntry {
  std::string path;
  std::uint64_t size = 0;  // the bytes of its body
  unsigned mode = 0;       // permission bits
  std::string sha256;      // of its body, lowercase hex
  bool regular = false;    // a regular file
};

// The entries of the tar or ZIP archive `bytes`, in archive order. Throws std::runtime_error if
// libarchive cannot read it to the end. Non-ASCII paths need a UTF-8 LC_CTYPE (castor_chaos sets
// C.UTF-8): libarchive converts them to the locale's charset.
std::vector<ArchiveEntry> read_archive(std::string_view bytes);

}  // namespace castor::chaos
