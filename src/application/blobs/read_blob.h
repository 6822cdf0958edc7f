#pragma once

#include <memory>

#include "application/ports/blob_store.h"
#include "application/ports/metadata_store.h"
#include "domain/blob.h"
#include "domain/names.h"

namespace castor {

// Opens a blob for GET/HEAD /v1/blobs/{sha256}, if the tenant possesses it. Content the tenant
// does not possess is NotFound exactly like content nobody stored, so that knowing a hash is not
// enough to read another tenant's data, nor to learn that it exists.
class ReadBlob {
 public:
  struct Read {
    Blob blob;
    std::unique_ptr<BlobReader> content;  // null when opened with want_content = false
  };

  ReadBlob(MetadataStore& metadata, BlobStore& blobs) : metadata_(metadata), blobs_(blobs) {}

  // NotFound as above (also for a blob collected while it was being opened); DataLoss if the
  // content of a possessed blob is missing once any collection of it has settled. Blocking.
  Result<Read> open(const TenantId& tenant, StorageClass storage_class, const ContentHash& hash,
                    bool want_content);

 private:
  // One look; with `settle`, first waits for the content lock (a collection in progress).
  Result<Read> attempt(const TenantId& tenant, StorageClass storage_class, const ContentHash& hash,
                       bool want_content, bool settle);

  MetadataStore& metadata_;
  BlobStore& blobs_;
};

}  // namespace castor
