#include "application/bundles/download_bundle.h"

#include <utility>
#include <vector>
#include "application/content_reader.h"

namespace castor {

Result<DownloadBundle::Download> DownloadBundle::open(const TenantId& tenant, const BundleId& id,
                                                      ArchiveFormat format) {
  auto found =
      read_only(metadata_, [&](MetadataTransaction& tx) { return tx.bundles().find(tenant, id); });
  if (!found) {
    return std::move(found).error();
  }
  if (!*found) {
    return not_found("no such bundle");
  }
  Bundle& bundle = **found;
  std::vector<ArchiveEntry> entries;
  entries.reserve(bundle.files.size());
  for (BundleFile& f : bundle.files) {
    entries.push_back(ArchiveEntry{.path = std::move(f.path),
                                   .mode = f.mode,
                                   .size_bytes = f.size_bytes,
                                   .modified_at = bundle.summary.created_at,
                                   .hash = std::move(f.hash)});
  }
  const StorageClass storage_class = bundle.summary.storage_class;
  BlobStore& blobs = blobs_;
  MetadataStore& metadata = metadata_;
  auto archive =
      archiver_.open(format, std::move(entries),
                     [&metadata, &blobs,
                      storage_class](const ArchiveEntry& e) -> Result<std::unique_ptr<BlobReader>> {
                       auto reader = open_content(metadata, blobs, storage_class, e.hash);
                       if (!reader && reader.error().code == ErrorCode::kNotFound) {
                         return Error{ErrorCode::kDataLoss, "content of " + e.path + " is missing"};
                       }
                       return reader;
                     });
  if (!archive) {
    return std::move(archive).error();
  }
  return Download{std::move(bundle.summary), std::move(*archive)};
}

}  // namespace castor
