#include "application/uploads/abort_upload.h"

#include <map>

namespace castor {

Status release_parts(MetadataTransaction& tx, const UploadSession& session) {
  auto parts = tx.uploads().remove_parts(session.id());
  if (!parts) {
    return std::move(parts).error();
  }
  std::map<ContentHash, std::uint64_t> refs;
  for (const UploadPart& part : *parts) {
    ++refs[part.hash];
  }
  if (!refs.empty()) {
    if (auto s = tx.blobs().release_refs(session.storage_class(), {refs.begin(), refs.end()}); !s) {
      return s;
    }
  }
  return {};
}

Status drop_upload(MetadataTransaction& tx, const UploadSession& session) {
  if (auto s = release_parts(tx, session); !s) {
    return s;
  }
  return tx.uploads().remove(session.id());
}

Status AbortUpload::run(const TenantId& tenant, const UploadId& id) {
  return metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto session = tx.uploads().find(id, /*for_update=*/true);
    if (!session) {
      return std::move(session).error();
    }
    if (session->tenant() != tenant) {
      return Error{ErrorCode::kNotFound, "no upload " + id.to_string()};
    }
    return drop_upload(tx, *session);
  });
}

}  // namespace castor
