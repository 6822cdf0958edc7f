#pragma once

#include <optional>
#include <string>
#include <vector>

#include "application/ports/metadata_store.h"
#include "domain/upload_session.h"

namespace castor {

// A session with the parts the server holds for it.
struct UploadView {
  UploadSession session;
  std::vector<UploadPart> parts;
};

// What S3's ListMultipartUploads asks for (S3 API Reference): the open S3 uploads of a bucket
// whose keys start with `prefix`, after the markers (`upload_id_marker` only counts with a
// `key_marker`), keys folded at the first `delimiter` after the prefix into common prefixes, at
// most `max_uploads` entries (uploads and common prefixes) in (key, upload id) order.
struct S3UploadQuery {
  TenantId tenant;
  Namespace ns;
  std::string prefix;
  std::string key_marker;
  std::optional<UploadId> upload_id_marker;
  std::optional<std::string> delimiter;  // unset or empty: no folding
  std::size_t max_uploads = 1000;
};

struct S3UploadListing {
  std::vector<UploadSession> uploads;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  // When truncated: where the next page starts (the last entry's key or common prefix, and the
  // last upload's id, empty after a common prefix).
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

// Reads upload sessions (GET /v1/uploads/{id}, GET /v1/uploads).
class ReadUploads {
 public:
  explicit ReadUploads(MetadataStore& metadata) : metadata_(metadata) {}

  // The tenant's session `id` with its parts; NotFound if there is none or it is another
  // tenant's. Blocking.
  Result<UploadView> get(const TenantId& tenant, const UploadId& id);

  // Open sessions matching `filter` (without parts). Blocking.
  Result<std::vector<UploadSession>> list(const UploadFilter& filter);

  // ListMultipartUploads, as S3UploadQuery says. A key marker that is a common prefix (it ends
  // with the delimiter) also skips the keys under it, as the page that returned it folded them.
  // Blocking.
  Result<S3UploadListing> list_s3(const S3UploadQuery& query);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
