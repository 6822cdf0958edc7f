#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/bundle.h"
#include "domain/error.h"

namespace castor {

// Where to resume a bundle listing: the last (created_at, id) of the previous page.
struct BundleCursor {
  Timestamp created_at;
  BundleId id;
};

// The references a bundle holds: each distinct content with how many of its files name it, in
// content-hash order.
using BundleReferences = std::vector<std::pair<ContentHash, std::uint64_t>>;

// The bundles and bundle_files tables, seen through one transaction (see MetadataStore). Not
// thread-safe; must not outlive its transaction. Infrastructure failures are returned as
// Unavailable, Aborted or Internal. Reference counts are the BlobRepository's business: these
// methods only write the bundle rows.
class BundleRepository {
 public:
  virtual ~BundleRepository() = default;

  // Stores a bundle with its files (`metadata`: a JSON object as text, or empty). AlreadyExists if
  // the id is taken.
  virtual Status insert(const BundleSummary& summary, const std::string& metadata,
                        const std::vector<BundleFile>& files) = 0;
  // Up to `limit` of the tenant's bundles, newest first ((created_at, id) descending), after
  // `after` when given. Does not lock.
  virtual Result<std::vector<BundleSummary>> list(const TenantId& tenant,
                                                  const std::optional<BundleCursor>& after,
                                                  std::size_t limit) = 0;
  // The tenant's bundle with its files sorted by path; nullopt if there is none (or it is another
  // tenant's). Does not lock.
  virtual Result<std::optional<Bundle>> find(const TenantId& tenant, const BundleId& id) = 0;
  // Deletes the tenant's bundle and its files and returns its storage class and the references
  // its files held; nullopt if there is no such bundle.
  struct Removed {
    StorageClass storage_class;
    BundleReferences references;
  };
  virtual Result<std::optional<Removed>> remove(const TenantId& tenant, const BundleId& id) = 0;
};

}  // namespace castor
