#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "application/ports/object_repository.h"
#include "domain/error.h"
#include "domain/object.h"

namespace castor {

// What a search may order by (POST /v1/objects/search "sort_by"); ties are broken by id.
enum class SearchSort { kKey, kCreatedAt, kUpdatedAt, kSizeBytes, kContentType };

// The filters of a search (docs/SEARCH.md). Every present filter must hold (AND); an absent one
// does not restrict. Only COMMITTED objects of `tenant` are ever considered.
struct SearchFilter {
  TenantId tenant;
  std::optional<Namespace> ns = {};              // all the tenant's namespaces when absent
  std::optional<std::string> key_prefix = {};    // key starts with these bytes (keyless: never)
  std::optional<std::string> key_contains = {};  // key holds this substring, case-sensitively
  std::optional<std::string> content_type = {};  // equal
  std::optional<StorageClass> storage_class = {};
  std::optional<std::uint64_t> size_min = {};  // bytes, inclusive
  std::optional<std::uint64_t> size_max = {};  // bytes, inclusive
  std::optional<Timestamp> created_from = {};  // inclusive
  std::optional<Timestamp> created_to = {};    // exclusive
  std::optional<Timestamp> updated_from = {};  // inclusive
  std::optional<Timestamp> updated_to = {};    // exclusive
  // A JSON object (serialized, valid JSON) the metadata must contain (PostgreSQL jsonb @>).
  std::optional<std::string> metadata = {};
  // Case-insensitive substring of the key and the metadata's JSON text.
  std::optional<std::string> text = {};
};

// Where a search page resumes: the sort column's value of the last row, as text (the key bytes,
// empty for keyless objects; created_at/updated_at in microseconds since the epoch; size_bytes
// in decimal; the content type), and its id.
struct SearchAfter {
  std::string value;
  ObjectId id;
};

struct SearchQuery {
  SearchFilter filter;
  SearchSort sort = SearchSort::kKey;
  bool descending = false;
  std::size_t limit = 100;
  std::optional<SearchAfter> after;  // rows strictly after it in (sort value, id) order
};

// The objects table's search and alternative listings, through one transaction (see
// MetadataStore). Not thread-safe; must not outlive its transaction. Infrastructure failures are
// Unavailable, Aborted or Internal, as for ObjectRepository.
class ObjectSearchRepository {
 public:
  virtual ~ObjectSearchRepository() = default;

  // Up to query.limit objects matching the filter, in (sort value, id) order, ascending or
  // descending as asked, after query.after.
  virtual Result<std::vector<Object>> search(const SearchQuery& query) = 0;
  // How many objects match the filter (no cursor, no limit).
  virtual Result<std::uint64_t> count(const SearchFilter& filter) = 0;

  // A page of ListQuery in natural order: keys compared by the castor_natural collation (digit
  // runs as numbers: "file2" before "file10"), then by id. query.after names the last (key, id).
  virtual Result<std::vector<Object>> list_natural(const ListQuery& query) = 0;
  // Up to `limit` COMMITTED objects of `tenant` whose content hash is `hash` (any namespace,
  // any storage class), in id order, after `after` when given.
  virtual Result<std::vector<Object>> list_by_content(const TenantId& tenant,
                                                      const ContentHash& hash, std::size_t limit,
                                                      const std::optional<ObjectId>& after) = 0;
};

}  // namespace castor
