#include "application/download_object.h"
#include "application/content_reader.h"

namespace castor {

namespace {
Error content_missing(const Object& object) {
  return {ErrorCode::kDataLoss, "content of object " + object.id().to_string() + " is missing"};
}
}  // namespace

Result<DownloadObject::Download> DownloadObject::by_id(const TenantId& tenant, const ObjectId& id,
                                                       bool want_content, bool allow_redirect) {
  return find_and_open(tenant, want_content, allow_redirect, [&](MetadataTransaction& tx) {
    return tx.objects().find(id, /*for_update=*/false);
  });
}

Result<DownloadObject::Download> DownloadObject::by_key(const Namespace& ns, const TenantId& tenant,
                                                        const ObjectKey& key, bool want_content,
                                                        bool allow_redirect) {
  return find_and_open(tenant, want_content, allow_redirect, [&](MetadataTransaction& tx) {
    return tx.objects().find_by_key(ns, tenant, key, /*for_update=*/false);
  });
}

Result<DownloadObject::Download> DownloadObject::find_and_open(
    const TenantId& tenant, bool want_content, bool allow_redirect,
    const std::function<Result<Object>(MetadataTransaction&)>& find) {
  // One read-only unit finds the object and opens its content wherever it is stored. On a local
  // filesystem the content file is tried first (an open, not a read); in a remote store the row
  // and the segments are (database reads), and the content file only after the transaction.
  Result<Object> found = not_found("no such object");
  Result<std::unique_ptr<BlobReader>> reader = not_found("");
  bool present = false;
  bool remote = false;
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        reader = not_found("");
        present = false;
        found = find(tx);
        if (!found || !found->visible() || found->tenant() != tenant) {
          return {};
        }
        const StorageClass storage_class = found->storage_class();
        const ContentHash& hash = *found->content_hash();
        remote = blobs_.is_remote(storage_class);
        if (remote) {
          // Only what the database holds here; the content file is looked at after the commit.
          if (!want_content) {
            auto row = tx.blobs().find(storage_class, hash);
            if (!row) {
              return std::move(row).error();
            }
            present = *row && (*row)->stored_inline();
            return {};
          }
          reader = open_unfiled_content(tx, metadata_, blobs_, storage_class, hash);
          if (!reader && reader.error().code != ErrorCode::kNotFound) {
            return std::move(reader).error();
          }
          return {};
        }
        if (!want_content) {
          auto there = content_present(tx, blobs_, storage_class, hash);
          if (!there) {
            return std::move(there).error();
          }
          present = *there;
          return {};
        }
        reader = blobs_.open(storage_class, hash);
        if (!reader && reader.error().code == ErrorCode::kNotFound) {
          reader = open_unfiled_content(tx, metadata_, blobs_, storage_class, hash);
        }
        if (!reader && reader.error().code != ErrorCode::kNotFound) {
          return std::move(reader).error();
        }
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  if (!found) {
    return std::move(found).error();
  }
  if (!found->visible() || found->tenant() != tenant) {
    return not_found("no such object");
  }
  const StorageClass storage_class = found->storage_class();
  const ContentHash hash = *found->content_hash();
  if (remote && !want_content && !present) {
    // The content file, or segments (HEAD of a multipart object).
    auto there = content_present(metadata_, blobs_, storage_class, hash);
    if (!there) {
      return std::move(there).error();
    }
    present = *there;
  }
  if (remote && want_content && !reader) {
    if (allow_redirect) {
      const auto disposition =
          ObjectAttributes::find(found->attributes().headers, "content-disposition");
      auto url = blobs_.download_url(
          storage_class, hash,
          DownloadUrlOptions{.content_type = found->content_type(),
                             .content_disposition = std::string(disposition.value_or(""))});
      if (!url) {
        return std::move(url).error();
      }
      if (*url) {
        return Download{std::move(*found), nullptr, std::move(*url)};
      }
    }
    reader = blobs_.open(storage_class, hash);
    if (!reader && reader.error().code != ErrorCode::kNotFound) {
      return std::move(reader).error();
    }
  }
  if (!want_content) {
    if (!present) {
      return content_missing(*found);
    }
    return Download{std::move(*found), nullptr, std::nullopt};
  }
  if (!reader) {
    return content_missing(*found);  // NotFound: stored nowhere
  }
  return Download{std::move(*found), std::move(*reader), std::nullopt};
}

}  // namespace castor
