#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/error.h"

namespace castor {

// What an object carries besides its content, as S3 (and the native API's metadata headers) store
// and return it. Stored with the object (objects.metadata and objects.attributes, JSONB) and
// immutable with it: a change of metadata is a new object (S3's CopyObject with REPLACE).
struct ObjectAttributes {
  using Pairs = std::vector<std::pair<std::string, std::string>>;

  // User metadata: S3's x-amz-meta-<name> headers. Names lowercase, without the prefix; values as
  // sent (printable ASCII). In name order, names unique.
  Pairs metadata;
  // Representation headers S3 stores and returns: content-disposition, content-encoding,
  // content-language, cache-control, expires (lowercase names, values as sent), in that order.
  Pairs headers;
  // Flexible checksums of the whole content (S3 "Checking object integrity"): algorithm
  // ("crc32", "crc32c", "crc64nvme", "sha1", "sha256") → base64 value as S3 returns it.
  Pairs checksums;

  bool empty() const { return metadata.empty() && headers.empty() && checksums.empty(); }
  friend bool operator==(const ObjectAttributes&, const ObjectAttributes&) = default;

  // The value of `name` in `pairs`, or nullopt.
  static std::optional<std::string_view> find(const Pairs& pairs, std::string_view name);
  // The stored size of the user metadata as S3 counts it (names plus values, in bytes).
  std::size_t metadata_bytes() const;
};

// The most user metadata one object may carry: 2 KiB of names and values, S3's limit for
// x-amz-meta-* ("Working with object metadata").
inline constexpr std::size_t kMaxUserMetadataBytes = 2048;

// The representation headers ObjectAttributes::headers may hold, in their stored order.
inline constexpr std::string_view kStoredHeaders[] = {
    "content-disposition", "content-encoding", "content-language", "cache-control", "expires"};

// Checks `attributes` against the limits above (InvalidArgument, reason "MetadataTooLarge" for
// more than kMaxUserMetadataBytes) and the header value rules (printable ASCII and tab, at most
// 8 KiB each; InvalidArgument).
Status check_attributes(const ObjectAttributes& attributes);

}  // namespace castor
