#pragma once
// The JSON of the blob and bundle endpoints (docs/BLOBS_AND_BUNDLES.md, "HTTP API"): request
// parsing that names the bad field, and response shapes.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "application/bundles/create_bundle.h"
#include "application/bundles/read_bundles.h"
#include "domain/blob.h"
#include "domain/bundle.h"

namespace castor {

// The most bytes of a bundle's `metadata` object (serialized).
inline constexpr std::size_t kMaxBundleMetadataBytes = 16 * 1024;

// {"hash": "<hex>", "size_bytes": N, "storage_class": "hot"}: a stored blob.
std::string blob_json(const Blob& blob);

// The body of POST /v1/blobs/preflight: {"hashes": ["<hex>" | "sha256:<hex>", ...]}.
// InvalidArgument naming the bad entry (the count is checked by PreflightBlobs).
Result<std::vector<ContentHash>> parse_preflight_request(std::string_view body);
// {"missing": ["<hex>", ...]}
std::string preflight_json(const std::vector<ContentHash>& missing);

// The body of POST /v1/bundles: {"files": [{"path", "hash", "size_bytes", "mode"?}],
// "hash_algo": "sha256"?, "merkle_root"?, "metadata"? (an object of at most
// kMaxBundleMetadataBytes)}. Fills the request's files, merkle_root (lowercase hex) and metadata;
// InvalidArgument naming the bad field; OutOfRange for more than kMaxBundleFiles files.
Status parse_bundle_request(std::string_view body, CreateBundle::Request& request);

// A summary: {id, created_at, merkle_root, file_count, total_bytes, storage_class}.
std::string bundle_summary_json(const BundleSummary& summary);
// The manifest: the summary plus "metadata" (object or null) and "files" [{path, hash,
// size_bytes, mode}].
std::string bundle_json(const Bundle& bundle);
// {"bundles": [summary...], "next_cursor": "..." | null}
std::string bundle_page_json(const ReadBundles::Page& page);
// The 409 body: {"error": {"code": "missing_blobs", "message"}, "missing": ["<hex>", ...]}.
std::string missing_blobs_json(const std::vector<ContentHash>& missing);

}  // namespace castor
