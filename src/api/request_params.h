#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.h"

// Pure functions over HTTP request parts (no Beast): target and query parsing, object parameters,
// Range and conditional headers (dates: api/http_date.h). Everything here is total: bad input gives
// InvalidArgument, never a crash.
namespace castor::http_params {

// A non-empty run of decimal digits as a number; nullopt for anything else (a sign, a space, an
// overflow).
std::optional<std::uint64_t> parse_digits(std::string_view s);

// Decodes %XX escapes (and '+' as space when `plus_is_space`, for query strings). InvalidArgument
// on a truncated or non-hex escape. The result may hold any byte, including NUL: callers validate.
Result<std::string> percent_decode(std::string_view text, bool plus_is_space);

// The path (still percent-encoded) and the decoded query parameters of a request target. A name
// given twice keeps its first value. InvalidArgument on a bad escape, a target not starting '/',
// a byte outside printable ASCII in the target, or a decoded name or value that is not valid
// UTF-8 or holds NUL (so that nothing PostgreSQL would refuse gets past here).
struct Target {
  std::string path;
  std::map<std::string, std::string> query;

  // The query parameter `name`, if present.
  std::optional<std::string> get(const std::string& name) const;
};
Result<Target> parse_target(std::string_view target);

// One satisfiable byte range, inclusive of both ends (RFC 9110 section 14.1.1).
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t length() const { return last - first + 1; }
};

// How to answer a Range header (RFC 9110 section 14.2): ignore it (absent, malformed, several
// ranges: serve the whole content with 200), serve one part (206), or refuse (416).
struct RangeDecision {
  enum Kind { kWhole, kPartial, kUnsatisfiable } kind = kWhole;
  ByteRange range;
};
RangeDecision decide_range(std::optional<std::string_view> range_header, std::uint64_t size);

// Whether an If-None-Match value ("*" or a comma-separated list of entity tags) matches `etag`
// (a quoted strong tag), by weak comparison (RFC 9110 section 13.1.2).
bool if_none_match_matches(std::string_view header, std::string_view etag);

// Whether an If-Range value allows the Range to apply: true if it is the same strong `etag`
// (RFC 9110 section 13.1.5). Dates are not honoured (content may not be newer than its ETag).
bool if_range_matches(std::string_view header, std::string_view etag);

// Whether `text` is a reasonable request id to echo (1..64 of [A-Za-z0-9._-]).
bool is_sane_request_id(std::string_view text);

}  // namespace castor::http_params
