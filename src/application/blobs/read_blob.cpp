#include "application/blobs/read_blob.h"

#include "application/content_reader.h"

namespace castor {

Result<ReadBlob::Read> ReadBlob::open(const TenantId& tenant, StorageClass storage_class,
                                      const ContentHash& hash, bool want_content) {
  auto read = attempt(tenant, storage_class, hash, want_content, /*settle=*/false);
  if (read || read.error().code != ErrorCode::kDataLoss) {
    return read;
  }
  // The row was there and the content was not: a collection may be deleting both (it removes the
  // file before its transaction deletes the row). Wait for it under the content lock, then look
  // again: a blob collected meanwhile is simply gone (404), not lost.
  return attempt(tenant, storage_class, hash, want_content, /*settle=*/true);
}

Result<ReadBlob::Read> ReadBlob::attempt(const TenantId& tenant, StorageClass storage_class,
                                         const ContentHash& hash, bool want_content, bool settle) {
  auto find = [&](MetadataTransaction& tx) -> Result<std::optional<Blob>> {
    if (settle) {
      if (auto s = tx.lock_content(storage_class, hash); !s) {
        return std::move(s).error();
      }
    }
    return tx.blobs().find_held(tenant, storage_class, hash);
  };
  std::optional<Blob> held;
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        auto found = find(tx);
        if (!found) {
          return std::move(found).error();
        }
        held = std::move(*found);
        return {};
      },
      settle ? MetadataStore::Mode::kReadWrite : MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  if (!held) {
    return not_found("no such blob");
  }
  Read read{std::move(*held), nullptr};
  const Error lost{ErrorCode::kDataLoss, "content of blob " + hash.hex() + " is missing"};
  if (!want_content) {
    auto present = content_present(metadata_, blobs_, storage_class, hash);
    if (!present) {
      return std::move(present).error();
    }
    if (!*present) {
      return lost;
    }
    return read;
  }
  auto reader = open_content(metadata_, blobs_, storage_class, hash);
  if (!reader) {
    if (reader.error().code == ErrorCode::kNotFound) {
      return lost;
    }
    return std::move(reader).error();
  }
  read.content = std::move(*reader);
  return read;
}

}  // namespace castor
