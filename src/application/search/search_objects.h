#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "application/ports/metadata_store.h"
#include "application/ports/object_search_repository.h"
#include "domain/object.h"

namespace castor {

// POST /v1/objects/search below the handler (docs/SEARCH.md): a tenant's COMMITTED objects that
// match every given filter, in one of five orders, keyset-paginated (no OFFSET) with an opaque
// cursor that also names the query it belongs to. Blocking; thread-safe (each call has its own
// transaction). Whether the caller may read the tenant is the handler's business.
class SearchObjects {
 public:
  static constexpr std::size_t kDefaultLimit = 100;
  static constexpr std::size_t kMaxLimit = 1000;
  // Bounds on the strings a filter may hold (bytes): they are matched in SQL, not stored.
  static constexpr std::size_t kMaxFilterText = 1024;
  static constexpr std::size_t kMaxMetadataJson = 16 * 1024;

  struct Request {
    SearchFilter filter;
    SearchSort sort = SearchSort::kKey;
    bool descending = false;
    std::size_t limit = kDefaultLimit;
    std::optional<std::string> cursor = {};
    bool count = false;
  };

  struct Page {
    std::vector<Object> objects;
    std::optional<std::string> next_cursor;  // nullopt on the last page
    std::optional<std::uint64_t> total;      // only when Request::count: every match, exactly
  };

  explicit SearchObjects(MetadataStore& metadata) : metadata_(metadata) {}

  // InvalidArgument for a limit outside 1..kMaxLimit, an empty range (size_min > size_max, a
  // `from` after its `to`), a filter string that is empty, too long, not UTF-8 or holds NUL, or
  // a cursor that is malformed or was made for another query (other filters, tenant or order).
  Result<Page> search(const Request& request);

  // The cursor of the page that ends with `last` (exposed for tests): hex of the query's shape
  // hash, '.', hex of the sort value, '.', the id.
  static std::string encode_cursor(const Request& request, const Object& last);
  static Result<SearchAfter> decode_cursor(const Request& request, std::string_view text);
  // A hash of everything but limit, cursor and count: a cursor carries it, and is refused by a
  // query of another shape.
  static std::uint64_t shape(const Request& request);

  static std::optional<SearchSort> parse_sort(std::string_view name);
  static std::string_view sort_name(SearchSort sort);

 private:
  MetadataStore& metadata_;
};

}  // namespace castor
