#include "application/blobs/read_blob.h"
#include "application/content_reader.h"

namespace castor {

Result<ReadBlob::Read> ReadBlob::open(const TenantId& tenant, StorageClass storage_class,
                                      const ContentHash& hash, bool want_content) {
  auto held = read_only(metadata_, [&](MetadataTransaction& tx) {
    return tx.blobs().find_held(tenant, storage_class, hash);
  });
  if (!held) {
    return std::move(held).error();
  }
  if (!*held) {
    return not_found("no such blob");
  }
  Read read{std::move(**held), nullptr};
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
