#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace castor {

// Timestamps of AWS Signature Version 4, as seconds since the Unix epoch (UTC, no leap seconds).

// Parses the ISO 8601 basic format SigV4 signs ("20130524T000000Z": exactly 16 characters,
// YYYYMMDD 'T' HHMMSS 'Z', a real calendar date from year 1970, hour < 24, minute and second
// < 60). Returns nullopt for anything else. AWS: "Create a signed AWS API request", the
// X-Amz-Date header / parameter.
std::optional<std::int64_t> parse_amz_date(std::string_view text);

// Formats `unix_seconds` (>= 0) as "YYYYMMDDTHHMMSSZ".
std::string format_amz_date(std::int64_t unix_seconds);

// Parses the HTTP Date header's IMF-fixdate ("Fri, 24 May 2013 00:00:00 GMT", RFC 9110 §5.6.7),
// the form S3 accepts when a request has no x-amz-date. The day name is checked against the date.
// Returns nullopt for anything else (RFC 850 and asctime forms included).
std::optional<std::int64_t> parse_imf_date(std::string_view text);

}  // namespace castor
