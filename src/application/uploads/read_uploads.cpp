#include "application/uploads/read_uploads.h"

namespace castor {

namespace {
Error no_such_upload(const UploadId& id) {
  return {ErrorCode::kNotFound, "no upload " + id.to_string()};
}
}  // namespace

Result<UploadView> ReadUploads::get(const TenantId& tenant, const UploadId& id) {
  return read_only(metadata_, [&](MetadataTransaction& tx) -> Result<UploadView> {
    auto session = tx.uploads().find(id, /*for_update=*/false);
    if (!session) {
      return std::move(session).error();
    }
    if (session->tenant() != tenant) {
      return no_such_upload(id);
    }
    auto parts = tx.uploads().parts(id);
    if (!parts) {
      return std::move(parts).error();
    }
    return UploadView{std::move(*session), std::move(*parts)};
  });
}

Result<std::vector<UploadSession>> ReadUploads::list(const UploadFilter& filter) {
  return read_only(metadata_,
                   [&](MetadataTransaction& tx) { return tx.uploads().list_open(filter); });
}

}  // namespace castor
