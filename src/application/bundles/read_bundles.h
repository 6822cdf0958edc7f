#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "application/ports/metadata_store.h"
#include "domain/bundle.h"

namespace castor {

// GET /v1/bundles and GET /v1/bundles/{id}: a tenant's bundles, newest first, and one bundle's
// manifest. Another tenant's bundle is NotFound, like one that never existed.
class ReadBundles {
 public:
  static constexpr std::size_t kDefaultLimit = 100;
  static constexpr std::size_t kMaxLimit = 1000;

  struct Page {
    std::vector<BundleSummary> bundles;
    std::optional<std::string> next_cursor;  // nullopt on the last page
  };

  explicit ReadBundles(MetadataStore& metadata) : metadata_(metadata) {}

  // One page. `limit` must be 1..kMaxLimit and `cursor` one this use case produced;
  // InvalidArgument otherwise. Blocking.
  Result<Page> list(const TenantId& tenant, std::size_t limit,
                    const std::optional<std::string>& cursor);

  // The manifest (files sorted by path); NotFound. Blocking.
  Result<Bundle> get(const TenantId& tenant, const BundleId& id);

  // The opaque cursor after `summary`, and back.
  static std::string encode_cursor(const BundleCursor& cursor);
  static Result<BundleCursor> decode_cursor(std::string_view text);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
