#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/object.h"

// Dates as HTTP and castor's JSON write them (no Beast). Total: bad input gives nullopt, never a
// crash; every Timestamp castor can hold (years 0000 to 9999) prints.
namespace castor::http_params {

// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 section 5.6.7); whole seconds (the
// microseconds are dropped).
std::string http_date(Timestamp t);
// RFC 3339 UTC with microseconds, e.g. "2026-11-21T09:31:56.123456Z"; the year always has four
// digits.
std::string rfc3339(Timestamp t);

// Parses "YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+HH:MM|-HH:MM)" (RFC 3339; digits past the sixth of the
// fraction are ignored); nullopt on anything else, or an instant outside the years 0000..9999.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

}  // namespace castor::http_params
