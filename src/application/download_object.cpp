#include "application/download_object.h"
#include "application/content_reader.h"

namespace castor {

namespace {
Error content_missing(const Object& object) {
  return {ErrorCode::kDataLoss, "content of object " + object.id().to_string() + " is missing"};
}
}  // namespace

Result<DownloadObject::Download> DownloadObject::by_id(const TenantId& tenant, const ObjectId& id,
                                                       bool want_content) {
  return find_and_open(tenant, want_content, [&](MetadataTransaction& tx) {
    return tx.objects().find(id, /*for_update=*/false);
  });
}

Result<DownloadObject::Download> DownloadObject::by_key(const Namespace& ns, const TenantId& tenant,
                                                        const ObjectKey& key, bool want_content) {
  return find_and_open(tenant, want_content, [&](MetadataTransaction& tx) {
    return tx.objects().find_by_key(ns, tenant, key, /*for_update=*/false);
  });
}

Result<DownloadObject::Download> DownloadObject::find_and_open(
    const TenantId& tenant, bool want_content,
    const std::function<Result<Object>(MetadataTransaction&)>& find) {
  // One read-only transaction finds the object and, for small content kept in its blob row, reads
  // the content too: a GET of a small object is one round trip of SQL. The content file, when
  // there is one, is opened meanwhile (a file open, not a read).
  Result<Object> found = not_found("no such object");
  std::unique_ptr<BlobReader> reader;
  bool present = false;
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        reader.reset();
        present = false;
        found = find(tx);
        if (!found || !found->visible() || found->tenant() != tenant) {
          return {};
        }
        const StorageClass storage_class = found->storage_class();
        const ContentHash& hash = *found->content_hash();
        if (!want_content) {
          auto there = content_present(tx, blobs_, storage_class, hash);
          if (!there) {
            return std::move(there).error();
          }
          present = *there;
          return {};
        }
        auto file = blobs_.open(storage_class, hash);
        if (file) {
          reader = std::move(*file);
          return {};
        }
        if (file.error().code != ErrorCode::kNotFound) {
          return std::move(file).error();
        }
        auto row = tx.blobs().inline_content(storage_class, hash);
        if (!row) {
          return std::move(row).error();
        }
        if (*row) {
          reader = memory_reader(std::move(**row));
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
  Download download{std::move(*found), std::move(reader)};
  if (!want_content) {
    if (!present) {
      return content_missing(download.object);
    }
    return download;
  }
  if (!download.content) {
    // A composite blob (its segments), or content that is gone.
    auto opened = open_content(metadata_, blobs_, download.object.storage_class(),
                               *download.object.content_hash());
    if (!opened) {
      if (opened.error().code == ErrorCode::kNotFound) {
        return content_missing(download.object);
      }
      return std::move(opened).error();
    }
    download.content = std::move(*opened);
  }
  return download;
}

}  // namespace castor
