#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/object.h"

// Dates as HTTP and castor's JSON write them (no Beast). Total: bad input gives nullopt, never a
// crash; every Timestamp castor can hold (years 0000 to 9999) prints.
namespace castor::http_params {

// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 section 5.6.7); whole seconds (the
// microseconds are dropped); the year always has four digits ("Sat, 01 Jan 0999 ...").
std::string http_date(Timestamp t);

// Parses an HTTP-date in the three forms RFC 9110 section 5.6.7 requires recipients to accept:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"  (obsolete; two-digit year)
//   asctime      "Sun Nov  6 08:49:37 1994"         (obsolete; day padded with a space)
// Case-sensitive as the grammar is; optional whitespace around the value is allowed, nothing else
// (a list of dates is not a date). The day name must be a valid one but need not agree with the
// date. Seconds 00..60 (a leap second counts as the next minute's first second); the day must
// exist in its month. An RFC 850 two-digit year is the year with those digits within
// [year of `now` - 49, year of `now` + 50]: more than 50 years ahead means the most recent past
// such year (section 5.6.7). nullopt on anything else.
// Whole seconds; parse_http_date(http_date(t)) is t rounded down to the second.
std::optional<Timestamp> parse_http_date(std::string_view text, Timestamp now);
// The same against the system clock's current time.
std::optional<Timestamp> parse_http_date(std::string_view text);

// RFC 3339 UTC with microseconds, e.g. "2026-11-21T09:31:56.123456Z"; the year always has four
// digits.
std::string rfc3339(Timestamp t);

// Parses "YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+HH:MM|-HH:MM)" (RFC 3339; digits past the sixth of the
// fraction are ignored); nullopt on anything else, or an instant outside the years 0000..9999.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

}  // namespace castor::http_params
