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

  // The order of a listing: key bytes (the default), or natural (the castor_natural collation:
  // digit runs compare as numbers, "file2" before "file10"; docs/SEARCH.md).
  enum class Order { kBytes, kNatural };

  struct Page {
    std::vector<Object> objects;
    std::optional<std::string> next_cursor;  // nullopt on the last page
    // With a delimiter: the keys' common prefixes (each ending with the delimiter), in order.
    std::vector<std::string> common_prefixes;
  };

  explicit ListObjects(MetadataStore& metadata) : metadata_(metadata) {}

  // `limit` must be 1..kMaxLimit and `cursor` one this use case produced; InvalidArgument
  // otherwise. Blocking.
  Result<Page> list(const Namespace& ns, const TenantId& tenant, std::string prefix,
                    std::size_t limit, const std::optional<std::string>& cursor,
                    Order order = Order::kBytes);

  // S3-style folders (ListS3 below): the keyed objects under `prefix` whose key holds no
  // `delimiter` after the prefix, and the common prefixes of those that do, together at most
  // `limit` per page, in key byte order. Keyless objects are not listed. The cursor is "d." and
  // the hex of the last key or common prefix of the page. InvalidArgument as list() does, and
  // for an empty delimiter.
  Result<Page> list_folders(const Namespace& ns, const TenantId& tenant, std::string prefix,
                            std::string delimiter, std::size_t limit,
                            const std::optional<std::string>& cursor);

  // The tenant's COMMITTED objects whose content hash is `hash`, in any namespace, in id order;
  // the cursor is the last id. InvalidArgument for a bad limit or cursor.
  Result<Page> list_by_content(const TenantId& tenant, const ContentHash& hash, std::size_t limit,
                               const std::optional<std::string>& cursor);

  // The cursor format: hex of the key bytes, '.', the object id.
  static std::string encode_cursor(const ListCursor& cursor);
  static Result<ListCursor> decode_cursor(std::string_view text);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
