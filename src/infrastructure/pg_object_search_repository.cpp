#include "infrastructure/pg_object_search_repository.h"

#include <string>
#include <vector>

#include "domain/object_key.h"
#include "infrastructure/pg_errors.h"
#include "infrastructure/pg_object_repository.h"

namespace castor {
namespace {

constexpr const char* kNilId = "00000000-0000-0000-0000-000000000000";

std::string us_text(Timestamp t) { return std::to_string(t.time_since_epoch().count()); }

// `text` with LIKE's metacharacters escaped (backslash is the default escape character).
std::string like_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

// A WHERE clause under construction: fixed SQL fragments, every value bound as a parameter.
class Where {
 public:
  // The placeholder ("$n") of a new parameter holding `value`.
  std::string param(std::string value) {
    params_.push_back(std::move(value));
    return "$" + std::to_string(params_.size());
  }
  void add(const std::string& condition) { sql_ += (sql_.empty() ? "" : " AND ") + condition; }
  const std::string& sql() const { return sql_; }
  const std::vector<std::string>& params() const { return params_; }

 private:
  std::string sql_;
  std::vector<std::string> params_;
};

void add_filter(Where& w, const SearchFilter& f) {
  w.add("tenant_id = " + w.param(f.tenant.str()));
  w.add("status = 'COMMITTED'");
  if (f.ns) {
    w.add("namespace = " + w.param(f.ns->str()));
  }
  if (f.key_prefix) {
    // A key range: an index condition of objects_listing when the namespace is known.
    w.add("COALESCE(key, '') >= " + w.param(*f.key_prefix));
    if (auto end = key_prefix_end(*f.key_prefix)) {
      w.add("COALESCE(key, '') < " + w.param(*end));
    }
    if (!f.ns) {
      // Across namespaces: the trigram index answers an anchored LIKE.
      w.add("key LIKE " + w.param(like_escape(*f.key_prefix) + "%"));
    }
  }
  if (f.key_contains) {
    w.add("key LIKE " + w.param("%" + like_escape(*f.key_contains) + "%"));
  }
  if (f.content_type) {
    w.add("content_type = " + w.param(*f.content_type));
  }
  if (f.storage_class) {
    w.add("storage_class = " + w.param(std::string(to_string(*f.storage_class))));
  }
  if (f.size_min) {
    w.add("size_bytes >= " + w.param(std::to_string(*f.size_min)) + "::bigint");
  }
  if (f.size_max) {
    w.add("size_bytes <= " + w.param(std::to_string(*f.size_max)) + "::bigint");
  }
  if (f.created_from) {
    w.add("created_at >= castor_ts(" + w.param(us_text(*f.created_from)) + "::bigint)");
  }
  if (f.created_to) {
    w.add("created_at < castor_ts(" + w.param(us_text(*f.created_to)) + "::bigint)");
  }
  if (f.updated_from) {
    w.add("updated_at >= castor_ts(" + w.param(us_text(*f.updated_from)) + "::bigint)");
  }
  if (f.updated_to) {
    w.add("updated_at < castor_ts(" + w.param(us_text(*f.updated_to)) + "::bigint)");
  }
  if (f.metadata) {
    w.add("metadata @> " + w.param(*f.metadata) + "::jsonb");
  }
  if (f.text) {
    w.add("castor_search_text(key, metadata) ILIKE " + w.param("%" + like_escape(*f.text) + "%"));
  }
}

// The sort column's expression, and how a cursor's text value becomes one (given its $n).
struct SortColumn {
  const char* expr;
  std::string (*value)(const std::string& placeholder);
};

SortColumn sort_column(SearchSort sort) {
  switch (sort) {
    case SearchSort::kCreatedAt:
      return {"created_at", [](const std::string& p) { return "castor_ts(" + p + "::bigint)"; }};
    case SearchSort::kUpdatedAt:
      return {"updated_at", [](const std::string& p) { return "castor_ts(" + p + "::bigint)"; }};
    case SearchSort::kSizeBytes:
      return {"size_bytes", [](const std::string& p) { return p + "::bigint"; }};
    case SearchSort::kContentType:
      return {"content_type", [](const std::string& p) { return p; }};
    case SearchSort::kKey:
      break;
  }
  return {"COALESCE(key, '')", [](const std::string& p) { return p; }};
}

}  // namespace

void PgObjectSearchRepository::prepare(pqxx::connection& conn) {
  // Keyset pagination in natural order, through objects_natural: the same shape as object_list,
  // every key comparison under castor_natural.
  const std::string natural =
      std::string("SELECT ") + object_columns() +
      " FROM objects WHERE namespace = $1 AND tenant_id = $2 AND status = 'COMMITTED' "
      "AND (COALESCE(key, '') COLLATE castor_natural, id) > ($3 COLLATE castor_natural, "
      "$4::uuid) ";
  // objects.id, not id: the select list's "id" is id::text, which ORDER BY would pick (and sort
  // text, through no index).
  const std::string natural_order =
      "ORDER BY COALESCE(key, '') COLLATE castor_natural, objects.id LIMIT $5";
  conn.prepare("object_list_natural", natural + natural_order);
  // With a prefix: its byte range, and a lower bound in natural order (a key never sorts before
  // its own prefix). Natural order does not keep a byte prefix contiguous ("file1", "file2",
  // "file10" for the prefix "file1"), so the planner either reads the byte range through
  // objects_listing and sorts it (a small prefix), or walks objects_natural from the prefix on,
  // filtering (a large one). Without the lower bound it walked objects_natural from the start.
  const std::string prefix_from =
      "AND COALESCE(key, '') >= $6 "
      "AND COALESCE(key, '') COLLATE castor_natural >= $6 COLLATE castor_natural ";
  conn.prepare("object_list_natural_prefix",
               natural + prefix_from + "AND COALESCE(key, '') < $7 " + natural_order);
  conn.prepare("object_list_natural_prefix_open", natural + prefix_from + natural_order);
  // Through objects_tenant_content.
  conn.prepare("object_list_by_content",
               std::string("SELECT ") + object_columns() +
                   " FROM objects WHERE tenant_id = $1 AND content_hash = $2 "
                   "AND status = 'COMMITTED' AND id > $3::uuid ORDER BY objects.id LIMIT $4");
}

PgObjectSearchRepository::Statement PgObjectSearchRepository::search_statement(
    const SearchQuery& q) {
  Where w;
  add_filter(w, q.filter);
  const SortColumn col = sort_column(q.sort);
  if (q.after) {
    const std::string value = col.value(w.param(q.after->value));
    const std::string id = w.param(q.after->id.to_string()) + "::uuid";
    w.add(std::string("(") + col.expr + ", id) " + (q.descending ? "<" : ">") + " (" + value +
          ", " + id + ")");
  }
  const char* dir = q.descending ? " DESC" : "";
  std::string sql = std::string("SELECT ") + object_columns() + " FROM objects WHERE " + w.sql() +
                    " ORDER BY " + col.expr + dir + ", objects.id" + dir + " LIMIT " +
                    w.param(std::to_string(q.limit)) + "::bigint";
  return {std::move(sql), w.params()};
}

Result<std::vector<Object>> PgObjectSearchRepository::search(const SearchQuery& q) {
  return guarded([&]() -> Result<std::vector<Object>> {
    const Statement st = search_statement(q);
    return objects_from_rows(sql_.exec_dynamic("object_search", st.sql, st.params));
  });
}

Result<std::uint64_t> PgObjectSearchRepository::count(const SearchFilter& filter) {
  return guarded([&]() -> Result<std::uint64_t> {
    Where w;
    add_filter(w, filter);
    auto r = sql_.exec_dynamic("object_search_count",
                               "SELECT count(*) FROM objects WHERE " + w.sql(), w.params());
    return r[0][0].as<std::uint64_t>();
  });
}

Result<std::vector<Object>> PgObjectSearchRepository::list_natural(const ListQuery& q) {
  return guarded([&]() -> Result<std::vector<Object>> {
    const std::string after_key = q.after ? q.after->key : std::string();
    const std::string after_id = q.after ? q.after->id.to_string() : kNilId;
    if (q.prefix.empty()) {
      return objects_from_rows(sql_.exec("object_list_natural", q.ns.str(), q.tenant.str(),
                                         after_key, after_id, q.limit));
    }
    if (auto end = key_prefix_end(q.prefix)) {
      return objects_from_rows(sql_.exec("object_list_natural_prefix", q.ns.str(), q.tenant.str(),
                                         after_key, after_id, q.limit, q.prefix, *end));
    }
    return objects_from_rows(sql_.exec("object_list_natural_prefix_open", q.ns.str(),
                                       q.tenant.str(), after_key, after_id, q.limit, q.prefix));
  });
}

Result<std::vector<Object>> PgObjectSearchRepository::list_by_content(
    const TenantId& tenant, const ContentHash& hash, std::size_t limit,
    const std::optional<ObjectId>& after) {
  return guarded([&]() -> Result<std::vector<Object>> {
    return objects_from_rows(sql_.exec("object_list_by_content", tenant.str(), hash.hex(),
                                       after ? after->to_string() : std::string(kNilId), limit));
  });
}

}  // namespace castor
