#pragma once

#include <cstddef>
#include <vector>

#include "application/ports/metadata_store.h"
#include "domain/content_hash.h"
#include "domain/names.h"

namespace castor {

// POST /v1/blobs/preflight: which of a list of contents a tenant does not possess (and so must
// upload). Content that only other tenants stored counts as missing, so the answer never tells one
// tenant what another stores.
class PreflightBlobs {
 public:
  // Hashes per call.
  static constexpr std::size_t kMaxHashes = 10'000;

  explicit PreflightBlobs(MetadataStore& metadata) : metadata_(metadata) {}

  // The hashes among `hashes` that `tenant` does not possess in `storage_class`, in request order,
  // each once. InvalidArgument for no hashes or more than kMaxHashes. One query. Blocking.
  Result<std::vector<ContentHash>> missing(const TenantId& tenant, StorageClass storage_class,
                                           const std::vector<ContentHash>& hashes);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
