#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "e2e/storage_state.h"
#include "support/server_process.h"

// A backend-neutral view of the content a server under test has stored, for assertions that look
// past the server's own answers (issue 13): the files under its storage root (fs backend) or the
// objects under its key prefixes in the S3 bucket (S3 backend, tests/e2e/with_s3_backend.sh).
// Both lay content out alike: {class root}/{h[0:2]}/{h[2:4]}/{h}, uploads in progress under
// {class root}/.tmp/, quarantined content under {class root}/.quarantine/.
namespace castor::e2e {

// Where one server keeps its content, by storage class ("hot", "cold"). Cheap to copy; each call
// reads the storage afresh (S3: one signed request per call or listing page, through
// S3TestClient of s3_support.h). Thread-safe (no shared state). Errors (an unreadable file, an S3
// answer other than 200/404) throw std::runtime_error.
class StorageView {
 public:
  // The view of `server`'s storage, from its settings (<CLASS>_STORAGE_BACKEND, <CLASS>_S3_*,
  // HOT_/COLD_STORAGE_PATH): valid for every server that shares its storage root.
  static StorageView of(const testing::ServerProcess& server);

  // Whether `storage_class` keeps its content in an S3 bucket.
  bool is_s3(std::string_view storage_class) const;

  // The bytes of the content of `hex` (lowercase hex SHA-256) in `storage_class`; nullopt when
  // there is none (content kept in the blob row, INLINE_MAX_BYTES, is not seen here).
  std::optional<std::string> content(std::string_view storage_class, std::string_view hex) const;
  // Whether that content exists (fs: the file; S3: HeadObject answers 200).
  bool has_content(std::string_view storage_class, std::string_view hex) const;

  // Every entry of the class outside .tmp/ (content, quarantine and anything stray), by name.
  std::vector<StoredEntry> content_entries(std::string_view storage_class) const;
  // Every upload-in-progress entry under .tmp/ (hidden files, such as the fs readiness probe's,
  // skipped).
  std::vector<StoredEntry> temp_entries(std::string_view storage_class) const;
  // The bytes of an entry named as content_entries() names it.
  std::string read_entry(std::string_view storage_class, std::string_view name) const;

  // Where the content of `hex` is (a path or s3://bucket/key), for failure messages.
  std::string describe(std::string_view storage_class, std::string_view hex) const;
  // Where the entry `name` of the class is.
  std::string describe_entry(std::string_view storage_class, std::string_view name) const;

  // What both classes hold, listed now, for invariant_violations of storage_state.h.
  std::vector<StoredClass> stored_classes() const;

 private:
  struct ClassRoot {
    std::filesystem::path directory;       // the fs backend's class root
    std::optional<std::string> s3_prefix;  // set: content is in the bucket under this prefix
  };
  const ClassRoot& root(std::string_view storage_class) const;
  std::vector<StoredEntry> list(const ClassRoot& root, bool temp) const;

  ClassRoot hot_;
  ClassRoot cold_;
  std::optional<testing::S3BackendTarget> s3_;
};

// "{h[0:2]}/{h[2:4]}/{h}": the name of the content of `hex` relative to its class root.
std::string content_name(std::string_view hex);

// The bytes stored for (storage_class, content_hash): its content in `view`, else the content its
// blob row holds (the small-object path, INLINE_MAX_BYTES); nullopt when there is neither.
std::optional<std::string> stored_bytes(const std::string& database_url, const StorageView& view,
                                        std::string_view storage_class,
                                        std::string_view content_hash);

// invariant_violations of storage_state.h over what `view` holds now.
std::vector<std::string> invariant_violations(const std::string& database_url,
                                              const StorageView& view);

}  // namespace castor::e2e
