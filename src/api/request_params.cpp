#include "api/request_params.h"

#include <charconv>
#include <vector>

#include "domain/hex.h"
#include "domain/utf8.h"

namespace castor::http_params {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits a comma-separated header list into trimmed, non-empty items.
std::vector<std::string_view> split_list(std::string_view header) {
  std::vector<std::string_view> items;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    if (!item.empty()) {
      items.push_back(item);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    header.remove_prefix(comma + 1);
  }
  return items;
}

std::string_view opaque_tag(std::string_view tag) {
  if (tag.starts_with("W/")) {
    tag.remove_prefix(2);
  }
  return tag;
}

// `text` for an error message: bytes outside printable ASCII become '?'.
std::string sanitized(std::string_view text) {
  std::string out(text.substr(0, 64));
  for (char& c : out) {
    if (c < ' ' || c >= '\x7f') {
      c = '?';
    }
  }
  return out;
}

}  // namespace

std::optional<std::uint64_t> parse_digits(std::string_view s) {
  std::uint64_t v = 0;
  if (s.empty()) {
    return std::nullopt;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

Result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return invalid_argument("truncated percent-escape");
      }
      auto hi = hex_digit(text[i + 1]);
      auto lo = hex_digit(text[i + 2]);
      if (!hi || !lo) {
        return invalid_argument("bad percent-escape");
      }
      out.push_back(static_cast<char>(*hi << 4 | *lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> Target::get(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) {
    return std::nullopt;
  }
  return it->second;
}

Result<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return invalid_argument("request target must be an absolute path");
  }
  for (char c : target) {
    if (c <= ' ' || c >= '\x7f') {
      return invalid_argument("request target must be printable ASCII (percent-encode the rest)");
    }
  }
  Target t;
  const auto question = target.find('?');
  t.path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) {
    return t;
  }
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      auto name = percent_decode(pair.substr(0, eq), true);
      auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (!name || !value) {
        return invalid_argument("malformed query string");
      }
      // Parameters are text: they reach PostgreSQL, which takes only UTF-8 without NUL.
      if (!is_valid_utf8(*name) || !is_valid_utf8(*value) ||
          name->find('\0') != std::string::npos || value->find('\0') != std::string::npos) {
        return invalid_argument("query parameter '" + sanitized(*name) +
                                "' is not valid UTF-8 text");
      }
      t.query.emplace(std::move(*name), std::move(*value));
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return t;
}

RangeDecision decide_range(std::optional<std::string_view> range_header, std::uint64_t size) {
  if (!range_header) {
    return {};
  }
  std::string_view spec = trim(*range_header);
  if (!spec.starts_with("bytes=")) {
    return {};  // unknown unit: ignore (RFC 9110 section 14.2)
  }
  spec.remove_prefix(6);
  const auto items = split_list(spec);
  if (items.size() != 1) {
    return {};  // several ranges: we serve the whole representation instead
  }
  std::string_view item = items[0];
  const auto dash = item.find('-');
  if (dash == std::string_view::npos) {
    return {};
  }
  const auto first = trim(item.substr(0, dash));
  const auto last = trim(item.substr(dash + 1));
  RangeDecision d;
  if (first.empty()) {  // suffix range: the last N bytes
    auto n = parse_digits(last);
    if (!n) {
      return {};
    }
    if (*n == 0 || size == 0) {
      d.kind = RangeDecision::kUnsatisfiable;
      return d;
    }
    d.kind = RangeDecision::kPartial;
    d.range = {size - std::min(*n, size), size - 1};
    return d;
  }
  auto a = parse_digits(first);
  if (!a) {
    return {};
  }
  std::optional<std::uint64_t> b;
  if (!last.empty()) {
    b = parse_digits(last);
    if (!b || *b < *a) {
      return {};  // invalid range-spec: ignore the header
    }
  }
  if (*a >= size) {
    d.kind = RangeDecision::kUnsatisfiable;
    return d;
  }
  d.kind = RangeDecision::kPartial;
  d.range = {*a, b ? std::min(*b, size - 1) : size - 1};
  return d;
}

bool if_none_match_matches(std::string_view header, std::string_view etag) {
  for (std::string_view tag : split_list(header)) {
    if (tag == "*" || opaque_tag(tag) == opaque_tag(etag)) {
      return true;
    }
  }
  return false;
}

bool if_range_matches(std::string_view header, std::string_view etag) {
  header = trim(header);
  return !header.starts_with("W/") && header == etag;
}

bool is_sane_request_id(std::string_view text) {
  if (text.empty() || text.size() > 64) {
    return false;
  }
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace castor::http_params
