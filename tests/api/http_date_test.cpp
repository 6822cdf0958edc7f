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

}  // namespace castor::http_params
