#include "application/blobs/preflight_blobs.h"

#include <set>
#include <string>

namespace castor {

Result<std::vector<ContentHash>> PreflightBlobs::missing(const TenantId& tenant,
                                                         StorageClass storage_class,
                                                         const std::vector<ContentHash>& hashes) {
  if (hashes.empty() || hashes.size() > kMaxHashes) {
    return invalid_argument("hashes must list 1 to " + std::to_string(kMaxHashes) + " hashes");
  }
  std::vector<ContentHash> distinct;
  std::set<ContentHash> seen;
  for (const ContentHash& h : hashes) {
    if (seen.insert(h).second) {
      distinct.push_back(h);
    }
  }
  auto absent = read_only(metadata_, [&](MetadataTransaction& tx) {
    return tx.blobs().not_held(tenant, storage_class, distinct);
  });
  if (!absent) {
    return std::move(absent).error();
  }
  const std::set<ContentHash> not_held(absent->begin(), absent->end());
  std::vector<ContentHash> out;
  for (ContentHash& h : distinct) {
    if (not_held.contains(h)) {
      out.push_back(std::move(h));
    }
  }
  return out;
}

}  // namespace castor
