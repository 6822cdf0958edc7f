#include "api/search_json.h"

#include <cstdint>
#include <initializer_list>
#include <utility>

#include <boost/json.hpp>

#include "api/http_date.h"
#include "api/json_views.h"

namespace castor::api {
namespace json = boost::json;
namespace {

Error field_error(std::string_view field, std::string_view what) {
  return invalid_argument(std::string(field) + ": " + std::string(what));
}

// InvalidArgument naming the first member of `o` that is not in `known`.
Status only_known(const json::object& o, std::initializer_list<std::string_view> known,
                  std::string_view where) {
  for (const auto& member : o) {
    bool ok = false;
    for (std::string_view k : known) {
      ok = ok || member.key() == k;
    }
    if (!ok) {
      return invalid_argument("unknown field '" + std::string(where) + std::string(member.key()) +
                              "'");
    }
  }
  return {};
}

// The member `name` of `o` when present and not null.
const json::value* member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v == nullptr || v->is_null() ? nullptr : v;
}

Result<std::optional<std::string>> string_field(const json::object& o, std::string_view name) {
  const json::value* v = member(o, name);
  if (v == nullptr) {
    return std::optional<std::string>();
  }
  if (!v->is_string()) {
    return field_error(name, "must be a string");
  }
  return std::optional<std::string>(std::string(v->as_string()));
}

// A non-negative integer that fits in int64 (PostgreSQL's bigint).
std::optional<std::uint64_t> as_count(const json::value& v) {
  if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return v.as_uint64();
  }
  if (v.is_int64() && v.as_int64() >= 0) {
    return static_cast<std::uint64_t>(v.as_int64());
  }
  return std::nullopt;
}

// Parses {"<lo>": .., "<hi>": ..} (both optional) with `one` into lo and hi.
template <class T, class F>
Status range_field(const json::object& o, std::string_view name, std::string_view lo_name,
                   std::string_view hi_name, std::optional<T>& lo, std::optional<T>& hi, F one) {
  const json::value* v = member(o, name);
  if (v == nullptr) {
    return {};
  }
  if (!v->is_object()) {
    return field_error(name, "must be an object");
  }
  const json::object& r = v->as_object();
  const std::string where = std::string(name) + ".";
  if (auto s = only_known(r, {lo_name, hi_name}, where); !s) {
    return s;
  }
  for (auto [end, out] : {std::pair{lo_name, &lo}, std::pair{hi_name, &hi}}) {
    if (const json::value* e = member(r, end)) {
      *out = one(*e);
      if (!*out) {
        return field_error(where + std::string(end), "is not valid");
      }
    }
  }
  return {};
}

}  // namespace

Result<SearchBody> parse_search_request(std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    return invalid_argument("the body must be a JSON object");
  }
  const json::object& o = parsed.as_object();
  if (auto s =
          only_known(o,
                     {"namespace", "tenant_id", "key_prefix", "key_contains", "content_type",
                      "storage_class", "size_range", "created_at_range", "updated_at_range",
                      "metadata", "query", "sort_by", "sort_direction", "limit", "cursor", "count"},
                     "");
      !s) {
    return std::move(s).error();
  }
  // The filter's tenant is a placeholder here: the handler sets it (the body's, or the
  // credential's) before authorising.
  SearchBody out{.request = {.filter = {.tenant = *TenantId::parse("0")}}, .tenant = {}};
  SearchObjects::Request& r = out.request;
  SearchFilter& f = r.filter;
  // Strings first; then those that must parse further.
  for (auto [name, dest] :
       {std::pair{"key_prefix", &f.key_prefix}, std::pair{"key_contains", &f.key_contains},
        std::pair{"content_type", &f.content_type}, std::pair{"query", &f.text},
        std::pair{"cursor", &r.cursor}}) {
    auto s = string_field(o, name);
    if (!s) {
      return std::move(s).error();
    }
    *dest = std::move(*s);
  }
  auto ns = string_field(o, "namespace");
  auto tenant = string_field(o, "tenant_id");
  auto cls = string_field(o, "storage_class");
  auto sort_by = string_field(o, "sort_by");
  auto dir = string_field(o, "sort_direction");
  for (auto* s : {&ns, &tenant, &cls, &sort_by, &dir}) {
    if (!*s) {
      return s->error();
    }
  }
  if (*ns) {
    auto n = Namespace::parse(**ns);
    if (!n) {
      return field_error("namespace", n.error().message);
    }
    f.ns = std::move(*n);
  }
  if (*tenant) {
    auto t = TenantId::parse(**tenant);
    if (!t) {
      return field_error("tenant_id", t.error().message);
    }
    out.tenant = std::move(*t);
  }
  if (*cls) {
    auto c = parse_storage_class(**cls);
    if (!c) {
      return field_error("storage_class", c.error().message);
    }
    f.storage_class = *c;
  }
  if (*sort_by) {
    auto sort = SearchObjects::parse_sort(**sort_by);
    if (!sort) {
      return field_error("sort_by",
                         "must be key, created_at, updated_at, size_bytes or content_type");
    }
    r.sort = *sort;
  }
  if (*dir) {
    if (**dir != "asc" && **dir != "desc") {
      return field_error("sort_direction", "must be asc or desc");
    }
    r.descending = **dir == "desc";
  }
  if (auto s = range_field(o, "size_range", "min", "max", f.size_min, f.size_max, as_count); !s) {
    return std::move(s).error();
  }
  auto time = [](const json::value& v) -> std::optional<Timestamp> {
    return v.is_string() ? http_params::parse_rfc3339(std::string_view(v.as_string()))
                         : std::nullopt;
  };
  if (auto s = range_field(o, "created_at_range", "from", "to", f.created_from, f.created_to, time);
      !s) {
    return std::move(s).error();
  }
  if (auto s = range_field(o, "updated_at_range", "from", "to", f.updated_from, f.updated_to, time);
      !s) {
    return std::move(s).error();
  }
  if (const json::value* m = member(o, "metadata")) {
    if (!m->is_object()) {
      return field_error("metadata", "must be a JSON object (matched by containment)");
    }
    f.metadata = json::serialize(*m);
  }
  if (const json::value* l = member(o, "limit")) {
    auto n = as_count(*l);
    if (!n) {
      return field_error("limit", "must be an integer between 1 and 1000");
    }
    // Out-of-range values are SearchObjects' to refuse; keep them out of range.
    r.limit =
        *n > SearchObjects::kMaxLimit ? SearchObjects::kMaxLimit + 1 : static_cast<std::size_t>(*n);
  }
  if (const json::value* c = member(o, "count")) {
    if (!c->is_bool()) {
      return field_error("count", "must be true or false");
    }
    r.count = c->as_bool();
  }
  return out;
}

std::string search_page_json(const SearchObjects::Page& page) {
  // The objects exactly as object_json renders them (GET /v1/objects lists the same).
  std::string out = "{\"objects\":[";
  for (std::size_t i = 0; i < page.objects.size(); ++i) {
    out += (i == 0 ? "" : ",") + object_json(page.objects[i]);
  }
  out += "],\"next_cursor\":";
  out += page.next_cursor ? json::serialize(json::value(*page.next_cursor)) : "null";
  if (page.total) {
    out += ",\"total\":" + std::to_string(*page.total);
  }
  return out + "}";
}

}  // namespace castor::api
