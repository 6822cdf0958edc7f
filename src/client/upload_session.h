#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "client/part_layout.h"
#include "domain/error.h"

// Upload sessions as the server shows them (docs/BLOBS_AND_BUNDLES.md, "Upload sessions"), and
// the choice of the session a push resumes. Pure: no I/O.
namespace castor::client {

// The storage class castorctl uploads into (the server's default).
inline constexpr const char* kStorageClass = "hot";

// What an upload session completes into, as POST /v1/uploads declares it.
struct UploadTarget {
  std::string sha256{};  // of the whole content, 64 lowercase hex digits
  std::uint64_t size = 0;
  std::string storage_class = kStorageClass;
  std::optional<std::string> ns{};   // set: completes into an object (keyed when `key` is set)
  std::optional<std::string> key{};  // needs `ns`; unset `ns`: a blob the tenant holds

  // The body of POST /v1/uploads.
  boost::json::object to_json() const;
};

// A part the server holds: {part_number, size_bytes, sha256}.
struct UploadPartInfo {
  std::uint32_t number = 0;
  std::uint64_t size = 0;
  std::string sha256{};
};

// A session: {upload_id, state, namespace, key, storage_class, size_bytes, sha256, parts?}.
struct UploadSessionInfo {
  std::string id{};
  std::string state{};  // "open" or "completed"
  std::string storage_class{};
  std::optional<std::string> ns{};
  std::optional<std::string> key{};
  std::optional<std::uint64_t> size{};
  std::optional<std::string> sha256{};
  std::vector<UploadPartInfo> parts{};  // empty when the answer had none (lists leave them out)
};

// Parses a session object. Internal naming what is wrong when `upload_id` is missing or a field
// or part has the wrong type.
Result<UploadSessionInfo> parse_upload_session(const boost::json::object& json);

// Parses a part object {part_number, size_bytes, sha256}. Internal when malformed.
Result<UploadPartInfo> parse_upload_part(const boost::json::object& json);

// Whether `session` may be resumed to upload `target`: open, and the same SHA-256, size, storage
// class, namespace and key (both unset for a blob).
bool resumable_for(const UploadSessionInfo& session, const UploadTarget& target);

// Whether every part of `parts` lies on `layout`: its number at most layout.count() and its size
// that of the layout's part with that number. A session whose parts were cut with another part
// size does not fit (resuming it would replace them all).
bool fits_layout(const PartLayout& layout, const std::vector<UploadPartInfo>& parts);

// Among `sessions` (with their parts, newest first, each resumable_for the target), the index of
// the one to resume: one that fits `layout` and holds the most bytes; the newest of equals.
// Nullopt when none fits.
std::optional<std::size_t> choose_session(const PartLayout& layout,
                                          const std::vector<UploadSessionInfo>& sessions);

}  // namespace castor::client
