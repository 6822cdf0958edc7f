#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
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

// One stored entry of a storage class: its name relative to the class root ("ab/cd/abcd…",
// ".tmp/<object id>") and its size in bytes.
struct StoredEntry {
  std::string name;
  std::uint64_t size = 0;
};

// What one storage class holds, as the invariants below see it, whatever the backend (files
// under {root}/{class}, or objects in an S3 bucket: storage_view.h).
struct StoredClass {
  std::string storage_class;         // "hot" or "cold"
  std::vector<StoredEntry> content;  // every entry outside .tmp/
  std::vector<StoredEntry> temps;    // every upload-in-progress entry under .tmp/
  std::function<std::string(const std::string& name)> sha256_of;  // hex SHA-256 of an entry
  std::function<std::string(const std::string& name)> describe;   // a path or URL, for messages
};

// The StoredClass of {storage_root}/{storage_class} (the fs backend's layout).
StoredClass stored_files(const std::filesystem::path& storage_root, std::string_view storage_class);

// The blobs row of (storage_class, content_hash), if any.
std::optional<BlobRow> find_blob(const std::string& database_url, std::string_view storage_class,
                                 std::string_view content_hash);

// How many rows of `objects` the tenant has in each status ("COMMITTED", ...), all namespaces.
// The bytes stored for (storage_class, content_hash): its content file under
// storage_root/storage_class, else the content its blob row holds (the small-object path,
// INLINE_MAX_BYTES); nullopt when there is neither.
std::optional<std::string> stored_bytes(const std::string& database_url,
                                        const std::filesystem::path& storage_root,
                                        std::string_view storage_class,
                                        std::string_view content_hash);

// The content the blobs row of (storage_class, content_hash) holds itself (the small-object path),
// if any.
std::optional<std::string> row_content(const std::string& database_url,
                                       std::string_view storage_class,
                                       std::string_view content_hash);

std::map<std::string, std::int64_t> object_status_counts(const std::string& database_url,
                                                         std::string_view tenant);

// Every status an object row of `objects` has, by id.
std::map<std::string, std::string> object_statuses(const std::string& database_url);

// Checks the invariants that hold once no request is in flight and a GC cycle has run since the
// last delete or crash, and returns every violation found (empty: all hold):
// - each blobs row's ref_count equals the number of reference rows with its (storage class,
//   content hash): COMMITTED objects, bundle files, segments of composite blobs, parts of upload
//   sessions; every such reference has a blobs row; a row with ref_count 0 is within its grace
//   (retain_until in the future);
// - a composite blob's segments tile its content and name blobs of their sizes; no part is held
//   by a session that is not open; a bundle's file count and total agree with its files, and
//   each file's size with its blob's;
// - no object is WRITING or DELETING;
// - every file under {root}/{hot,cold} outside .tmp is {h[0:2]}/{h[2:4]}/{h}, has a blobs row
//   with its size, and hashes to h; every blobs row but a composite's has its file;
// - no file is left under {root}/{hot,cold}/.tmp.
std::vector<std::string> invariant_violations(const std::string& database_url,
                                              const std::filesystem::path& storage_root);
// The same invariants, with the content of each class as `stored` lists it (any backend): "file"
// in the messages then means the content entry.
std::vector<std::string> invariant_violations(const std::string& database_url,
                                              const std::vector<StoredClass>& stored);

}  // namespace castor::e2e
