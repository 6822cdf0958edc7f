#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/error.h"

namespace castor {

// What an object carries besides its content, as S3 and the native API store and return it
// (docs/METADATA.md). Stored with the object (objects.metadata and objects.attributes, JSONB). The
// content is immutable; the user metadata, Content-Type and Content-Disposition of a COMMITTED
// object can be changed (Object::replace_metadata, PATCH /v1/objects/{id}/metadata).
struct ObjectAttributes {
  using Pairs = std::vector<std::pair<std::string, std::string>>;

  // User metadata: a JSON object, member by member. Names as stored (lowercase; S3's
  // x-amz-meta-<name> without the prefix); each value any JSON value, kept as its canonical JSON
  // text (domain/json_text.h), so S3's string values are JSON strings ("\"blue\""). In name
  // order (bytewise), names unique.
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
  // The size of the user metadata as S3 counts it: names plus values in bytes, a string value
  // counted as its string, any other value as its JSON text.
  std::size_t metadata_bytes() const;
  // The user metadata as one canonical JSON object text ("{}" when there is none).
  std::string metadata_json() const;
};

// The most user metadata one request may send as headers: 2 KiB of names and values, S3's limit
// for x-amz-meta-* ("Working with object metadata"), also castor's for X-Meta-*.
inline constexpr std::size_t kMaxUserMetadataBytes = 2048;
// The most user metadata one object may carry: its JSON object text (metadata_json()) at most
// 16 KiB.
inline constexpr std::size_t kMaxMetadataJsonBytes = 16 * 1024;
// The longest user metadata name the native API accepts, in bytes.
inline constexpr std::size_t kMaxMetadataNameBytes = 128;

// The representation headers ObjectAttributes::headers may hold, in their stored order.
inline constexpr std::string_view kStoredHeaders[] = {
    "content-disposition", "content-encoding", "content-language", "cache-control", "expires"};

// Checks `attributes` against the object limit (InvalidArgument, reason "metadata_too_large", for
// a metadata_json() over kMaxMetadataJsonBytes), metadata names (not empty, printable) and the
// header value rules (printable ASCII and tab, at most 8 KiB each; InvalidArgument). The header
// limits (kMaxUserMetadataBytes) are the API front ends' to check, on what they receive.
Status check_attributes(const ObjectAttributes& attributes);

// Checks a user metadata name the native API receives (X-Meta-<name>, X-Metadata, PATCH): 1 to
// kMaxMetadataNameBytes bytes of [a-z0-9-_]. InvalidArgument, reason "invalid_metadata".
Status check_metadata_name(std::string_view name);

// The user metadata a native request sends as one JSON object (X-Metadata, an upload session's
// "metadata", a PATCH's "metadata"), its members canonical and sorted. InvalidArgument, reason
// "invalid_metadata", when `json` is not a JSON object or a name breaks check_metadata_name()
// (with `patch`, a member whose value is null, a removal, may have any name); reason
// "metadata_too_large" when its canonical text is over kMaxMetadataJsonBytes.
Result<ObjectAttributes::Pairs> parse_metadata_object(std::string_view json, bool patch = false);

// A metadata value (canonical JSON text) as a response header carries it (X-Meta-*,
// x-amz-meta-*): a string as the string itself, unless it holds control characters; any other
// value (and such a string) as its JSON text.
std::string metadata_header_value(std::string_view json);

// How PATCH /v1/objects/{id}/metadata combines its metadata with the stored one.
enum class MetadataMode {
  // JSON Merge Patch (RFC 7396): a member of the patch whose value is null removes the stored
  // member of that name; one whose value is an object is merged into the stored member by the
  // same rules (recursively; a stored member that is not an object counts as {}); any other value
  // (string, number, boolean, array) replaces the stored member. Stored members the patch does
  // not name stay.
  kMerge,
  // The patch becomes the metadata (as a merge into {}: null members left out, at every level).
  kReplace,
};

// The metadata `patch` (sorted, names unique, canonical values) makes of `current` under `mode`.
ObjectAttributes::Pairs patch_metadata(const ObjectAttributes::Pairs& current,
                                       const ObjectAttributes::Pairs& patch, MetadataMode mode);

}  // namespace castor
