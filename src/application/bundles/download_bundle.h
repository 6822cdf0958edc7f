#pragma once

#include <memory>

#include "application/ports/archiver.h"
#include "application/ports/blob_store.h"
#include "application/ports/metadata_store.h"
#include "domain/bundle.h"

namespace castor {

// GET /v1/bundles/{id}/download: a bundle as one archive (ZIP or tar), produced while it is sent.
// The entries are the bundle's files sorted by path, with their modes, dated at the bundle's
// creation. Each entry's content is opened when the archive reaches it; a bundle deleted (and its
// content collected) during the download cuts it short with an error from ArchiveStream::read.
class DownloadBundle {
 public:
  struct Download {
    BundleSummary summary;
    std::unique_ptr<ArchiveStream> archive;
  };

  DownloadBundle(MetadataStore& metadata, BlobStore& blobs, Archiver& archiver)
      : metadata_(metadata), blobs_(blobs), archiver_(archiver) {}

  // NotFound if the tenant has no such bundle; the archiver's errors. Blocking (reads the
  // manifest); the stream's reads block on the disk.
  Result<Download> open(const TenantId& tenant, const BundleId& id, ArchiveFormat format);

 private:
  MetadataStore& metadata_;
  BlobStore& blobs_;
  Archiver& archiver_;
};

}  // namespace castor
