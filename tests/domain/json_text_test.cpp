#include "domain/json_text.h"

#include <string>

#include <catch2/catch.hpp>

namespace castor {
namespace {

std::string canon(std::string_view text) {
  auto c = json_text::canonical(text);
  REQUIRE(c);
  return *c;
}

void check_invalid(std::string_view text) {
  auto c = json_text::canonical(text);
  REQUIRE_FALSE(c);
  CHECK(c.error().code == ErrorCode::kInvalidArgument);
  CHECK(c.error().reason == "invalid_json");
}

}  // namespace

TEST_CASE("json_text: canonical form drops whitespace, sorts members, keeps numbers",
          "[unit][metadata]") {
  CHECK(canon(R"( { "b" : [ 1 , 2.50 , -0.1e+2 ] , "a" : { "z" : true , "y" : null } } )") ==
        R"({"a":{"y":null,"z":true},"b":[1,2.50,-10]})");
  CHECK(canon(R"("tab\tq\"b\\s\/\u00e9\ud83d\ude00")") ==
        "\"tab\\tq\\\"b\\\\s/\xc3\xa9\xf0\x9f\x98\x80\"");
  CHECK(canon(R"("\u0001")") == R"("\u0001")");
  CHECK(canon("12345678901234567890123") == "12345678901234567890123");
  // Numbers as PostgreSQL's numeric writes them: exponents spelled out, decimals kept.
  CHECK(canon("7e9") == "7000000000");
  CHECK(canon("1.50e1") == "15.0");
  CHECK(canon("0.5E+1") == "5");
  CHECK(canon("1e-3") == "0.001");
  CHECK(canon("123e-1") == "12.3");
  CHECK(canon("-0") == "0");
  CHECK(canon("-0.0") == "0.0");
  CHECK(canon("-2.50") == "-2.50");
  CHECK(canon("0.001") == "0.001");
  CHECK(canon("{}") == "{}");
  CHECK(canon("[]") == "[]");
  // Members sort bytewise, "B" (0x42) before "a" (0x61), longer after its prefix.
  CHECK(canon(R"({"ab":1,"a":2,"B":3})") == R"({"B":3,"a":2,"ab":1})");
}

TEST_CASE("json_text: what is not JSON, or not storable, is refused", "[unit][metadata]") {
  for (std::string_view bad : {"",
                               "{",
                               "}",
                               "[1,]",
                               "{\"a\":1,}",
                               "{\"a\" 1}",
                               "{a:1}",
                               "01",
                               "1.",
                               ".5",
                               "-",
                               "1e",
                               "+1",
                               "tru",
                               "nul",
                               "'x'",
                               "\"unterminated",
                               "\"a\" \"b\"",
                               "1 2",
                               "\"\\x\"",
                               "\"\\u12\"",
                               "\"\\ud83d\"",
                               "\"\\ude00\"",
                               "\"\\u0000\"",
                               "\"\x01\"",
                               "\"\xff\"",
                               "\"\xc3\"",
                               "1e309",
                               "1e1000",
                               "{\"a\":1,\"a\":2}",
                               "NaN",
                               "Infinity"}) {
    INFO(bad);
    check_invalid(bad);
  }
  CHECK(canon("1e308") == "1" + std::string(308, '0'));
  CHECK(canon("1E-0308") == "0." + std::string(307, '0') + "1");
  std::string deep(json_text::kMaxDepth, '[');
  deep += std::string(json_text::kMaxDepth, ']');
  CHECK(canon(deep) == deep);
  check_invalid("[" + deep + "]");
}

TEST_CASE("json_text: object members, quote and unquote", "[unit][metadata]") {
  auto m = json_text::object_members(R"( {"z": "x", "a": {"k": [1]}} )");
  REQUIRE(m);
  CHECK(*m == json_text::Members{{"a", R"({"k":[1]})"}, {"z", R"("x")"}});
  CHECK(json_text::object_text(*m) == R"({"a":{"k":[1]},"z":"x"})");
  for (std::string_view not_object : {"[]", "\"s\"", "1", "null", " ", "{} {}"}) {
    INFO(not_object);
    CHECK_FALSE(json_text::object_members(not_object));
  }
  CHECK(json_text::quote("a\"b\\c\n\x1f") == R"("a\"b\\c\n\u001f")");
  CHECK(json_text::unquote(R"("a\"b\\c\n\u001f")") == std::string("a\"b\\c\n\x1f"));
  CHECK(json_text::unquote("\"\"") == std::string());
  CHECK_FALSE(json_text::unquote("1"));
  CHECK_FALSE(json_text::unquote("\"a\" "));
  CHECK_FALSE(json_text::unquote("{\"a\":1}"));
}

}  // namespace castor
