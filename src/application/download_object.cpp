#include "application/download_object.h"
#include "application/content_reader.h"

namespace castor {

Result<DownloadObject::Download> DownloadObject::by_id(const TenantId& tenant, const ObjectId& id,
                                                       bool want_content) {
  Result<Object> found = not_found("no such object");
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        found = tx.objects().find(id, /*for_update=*/false);
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  return open(std::move(found), tenant, want_content);
}

Result<DownloadObject::Download> DownloadObject::by_key(const Namespace& ns, const TenantId& tenant,
                                                        const ObjectKey& key, bool want_content) {
  Result<Object> found = not_found("no such object");
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        found = tx.objects().find_by_key(ns, tenant, key, /*for_update=*/false);
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  return open(std::move(found), tenant, want_content);
}

Result<DownloadObject::Download> DownloadObject::open(Result<Object> found, const TenantId& tenant,
                                                      bool want_content) {
  if (!found) {
    return std::move(found).error();
  }
  if (!found->visible() || found->tenant() != tenant) {
    return not_found("no such object");
  }
  Download download{std::move(*found), nullptr};
  if (!want_content) {
    auto present = content_present(metadata_, blobs_, download.object.storage_class(),
                                   *download.object.content_hash());
    if (!present) {
      return std::move(present).error();
    }
    if (!*present) {
      return Error{ErrorCode::kDataLoss,
                   "content of object " + download.object.id().to_string() + " is missing"};
    }
  } else {
    auto reader = open_content(metadata_, blobs_, download.object.storage_class(),
                               *download.object.content_hash());
    if (!reader) {
      if (reader.error().code == ErrorCode::kNotFound) {
        return Error{ErrorCode::kDataLoss,
                     "content of object " + download.object.id().to_string() + " is missing"};
      }
      return std::move(reader).error();
    }
    download.content = std::move(*reader);
  }
  return download;
}

}  // namespace castor
