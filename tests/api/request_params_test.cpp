#include "api/request_params.h"

#include <string>

#include <catch2/catch.hpp>

namespace castor::http_params {
namespace {

RangeDecision range(const char* header, std::uint64_t size) { return decide_range(header, size); }

void check_partial(const RangeDecision& d, std::uint64_t first, std::uint64_t last) {
  REQUIRE(d.kind == RangeDecision::kPartial);
  CHECK(d.range.first == first);
  CHECK(d.range.last == last);
  CHECK(d.range.length() == last - first + 1);
}

}  // namespace

TEST_CASE("percent_decode decodes escapes and optionally '+'", "[unit]") {
  CHECK(*percent_decode("a%20b", false) == "a b");
  CHECK(*percent_decode("%41%4a%4A", false) == "AJJ");
  CHECK(*percent_decode("a%2Fb%2fc", false) == "a/b/c");
  CHECK(*percent_decode("%e6%97%a5", false) == "\xe6\x97\xa5");
  CHECK(*percent_decode("%00", false) == std::string("\0", 1));
  CHECK(percent_decode("", false)->empty());
  CHECK(*percent_decode("a+b", true) == "a b");
  CHECK(*percent_decode("a+b", false) == "a+b");
  CHECK(*percent_decode("%2B", true) == "+");
  for (const char* bad : {"%", "%4", "a%4", "abc%", "%zz", "%4g", "%g4", "%%41", "% 41"}) {
    INFO(bad);
    auto r = percent_decode(bad, true);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("parse_target splits the path and decodes the query", "[unit]") {
  auto t = parse_target("/v1/objects?namespace=ns&tenant_id=t%31&prefix=a%2Fb+c&limit=5");
  REQUIRE(t);
  CHECK(t->path == "/v1/objects");
  CHECK(t->query.size() == 4);
  CHECK(t->get("namespace") == "ns");
  CHECK(t->get("tenant_id") == "t1");
  CHECK(t->get("prefix") == "a/b c");
  CHECK(t->get("limit") == "5");
  CHECK_FALSE(t->get("cursor"));

  auto plain = parse_target("/v1/objects/by-key/ns/t/a%2Fb");
  REQUIRE(plain);
  CHECK(plain->path == "/v1/objects/by-key/ns/t/a%2Fb");  // the path stays encoded
  CHECK(plain->query.empty());
}

TEST_CASE("parse_target keeps the first of repeated names and odd pairs", "[unit]") {
  auto t = parse_target("/p?a=1&a=2&&flag&empty=&=anon&x=y=z");
  REQUIRE(t);
  CHECK(t->get("a") == "1");
  CHECK(t->get("flag") == "");
  CHECK(t->get("empty") == "");
  CHECK(t->get("") == "anon");
  CHECK(t->get("x") == "y=z");
  auto q = parse_target("/p?");
  REQUIRE(q);
  CHECK(q->path == "/p");
  CHECK(q->query.empty());
}

TEST_CASE("parse_target rejects relative targets and bad escapes", "[unit]") {
  for (const char* bad : {"", "v1/objects", "http://host/v1", "*", "/p?a=%zz", "/p?%4=1"}) {
    INFO(bad);
    auto r = parse_target(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("parse_target refuses what PostgreSQL would refuse: invalid UTF-8, NUL, raw bytes",
          "[unit]") {
  for (const char* bad :
       {"/v1/objects?prefix=%FF", "/v1/objects?cursor=a%C3", "/v1/objects?prefix=%C0%AF",
        "/v1/objects?prefix=%ED%A0%80", "/v1/objects?prefix=a%00b", "/v1/objects?%FF=1",
        "/v1/objects?key=\xc3\xa9", "/v1/admin/api-keys/\xff", "/p?a=b\x7f", "/p?a=b c"}) {
    INFO(bad);
    auto r = parse_target(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  // Valid UTF-8, percent-encoded, is fine.
  auto t = parse_target("/v1/objects?prefix=%E6%97%A5%F0%9F%98%80");
  REQUIRE(t);
  CHECK(*t->get("prefix") == "\xe6\x97\xa5\xf0\x9f\x98\x80");
}

TEST_CASE("decide_range serves one satisfiable range", "[unit]") {
  check_partial(range("bytes=0-4", 10), 0, 4);
  check_partial(range("bytes=3-3", 10), 3, 3);
  check_partial(range("bytes=5-", 10), 5, 9);
  check_partial(range("bytes=-3", 10), 7, 9);
  check_partial(range("bytes=2-100", 10), 2, 9);  // the end is clamped
  check_partial(range("bytes=-20", 10), 0, 9);    // a suffix longer than the content
  check_partial(range("bytes=9-9", 10), 9, 9);
  check_partial(range(" bytes=1-2 ", 10), 1, 2);
}

TEST_CASE("decide_range refuses ranges beyond the end", "[unit]") {
  for (const char* header : {"bytes=10-", "bytes=10-20", "bytes=11-11", "bytes=-0"}) {
    INFO(header);
    CHECK(range(header, 10).kind == RangeDecision::kUnsatisfiable);
  }
  for (const char* header : {"bytes=0-", "bytes=0-0", "bytes=-5"}) {
    INFO(header << " on empty content");
    CHECK(range(header, 0).kind == RangeDecision::kUnsatisfiable);
  }
}

TEST_CASE("decide_range ignores what it does not serve", "[unit]") {
  CHECK(decide_range(std::nullopt, 10).kind == RangeDecision::kWhole);
  for (const char* header : {"bytes=0-1,3-4", "bytes=0-1, 5-", "bytes=abc", "bytes=5-2", "bytes=-",
                             "bytes=", "bytes=1-2-3", "bytes=a-", "bytes=-x", "items=0-1",
                             "bytes 0-1", "", "bytes=99999999999999999999-"}) {
    INFO(header);
    CHECK(range(header, 10).kind == RangeDecision::kWhole);
  }
  CHECK(range("bytes=5-2", 0).kind == RangeDecision::kWhole);
}

TEST_CASE("if_none_match_matches compares entity tags weakly", "[unit]") {
  const std::string etag = "\"abc\"";
  CHECK(if_none_match_matches("*", etag));
  CHECK(if_none_match_matches("\"abc\"", etag));
  CHECK(if_none_match_matches("\"x\", \"abc\"", etag));
  CHECK(if_none_match_matches("\"x\",\"abc\" ,\"y\"", etag));
  CHECK(if_none_match_matches("W/\"abc\"", etag));
  CHECK(if_none_match_matches("W/\"abc\"", "W/\"abc\""));
  CHECK_FALSE(if_none_match_matches("\"abd\"", etag));
  CHECK_FALSE(if_none_match_matches("abc", etag));
  CHECK_FALSE(if_none_match_matches("\"x\", W/\"y\"", etag));
  CHECK_FALSE(if_none_match_matches("", etag));
  CHECK_FALSE(if_none_match_matches(" , ", etag));
}

TEST_CASE("if_range_matches needs the same strong tag", "[unit]") {
  CHECK(if_range_matches("\"abc\"", "\"abc\""));
  CHECK(if_range_matches(" \"abc\" ", "\"abc\""));
  CHECK_FALSE(if_range_matches("W/\"abc\"", "\"abc\""));
  CHECK_FALSE(if_range_matches("\"abd\"", "\"abc\""));
  CHECK_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", "\"abc\""));
}

TEST_CASE("is_sane_request_id accepts 1..64 of [A-Za-z0-9._-]", "[unit]") {
  CHECK(is_sane_request_id("a"));
  CHECK(is_sane_request_id("Req-1_2.3"));
  CHECK(is_sane_request_id("0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f"));
  CHECK(is_sane_request_id(std::string(64, 'x')));
  CHECK_FALSE(is_sane_request_id(""));
  CHECK_FALSE(is_sane_request_id(std::string(65, 'x')));
  for (const char* bad : {"a b", "a/b", "a\nb", "a\"b", "a:b", "\xc3\xa9", "a\rb"}) {
    INFO(bad);
    CHECK_FALSE(is_sane_request_id(bad));
  }
}

}  // namespace castor::http_params
