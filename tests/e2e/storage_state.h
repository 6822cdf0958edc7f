#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// What castor has stored, read straight from PostgreSQL and the storage roots, to check the
// server against its design rather than against its own answers.
namespace castor::e2e {

struct BlobRow {
  std::int64_t ref_count = 0;
  std::int64_t size_bytes = 0;
};

// The blobs row of (storage_class, content_hash), if any.
std::optional<BlobRow> find_blob(const std::string& database_url, std::string_view storage_class,
                                 std::string_view content_hash);

// How many rows of `objects` the tenant has in each status ("COMMITTED", ...), all namespaces.
std::map<std::string, std::int64_t> object_status_counts(const std::string& database_url,
                                                         std::string_view tenant);

// Every status an object row of `objects` has, by id.
std::map<std::string, std::string> object_statuses(const std::string& database_url);

// Checks the invariants that hold once no request is in flight and a GC cycle has run since the
// last delete or crash, and returns every violation found (empty: all hold):
// - each blobs row's ref_count equals the number of its live references (COMMITTED objects,
//   segments of composite blobs, bundle files, parts of upload sessions), every reference has a
//   blobs row, and no row has ref_count 0 unless it is in its grace period (retain_until);
// - the segments of each composite blob tile its content (ordinals 0.., contiguous offsets, the
//   sizes adding up to the blob's), each a blob of its size; each upload part has its size;
// - no object is WRITING or DELETING;
// - every file under {root}/{hot,cold} outside .tmp is {h[0:2]}/{h[2:4]}/{h}, has a blobs row
//   with its size, and hashes to h; every blobs row but a composite one has its file;
// - no file is left under {root}/{hot,cold}/.tmp.
std::vector<std::string> invariant_violations(const std::string& database_url,
                                              const std::filesystem::path& storage_root);

}  // namespace castor::e2e
