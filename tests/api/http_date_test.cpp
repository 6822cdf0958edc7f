#include "api/http_date.h"

#include <chrono>

#include <catch2/catch.hpp>

namespace castor::http_params {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

}  // namespace

TEST_CASE("http_date and rfc3339 print UTC exactly", "[unit]") {
  const Timestamp rfc_example{seconds(784111777)};
  CHECK(http_date(rfc_example) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(http_date(rfc_example + microseconds(999999)) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(rfc3339(rfc_example) == "1994-11-06T08:49:37.000000Z");
  CHECK(rfc3339(rfc_example + microseconds(123456)) == "1994-11-06T08:49:37.123456Z");

  const Timestamp leap_day{seconds(951825600)};
  CHECK(http_date(leap_day) == "Tue, 29 Feb 2000 12:00:00 GMT");
  CHECK(rfc3339(leap_day + microseconds(1)) == "2000-02-29T12:00:00.000001Z");

  CHECK(rfc3339(Timestamp{}) == "1970-01-01T00:00:00.000000Z");
  CHECK(http_date(Timestamp{}) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(rfc3339(Timestamp{microseconds(-1)}) == "1969-12-31T23:59:59.999999Z");
  CHECK(rfc3339(Timestamp{seconds(1795253516) + microseconds(123456)}) ==
        "2026-11-21T09:31:56.123456Z");
}

// Found by fuzz/names.cpp (crash kept in fuzz/corpus/names/): http_date went through
// system_clock's nanoseconds, which overflow past the year 2262.
TEST_CASE("http_date prints dates past 2262 without overflowing", "[unit]") {
  auto far = parse_rfc3339("4052-12-02T01:42:46.123456+05:30");
  REQUIRE(far);
  CHECK(http_date(*far) == "Sun, 01 Dec 4052 20:12:46 GMT");
  auto last = parse_rfc3339("9999-12-31T23:59:59Z");
  REQUIRE(last);
  CHECK(http_date(*last) == "Fri, 31 Dec 9999 23:59:59 GMT");
  CHECK(rfc3339(*last) == "9999-12-31T23:59:59.000000Z");
}

// Found by fuzz/names.cpp's round-trip check: years before 1000 printed with fewer than four
// digits, and offsets could carry a parsed instant past 9999, neither of which parses back.
TEST_CASE("parse_rfc3339 and rfc3339 stay within four-digit years", "[unit]") {
  auto early = parse_rfc3339("0999-01-01T00:00:00Z");
  REQUIRE(early);
  CHECK(rfc3339(*early) == "0999-01-01T00:00:00.000000Z");
  auto first = parse_rfc3339("0000-01-01T00:00:00Z");
  REQUIRE(first);
  CHECK(rfc3339(*first) == "0000-01-01T00:00:00.000000Z");
  CHECK(parse_rfc3339(rfc3339(*first)) == first);
  CHECK_FALSE(parse_rfc3339("9999-12-31T23:59:59-00:01"));  // 10000-01-01T00:00:59Z
  CHECK_FALSE(parse_rfc3339("9999-12-31T23:59:60Z"));       // a leap second into 10000
  CHECK_FALSE(parse_rfc3339("0000-01-01T00:00:00+00:01"));  // the year -1
  CHECK(parse_rfc3339("0000-01-01T00:00:00-00:01"));
}

TEST_CASE("http_date prints years before 1000 with four digits", "[unit]") {
  auto early = parse_rfc3339("0999-03-01T07:08:09Z");
  REQUIRE(early);
  CHECK(http_date(*early) == "Fri, 01 Mar 0999 07:08:09 GMT");
  auto first = parse_rfc3339("0000-01-01T00:00:00Z");
  REQUIRE(first);
  CHECK(http_date(*first) == "Sat, 01 Jan 0000 00:00:00 GMT");
  CHECK(parse_http_date(http_date(*first)) == first);
  CHECK(parse_http_date(http_date(*early)) == early);
}

TEST_CASE("parse_http_date reads the three forms of RFC 9110 section 5.6.7", "[unit]") {
  const Timestamp rfc_example{seconds(784111777)};
  const Timestamp now{seconds(1795253516)};  // 2026-11-21
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", now) == rfc_example);
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now) == rfc_example);
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994", now) == rfc_example);
  CHECK(parse_http_date("Sun Nov 16 08:49:37 1994", now) == rfc_example + std::chrono::days(10));
  // Optional whitespace around the field value.
  CHECK(parse_http_date(" \tSun, 06 Nov 1994 08:49:37 GMT ", now) == rfc_example);
  // The day name is checked for spelling, not for agreement with the date.
  CHECK(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT", now) == rfc_example);
  // A leap second is the first second of the next minute.
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:60 GMT", now) == rfc_example + seconds(23));
  CHECK(parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT", now) == Timestamp{seconds(951825600)});
  CHECK(parse_http_date(http_date(now), now) == now);
}

TEST_CASE("parse_http_date: RFC 850 two-digit years follow the 50-year rule", "[unit]") {
  const Timestamp now{seconds(1795253516)};  // 2026-11-21
  auto year_of = [&](const char* text) {
    auto t = parse_http_date(text, now);
    REQUIRE(t);
    return static_cast<int>(
        std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(*t)).year());
  };
  CHECK(year_of("Monday, 01-Jan-26 00:00:00 GMT") == 2026);
  CHECK(year_of("Monday, 01-Jan-76 00:00:00 GMT") == 2076);  // 50 years ahead: still future
  CHECK(year_of("Monday, 01-Jan-77 00:00:00 GMT") == 1977);  // 51 years ahead: the past
  CHECK(year_of("Monday, 01-Jan-00 00:00:00 GMT") == 2000);
  CHECK(year_of("Monday, 01-Jan-99 00:00:00 GMT") == 1999);
  // Near a century's end the window moves on.
  const Timestamp in_2090 = *parse_http_date("Mon, 01 Jan 2090 00:00:00 GMT", now);
  auto t = parse_http_date("Monday, 01-Jan-30 00:00:00 GMT", in_2090);
  REQUIRE(t);
  CHECK(http_date(*t) == "Sun, 01 Jan 2130 00:00:00 GMT");
}

TEST_CASE("parse_http_date refuses anything else", "[unit]") {
  const Timestamp now{seconds(1795253516)};
  for (const char* bad : {
           "",
           "Sun, 06 Nov 1994 08:49:37",                                     // no GMT
           "Sun, 06 Nov 1994 08:49:37 UTC",                                 // another zone
           "Sun, 06 Nov 1994 08:49:37 gmt",                                 // case-sensitive
           "sun, 06 Nov 1994 08:49:37 GMT",                                 //
           "Sun, 06 nov 1994 08:49:37 GMT",                                 //
           "Sun, 6 Nov 1994 08:49:37 GMT",                                  // two-digit day
           "Sun, 06 Nov 94 08:49:37 GMT",                                   // four-digit year
           "Sun,  06 Nov 1994 08:49:37 GMT",                                // one space only
           "Sun, 06 Nov 1994 8:49:37 GMT",                                  //
           "Sun, 06 Nov 1994 24:00:00 GMT",                                 // hour
           "Sun, 06 Nov 1994 08:60:00 GMT",                                 // minute
           "Sun, 06 Nov 1994 08:49:61 GMT",                                 // second
           "Sun, 31 Nov 1994 08:49:37 GMT",                                 // no such day
           "Tue, 29 Feb 1900 08:49:37 GMT",                                 // not a leap year
           "Sun, 00 Nov 1994 08:49:37 GMT",                                 //
           "Sun, 06 Nov 1994 08:49:37 GMTx",                                // trailing bytes
           "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",  // a list
           "Sunday, 06 Nov 1994 08:49:37 GMT",                              // long name, IMF layout
           "Sun, 06-Nov-94 08:49:37 GMT",        // short name, RFC 850 layout
           "Sunday, 06-Nov-1994 08:49:37 GMT",   //
           "Funday, 06-Nov-94 08:49:37 GMT",     //
           "Sun Nov 6 08:49:37 1994",            // asctime pads the day with a space
           "Sun Nov  6 08:49:37 94",             //
           "Sun Nov  6 08:49:37 1994 GMT",       //
           "Sun, 06 Nov 1994 08:49:37 GMT\r\n",  //
           "1994-11-06T08:49:37Z",               // RFC 3339 is not an HTTP-date
       }) {
    INFO(bad);
    CHECK_FALSE(parse_http_date(bad, now));
  }
}

}  // namespace castor::http_params
