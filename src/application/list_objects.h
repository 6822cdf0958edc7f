#pragma once

#include <optional>
#include <string>
#include <vector>

#include "application/ports/metadata_store.h"
#include "domain/object.h"

namespace castor {

// Lists the COMMITTED objects of a (namespace, tenant) with keyset pagination: each page ends with
// an opaque cursor naming its last (key, id), and the next page starts after it. Pages stay
// consistent under concurrent inserts and deletes (no OFFSET).
class ListObjects {
 public:
  static constexpr std::size_t kDefaultLimit = 100;
  static constexpr std::size_t kMaxLimit = 1000;

  struct Page {
    std::vector<Object> objects;
    std::optional<std::string> next_cursor;  // nullopt on the last page
  };

  explicit ListObjects(MetadataStore& metadata) : metadata_(metadata) {}

  // `limit` must be 1..kMaxLimit and `cursor` one this use case produced; InvalidArgument
  // otherwise. Blocking.
  Result<Page> list(const Namespace& ns, const TenantId& tenant, std::string prefix,
                    std::size_t limit, const std::optional<std::string>& cursor);

  // The cursor format: hex of the key bytes, '.', the object id.
  static std::string encode_cursor(const ListCursor& cursor);
  static Result<ListCursor> decode_cursor(std::string_view text);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
