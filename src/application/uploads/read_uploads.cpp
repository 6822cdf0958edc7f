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

Result<S3UploadListing> ReadUploads::list_s3(const S3UploadQuery& query) {
  return read_only(metadata_, [&](MetadataTransaction& tx) -> Result<S3UploadListing> {
    S3UploadListing out;
    const std::string delimiter = query.delimiter.value_or("");
    S3UploadFilter filter{
        .tenant = query.tenant,
        .ns = query.ns,
        .prefix = query.prefix,
        .after_key = query.key_marker,
        .after_id = query.key_marker.empty() ? std::nullopt : query.upload_id_marker,
        .limit = 1000};
    std::string skip;  // a common prefix returned by the previous page
    if (!delimiter.empty() && query.key_marker.size() > query.prefix.size() &&
        query.key_marker.starts_with(query.prefix) && query.key_marker.ends_with(delimiter)) {
      skip = query.key_marker;
    }
    std::size_t entries = 0;
    for (;;) {
      auto batch = tx.uploads().list_open_s3(filter);
      if (!batch) {
        return std::move(batch).error();
      }
      for (UploadSession& session : *batch) {
        const std::string key = session.fields().key ? session.fields().key->str() : "";
        filter.after_key = key;
        filter.after_id = session.id();
        if (!skip.empty() && key.starts_with(skip)) {
          continue;
        }
        std::optional<std::string> folded;
        if (!delimiter.empty()) {
          if (auto at = key.find(delimiter, query.prefix.size()); at != std::string::npos) {
            folded = key.substr(0, at + delimiter.size());
          }
        }
        if (folded && !out.common_prefixes.empty() && out.common_prefixes.back() == *folded &&
            out.next_upload_id_marker.empty()) {
          continue;  // keys under one common prefix are contiguous
        }
        if (entries == query.max_uploads) {
          out.truncated = true;
          return out;
        }
        ++entries;
        if (folded) {
          out.next_key_marker = *folded;
          out.next_upload_id_marker.clear();
          out.common_prefixes.push_back(std::move(*folded));
        } else {
          out.next_key_marker = key;
          out.next_upload_id_marker = session.id().to_string();
          out.uploads.push_back(std::move(session));
        }
      }
      if (batch->size() < filter.limit) {
        break;
      }
    }
    out.next_key_marker.clear();
    out.next_upload_id_marker.clear();
    return out;
  });
}

}  // namespace castor
