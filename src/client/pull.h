#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "client/context.h"
#include "domain/error.h"

namespace castor::client {

struct PullOptions {
  std::string bundle_id{};
  std::optional<std::filesystem::path> dest{};  // default: ./<bundle id>
  std::optional<std::filesystem::path>
      zip_file{};  // save the ZIP archive here instead ("-": stdout)
  int jobs = 8;
};

struct PullSummary {
  std::string bundle_id{};
  std::string dest{};  // the directory, or the ZIP file
  std::uint64_t files = 0;
  std::uint64_t files_downloaded = 0;
  std::uint64_t files_unchanged = 0;  // already in DEST with the right hash
  std::uint64_t bytes_downloaded = 0;

  boost::json::object to_json() const;
};

// castorctl pull: fetches the manifest, checks its Merkle root and every path (refusing any that
// would land outside DEST), then downloads each file's blob on `jobs` threads into a temporary
// file, verifies its SHA-256 and size, sets its mode and renames it into place. A file already in
// DEST with the right hash is kept, so a pull that broke off resumes. DataLoss (exit 3) on a
// hash, size, Merkle root or path that does not verify. With zip_file: streams the bundle's ZIP
// archive there (temp + rename) instead.
Result<PullSummary> run_pull(const Context& context, const PullOptions& options);

}  // namespace castor::client
