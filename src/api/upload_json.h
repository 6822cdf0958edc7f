#pragma once

// The JSON of the upload-session endpoints (docs/BLOBS_AND_BUNDLES.md, "Upload sessions").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "application/uploads/create_upload.h"
#include "application/uploads/read_uploads.h"
#include "domain/object.h"
#include "domain/upload_session.h"

namespace castor {

// The body of POST /v1/uploads: {"namespace"?, "tenant_id"?, "key"?, "storage_class"?,
// "size_bytes"?, "sha256"?, "content_type"?, "metadata"? (a JSON object, docs/METADATA.md),
// "content_disposition"?} (null or absent = not given).
struct UploadRequestBody {
  std::optional<TenantId> tenant;
  std::optional<StorageClass> storage_class;
  // Every field but the tenant, which the handler sets.
  CreateUpload::Request fields{.tenant = *TenantId::parse("unset"),
                               .ns = {},
                               .key = {},
                               .storage_class = StorageClass::kHot,
                               .size_bytes = {},
                               .sha256 = {},
                               .content_type = {}};
};
// InvalidArgument naming the bad field, or an unknown one; for metadata, reason "invalid_metadata"
// or "metadata_too_large" (parse_metadata_object()).
Result<UploadRequestBody> parse_upload_request(std::string_view body);

// The body of POST /v1/uploads/{id}/complete: {"parts": [n, ...]} or {} / empty (every part;
// returned as an empty list). InvalidArgument ("invalid_parts") for a malformed or empty list or
// a number outside 1..kMaxUploadParts.
Result<std::vector<std::uint32_t>> parse_complete_request(std::string_view body);

// What a session shows besides its fields.
struct UploadJsonExtras {
  std::uint64_t part_size_hint = 0;
  const std::vector<UploadPart>* parts = nullptr;  // null: the key "parts" is left out
  const Object* object = nullptr;                  // the object a completion made
};

// A session: {upload_id, state, tenant_id, namespace, key, storage_class, size_bytes, sha256,
// content_type, created_at, expires_at, part_size_hint, max_parts, parts?, object?, blob?}.
std::string upload_json(const UploadSession& session, const UploadJsonExtras& extras);

// {"uploads": [session without parts, ...]}
std::string upload_list_json(const std::vector<UploadSession>& sessions,
                             std::uint64_t part_size_hint);

// {"part_number", "size_bytes", "sha256"}
std::string upload_part_json(const UploadPart& part);

}  // namespace castor
