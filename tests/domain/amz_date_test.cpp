#include "domain/amz_date.h"

#include <string>

#include <catch2/catch.hpp>

namespace castor {
namespace {

constexpr std::int64_t kExampleTime = 1369353600;  // 2013-05-24T00:00:00Z

TEST_CASE("SigV4 timestamps parse strictly", "[unit]") {
  CHECK(parse_amz_date("20130524T000000Z") == kExampleTime);
  CHECK(format_amz_date(kExampleTime) == "20130524T000000Z");
  CHECK(format_amz_date(951782400 + 86399) == "20000229T235959Z");
  CHECK(parse_amz_date("20000229T235959Z") == 951782400 + 86399);
  for (std::string bad :
       {"20130229T000000Z", "20131324T000000Z", "20130524T000060Z", "20130524 000000Z",
        "2013052T0000000Z", "19691231T235959Z", "20130524T000000z", "+0130524T000000Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_amz_date(bad));
  }
  CHECK(parse_imf_date("Fri, 24 May 2013 00:00:00 GMT") == kExampleTime);
  CHECK_FALSE(parse_imf_date("Fri, 24 May 2013 00:00:00 UTC"));
  CHECK_FALSE(parse_imf_date("Friday, 24-May-13 00:00:00 GMT"));
  CHECK_FALSE(parse_imf_date("Fri, 24 Mai 2013 00:00:00 GMT"));
}

}  // namespace
}  // namespace castor
