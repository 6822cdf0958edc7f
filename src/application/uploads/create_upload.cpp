#include "application/uploads/create_upload.h"

#include <string>

#include "application/upload_object.h"

namespace castor {

Result<UploadSession> CreateUpload::run(Request request) {
  if (request.size_bytes && *request.size_bytes > limits_.max_size) {
    return Error{ErrorCode::kOutOfRange,
                 "size_bytes is over the limit of " + std::to_string(limits_.max_size) + " bytes"};
  }
  if (request.content_type && !is_valid_content_type(*request.content_type)) {
    return invalid_argument("content_type must be 1 to 255 printable ASCII characters");
  }
  if (auto s = check_attributes(request.attributes); !s) {
    return std::move(s).error();
  }
  if (!request.ns && !request.attributes.empty()) {
    return Error{ErrorCode::kInvalidArgument,
                 "metadata and content_disposition need a namespace (a blob carries none)",
                 "invalid_metadata"};
  }
  UploadSession::Fields fields{.id = ids_.next(),
                               .tenant = std::move(request.tenant),
                               .ns = std::move(request.ns),
                               .key = std::move(request.key),
                               .storage_class = request.storage_class,
                               .size_bytes = request.size_bytes,
                               .sha256 = std::move(request.sha256),
                               .content_type = std::move(request.content_type),
                               .state = UploadSession::State::kOpen,
                               .created_at = {},
                               .expires_at = {},
                               .outcome = {},
                               .s3 = request.s3,
                               .attributes = std::move(request.attributes)};
  auto session = UploadSession::open(std::move(fields), clock_.now(), limits_.ttl);
  if (!session) {
    return std::move(session).error();
  }
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    // Two creations racing past the count may both succeed: the bound is approximate by one
    // request per connection, which is all it needs to be.
    auto open = tx.uploads().count_open(session->tenant());
    if (!open) {
      return std::move(open).error();
    }
    if (*open >= limits_.max_open) {
      return Error{ErrorCode::kFailedPrecondition,
                   "tenant " + session->tenant().str() + " already has " + std::to_string(*open) +
                       " open uploads (MAX_OPEN_UPLOADS); complete or "
                       "abort some first",
                   "too_many_uploads"};
    }
    if (const auto& ns = session->fields().ns) {
      // The quota pre-check (docs/USAGE_AND_QUOTAS.md): an object session that cannot fit is
      // refused before any part is sent; the completion checks again.
      if (auto q = tx.usage().check_quota(session->tenant(), *ns, 1,
                                          session->fields().size_bytes.value_or(0));
          !q) {
        return q;
      }
    }
    return tx.uploads().insert(*session);
  });
  if (!s) {
    return std::move(s).error();
  }
  return session;
}

}  // namespace castor
