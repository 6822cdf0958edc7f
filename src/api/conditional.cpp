#include "api/conditional.h"

#include <chrono>

namespace castor::http_params {
namespace {

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_ows(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// A present, non-blank field value; blank ones count as absent (see Preconditions).
std::optional<std::string_view> present(const std::optional<std::string>& field) {
  if (!field) {
    return std::nullopt;
  }
  std::string_view v = trim(*field);
  if (v.empty()) {
    return std::nullopt;
  }
  return v;
}

// One member of an entity-tag list (RFC 9110 sections 5.6.1 and 8.8.3).
struct TagItem {
  bool star = false;
  bool weak = false;
  std::string_view opaque;  // without the quotes
};

// Reads the next member of `list` into `item`, consuming it and the separators before it; false
// at the end. A quoted tag runs to its closing quote (commas inside belong to it); a member that
// is malformed (an unclosed quote) ends the list, as nothing after it can be delimited reliably.
bool next_tag(std::string_view& list, TagItem& item) {
  while (!list.empty() && (is_ows(list.front()) || list.front() == ',')) {
    list.remove_prefix(1);
  }
  if (list.empty()) {
    return false;
  }
  item = TagItem{};
  if (list.starts_with("W/")) {
    item.weak = true;
    list.remove_prefix(2);
  }
  if (list.starts_with('"')) {
    const auto close = list.find('"', 1);
    if (close == std::string_view::npos) {
      list = {};
      return false;
    }
    item.opaque = list.substr(1, close - 1);
    list.remove_prefix(close + 1);
    return true;
  }
  // A bare token (lenient: some S3 clients send the ETag unquoted), or "*".
  std::size_t end = 0;
  while (end < list.size() && list[end] != ',' && !is_ows(list[end])) {
    ++end;
  }
  const std::string_view token = list.substr(0, end);
  list.remove_prefix(end);
  item.star = !item.weak && token == "*";
  item.opaque = token;
  return true;
}

// Whether the representation was modified after `date` (a valid HTTP-date), comparing whole
// seconds; nullopt when the field value is not a valid HTTP-date (the condition is then ignored).
std::optional<bool> modified_since(std::string_view field, Timestamp last_modified) {
  const auto date = parse_http_date(field);
  if (!date) {
    return std::nullopt;
  }
  return std::chrono::floor<std::chrono::seconds>(last_modified) > *date;
}

}  // namespace

bool etag_list_matches(std::string_view field_value, std::string_view etag, bool strong) {
  TagItem item;
  while (next_tag(field_value, item)) {
    if (item.star) {
      return true;
    }
    if (strong && item.weak) {
      continue;  // strong comparison: a weak tag never matches
    }
    if (item.opaque == etag) {
      return true;
    }
  }
  return false;
}

PreconditionResult evaluate_preconditions(const Preconditions& p,
                                          const std::optional<Validators>& current, bool safe) {
  // Step 1 / 2.
  if (const auto if_match = present(p.if_match)) {
    if (!current || !etag_list_matches(*if_match, current->etag, /*strong=*/true)) {
      return PreconditionResult::kFailed;
    }
  } else if (const auto ius = present(p.if_unmodified_since); ius && current) {
    if (modified_since(*ius, current->last_modified) == true) {
      return PreconditionResult::kFailed;
    }
  }
  // Step 3 / 4.
  if (const auto inm = present(p.if_none_match)) {
    if (current && etag_list_matches(*inm, current->etag, /*strong=*/false)) {
      return safe ? PreconditionResult::kNotModified : PreconditionResult::kFailed;
    }
  } else if (const auto ims = present(p.if_modified_since); ims && current && safe) {
    if (modified_since(*ims, current->last_modified) == false) {
      return PreconditionResult::kNotModified;
    }
  }
  return PreconditionResult::kProceed;
}

}  // namespace castor::http_params
