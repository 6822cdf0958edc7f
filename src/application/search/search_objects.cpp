#include "application/search/search_objects.h"

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "domain/hex.h"
#include "domain/utf8.h"

namespace castor {
namespace {

constexpr std::array<std::pair<std::string_view, SearchSort>, 5> kSorts{{
    {"key", SearchSort::kKey},
    {"created_at", SearchSort::kCreatedAt},
    {"updated_at", SearchSort::kUpdatedAt},
    {"size_bytes", SearchSort::kSizeBytes},
    {"content_type", SearchSort::kContentType},
}};

// FNV-1a, 64 bits: enough to tell query shapes apart (not a security boundary: a forged cursor
// can only name a position, and every filter is still applied).
class Fnv {
 public:
  void add(std::string_view tag, std::string_view bytes) {
    mix(tag);
    const std::string len = std::to_string(bytes.size()) + ":";
    mix(len);
    mix(bytes);
  }
  template <class T>
  void add(std::string_view tag, const std::optional<T>& v, auto to_text) {
    if (v) {
      add(tag, to_text(*v));
    } else {
      add(tag, "-");
    }
  }
  std::uint64_t value() const { return h_; }

 private:
  void mix(std::string_view bytes) {
    for (unsigned char c : bytes) {
      h_ ^= c;
      h_ *= 0x100000001b3ULL;
    }
  }
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

std::string hex_of(std::string_view s) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(s.data());
  return to_hex({bytes, s.size()});
}

std::string us_text(Timestamp t) { return std::to_string(t.time_since_epoch().count()); }

Status check_text(const char* name, const std::optional<std::string>& s, std::size_t max) {
  if (!s) {
    return {};
  }
  if (s->empty() || s->size() > max || !is_valid_utf8(*s) || s->find('\0') != std::string::npos) {
    return invalid_argument(std::string(name) + " must be 1.." + std::to_string(max) +
                            " bytes of UTF-8 without NUL");
  }
  return {};
}

// The sort value of `o` as SearchAfter::value.
std::string sort_value(SearchSort sort, const Object& o) {
  switch (sort) {
    case SearchSort::kKey:
      return o.key() ? o.key()->str() : "";
    case SearchSort::kCreatedAt:
      return us_text(o.created_at());
    case SearchSort::kUpdatedAt:
      return us_text(o.updated_at());
    case SearchSort::kSizeBytes:
      return std::to_string(o.size_bytes());
    case SearchSort::kContentType:
      return o.content_type();
  }
  return "";
}

bool is_integer(std::string_view s) {
  std::int64_t n = 0;
  auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), n);
  return err == std::errc() && end == s.data() + s.size() && !s.empty();
}

}  // namespace

std::optional<SearchSort> SearchObjects::parse_sort(std::string_view name) {
  for (const auto& [n, s] : kSorts) {
    if (n == name) {
      return s;
    }
  }
  return std::nullopt;
}

std::string_view SearchObjects::sort_name(SearchSort sort) {
  for (const auto& [n, s] : kSorts) {
    if (s == sort) {
      return n;
    }
  }
  return "key";
}

std::uint64_t SearchObjects::shape(const Request& r) {
  const SearchFilter& f = r.filter;
  auto str = [](const std::string& s) { return s; };
  auto num = [](std::uint64_t n) { return std::to_string(n); };
  Fnv h;
  h.add("v", "1");
  h.add("tenant", f.tenant.str());
  h.add("ns", f.ns, [](const Namespace& n) { return n.str(); });
  h.add("prefix", f.key_prefix, str);
  h.add("contains", f.key_contains, str);
  h.add("type", f.content_type, str);
  h.add("class", f.storage_class, [](StorageClass c) { return std::string(to_string(c)); });
  h.add("smin", f.size_min, num);
  h.add("smax", f.size_max, num);
  h.add("cfrom", f.created_from, us_text);
  h.add("cto", f.created_to, us_text);
  h.add("ufrom", f.updated_from, us_text);
  h.add("uto", f.updated_to, us_text);
  h.add("meta", f.metadata, str);
  h.add("text", f.text, str);
  h.add("sort", sort_name(r.sort));
  h.add("dir", r.descending ? "desc" : "asc");
  return h.value();
}

std::string SearchObjects::encode_cursor(const Request& request, const Object& last) {
  char shape_hex[17];
  std::snprintf(shape_hex, sizeof shape_hex, "%016llx",
                static_cast<unsigned long long>(shape(request)));
  return std::string(shape_hex) + "." + hex_of(sort_value(request.sort, last)) + "." +
         last.id().to_string();
}

Result<SearchAfter> SearchObjects::decode_cursor(const Request& request, std::string_view text) {
  const auto first = text.find('.');
  const auto second = first == std::string_view::npos ? first : text.find('.', first + 1);
  if (second == std::string_view::npos || first != 16) {
    return invalid_argument("malformed cursor");
  }
  char shape_hex[17];
  std::snprintf(shape_hex, sizeof shape_hex, "%016llx",
                static_cast<unsigned long long>(shape(request)));
  if (text.substr(0, 16) != shape_hex) {
    return invalid_argument(
        "cursor belongs to another query (filters, tenant, sort_by and sort_direction must stay "
        "the same across pages)");
  }
  const std::string_view value_hex = text.substr(first + 1, second - first - 1);
  std::string value(value_hex.size() / 2, '\0');
  if (value_hex.size() % 2 != 0 ||
      !from_hex(value_hex, {reinterpret_cast<std::uint8_t*>(value.data()), value.size()})) {
    return invalid_argument("malformed cursor");
  }
  auto id = ObjectId::parse(text.substr(second + 1));
  if (!id) {
    return invalid_argument("malformed cursor");
  }
  // The value is compared in SQL: it must be what PostgreSQL takes for the sort column.
  const bool numeric = request.sort == SearchSort::kCreatedAt ||
                       request.sort == SearchSort::kUpdatedAt ||
                       request.sort == SearchSort::kSizeBytes;
  if (numeric ? !is_integer(value)
              : (!is_valid_utf8(value) || value.find('\0') != std::string::npos)) {
    return invalid_argument("malformed cursor");
  }
  return SearchAfter{std::move(value), *id};
}

Result<SearchObjects::Page> SearchObjects::search(const Request& request) {
  if (request.limit < 1 || request.limit > kMaxLimit) {
    return invalid_argument("limit must be between 1 and 1000");
  }
  const SearchFilter& f = request.filter;
  for (const auto& [name, s] :
       {std::pair{"key_prefix", &f.key_prefix}, std::pair{"key_contains", &f.key_contains},
        std::pair{"content_type", &f.content_type}, std::pair{"query", &f.text}}) {
    if (auto st = check_text(name, *s, kMaxFilterText); !st) {
      return std::move(st).error();
    }
  }
  if (auto st = check_text("metadata", f.metadata, kMaxMetadataJson); !st) {
    return std::move(st).error();
  }
  if (f.size_min && f.size_max && *f.size_min > *f.size_max) {
    return invalid_argument("size_range: min is greater than max");
  }
  if (f.created_from && f.created_to && *f.created_from > *f.created_to) {
    return invalid_argument("created_at_range: from is after to");
  }
  if (f.updated_from && f.updated_to && *f.updated_from > *f.updated_to) {
    return invalid_argument("updated_at_range: from is after to");
  }
  SearchQuery query{f, request.sort, request.descending, request.limit + 1, std::nullopt};
  if (request.cursor) {
    auto after = decode_cursor(request, *request.cursor);
    if (!after) {
      return std::move(after).error();
    }
    query.after = std::move(*after);
  }
  Page page;
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        auto objects = tx.search().search(query);
        if (!objects) {
          return std::move(objects).error();
        }
        page.objects = std::move(*objects);
        if (request.count) {
          auto total = tx.search().count(f);
          if (!total) {
            return std::move(total).error();
          }
          page.total = *total;
        }
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  // One more row than asked for tells whether another page follows.
  if (page.objects.size() > request.limit) {
    page.objects.erase(page.objects.begin() + static_cast<std::ptrdiff_t>(request.limit),
                       page.objects.end());
    page.next_cursor = encode_cursor(request, page.objects.back());
  }
  return page;
}

}  // namespace castor
