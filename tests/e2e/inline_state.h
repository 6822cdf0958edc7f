#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "support/http_client.h"

// Where castor keeps a content, read straight from PostgreSQL and the storage root: in a content
// file (the file path) or inline in its blob row (the small-object path: migration 010's
// blobs.content, written when the content is at most INLINE_MAX_BYTES). The proof tests of issue
// 11 use this to check both paths against the design rather than against the server's answers.
namespace castor::e2e {

// INLINE_MAX_BYTES as the server takes it: 0 turns the small-object path off.
inline constexpr std::uint64_t kDefaultInlineMaxBytes = 65536;

// Whether the schema has blobs.content (migration 010). Before it, every content is a file.
bool inline_column_exists(const std::string& database_url);

// How one (storage class, content hash) is stored.
struct StoredContent {
  bool row = false;  // a blobs row exists
  std::int64_t ref_count = 0;
  std::int64_t size_bytes = 0;
  bool inline_content = false;  // blobs.content is not NULL
  std::string inline_sha256{};  // hex SHA-256 of blobs.content, if inline
  std::int64_t inline_bytes = 0;
  bool file = false;          // the content file {root}/{class}/{h[0:2]}/{h[2:4]}/{h} exists
  std::string file_sha256{};  // hex SHA-256 of the file, if any

  // "row ref_count 2 size 10, inline (10 bytes), no file", for failure messages.
  std::string describe() const;
};

StoredContent stored_content(const std::string& database_url,
                             const std::filesystem::path& storage_root,
                             std::string_view storage_class, std::string_view content_hash);

// stored_content() of many hashes of one storage class, over one connection, by hash.
std::map<std::string, StoredContent> stored_contents(const std::string& database_url,
                                                     const std::filesystem::path& storage_root,
                                                     std::string_view storage_class,
                                                     const std::set<std::string>& content_hashes);

// How many blobs rows have this content hash (any storage class): 1 means deduplicated.
std::int64_t blob_rows_with_hash(const std::string& database_url, std::string_view content_hash);

// invariant_violations() of storage_state.h, made aware of the small-object path: a blob row
// whose content is inline needs no file, but its inline bytes must be exactly its content
// (SHA-256 equal to the row's hash, length equal to size_bytes). Also: no object row is visible
// in WRITING, every COMMITTED object's blob row exists. Returns every violation (empty: all hold).
std::vector<std::string> path_invariant_violations(const std::string& database_url,
                                                   const std::filesystem::path& storage_root);

// POST /v1/admin/fsck (read-only); returns its JSON. Throws std::runtime_error, quoting the
// answer, unless it is 200 with a JSON object. (No Catch2 here: the chaos driver links this file.)
boost::json::object run_fsck(testing::HttpClient& client);

}  // namespace castor::e2e
