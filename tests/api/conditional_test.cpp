#include "api/conditional.h"

#include <catch2/catch.hpp>

namespace castor::http_params {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;
using R = PreconditionResult;

// 1994-11-06T08:49:37.250000Z: modified a quarter second into the second HTTP-dates name.
const Timestamp kModified = Timestamp{seconds(784111777)} + microseconds(250000);
constexpr const char* kAtModified = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr const char* kBefore = "Sun, 06 Nov 1994 08:49:36 GMT";
constexpr const char* kAfter = "Sun, 06 Nov 1994 08:49:38 GMT";

const std::optional<Validators> kCurrent = Validators{"abc123", kModified};
const std::optional<Validators> kMissing;

Preconditions if_match(std::string v) { return {.if_match = std::move(v)}; }
Preconditions if_none_match(std::string v) { return {.if_none_match = std::move(v)}; }
Preconditions if_modified_since(std::string v) { return {.if_modified_since = std::move(v)}; }
Preconditions if_unmodified_since(std::string v) { return {.if_unmodified_since = std::move(v)}; }

}  // namespace

TEST_CASE("no precondition proceeds, with or without a representation", "[unit][conditional]") {
  for (bool safe : {true, false}) {
    CHECK(evaluate_preconditions({}, kCurrent, safe) == R::kProceed);
    CHECK(evaluate_preconditions({}, kMissing, safe) == R::kProceed);
  }
  // Blank values are no valid field value: treated as absent.
  CHECK(evaluate_preconditions(if_match(""), kMissing, false) == R::kProceed);
  CHECK(evaluate_preconditions(if_none_match(" \t"), kCurrent, true) == R::kProceed);
}

TEST_CASE("If-Match: strong comparison, lists, star, missing representation",
          "[unit][conditional]") {
  for (bool safe : {true, false}) {
    CHECK(evaluate_preconditions(if_match("\"abc123\""), kCurrent, safe) == R::kProceed);
    CHECK(evaluate_preconditions(if_match("\"other\""), kCurrent, safe) == R::kFailed);
    CHECK(evaluate_preconditions(if_match("\"x\", \"abc123\""), kCurrent, safe) == R::kProceed);
    CHECK(evaluate_preconditions(if_match("\"x\",\t\"y\" ,\"abc123\""), kCurrent, safe) ==
          R::kProceed);
    CHECK(evaluate_preconditions(if_match("*"), kCurrent, safe) == R::kProceed);
    // Weak tags never match strongly.
    CHECK(evaluate_preconditions(if_match("W/\"abc123\""), kCurrent, safe) == R::kFailed);
    // S3 case: If-Match on a missing object fails, "*" included.
    CHECK(evaluate_preconditions(if_match("\"abc123\""), kMissing, safe) == R::kFailed);
    CHECK(evaluate_preconditions(if_match("*"), kMissing, safe) == R::kFailed);
  }
  // Unquoted tags, as some S3 clients send them, are accepted; case and quotes matter otherwise.
  CHECK(evaluate_preconditions(if_match("abc123"), kCurrent, true) == R::kProceed);
  CHECK(evaluate_preconditions(if_match("\"ABC123\""), kCurrent, true) == R::kFailed);
  CHECK(evaluate_preconditions(if_match("\"abc12\""), kCurrent, true) == R::kFailed);
  CHECK(evaluate_preconditions(if_match("\"abc123"), kCurrent, true) == R::kFailed);
  CHECK(evaluate_preconditions(if_match("\"abc123\"x"), kCurrent, true) == R::kProceed);
}

TEST_CASE("entity tags may hold commas inside their quotes", "[unit][conditional]") {
  const std::optional<Validators> comma = Validators{"a,b", kModified};
  CHECK(evaluate_preconditions(if_match("\"a,b\""), comma, true) == R::kProceed);
  CHECK(evaluate_preconditions(if_match("\"a\", \"b\""), comma, true) == R::kFailed);
  CHECK(etag_list_matches("\"x\", \"a,b\"", "a,b", true));
  CHECK_FALSE(etag_list_matches("\"a\",\"b\"", "a,b", false));
}

TEST_CASE("If-None-Match: weak comparison, 304 for GET/HEAD, 412 otherwise",
          "[unit][conditional]") {
  CHECK(evaluate_preconditions(if_none_match("\"abc123\""), kCurrent, true) == R::kNotModified);
  CHECK(evaluate_preconditions(if_none_match("\"abc123\""), kCurrent, false) == R::kFailed);
  CHECK(evaluate_preconditions(if_none_match("W/\"abc123\""), kCurrent, true) == R::kNotModified);
  CHECK(evaluate_preconditions(if_none_match("\"a\", W/\"abc123\""), kCurrent, true) ==
        R::kNotModified);
  CHECK(evaluate_preconditions(if_none_match("\"other\""), kCurrent, true) == R::kProceed);
  CHECK(evaluate_preconditions(if_none_match("\"other\""), kCurrent, false) == R::kProceed);
  CHECK(evaluate_preconditions(if_none_match("*"), kCurrent, true) == R::kNotModified);
  // S3 case: a write with If-None-Match: * fails on an existing object, proceeds on a missing one.
  CHECK(evaluate_preconditions(if_none_match("*"), kCurrent, false) == R::kFailed);
  CHECK(evaluate_preconditions(if_none_match("*"), kMissing, false) == R::kProceed);
  CHECK(evaluate_preconditions(if_none_match("\"abc123\""), kMissing, true) == R::kProceed);
}

TEST_CASE("If-Unmodified-Since: whole seconds, invalid dates and missing objects ignored",
          "[unit][conditional]") {
  for (bool safe : {true, false}) {
    CHECK(evaluate_preconditions(if_unmodified_since(kAtModified), kCurrent, safe) == R::kProceed);
    CHECK(evaluate_preconditions(if_unmodified_since(kAfter), kCurrent, safe) == R::kProceed);
    CHECK(evaluate_preconditions(if_unmodified_since(kBefore), kCurrent, safe) == R::kFailed);
    CHECK(evaluate_preconditions(if_unmodified_since("yesterday"), kCurrent, safe) == R::kProceed);
    // A list of dates is not a valid HTTP-date.
    CHECK(evaluate_preconditions(if_unmodified_since(std::string(kBefore) + ", " + kBefore),
                                 kCurrent, safe) == R::kProceed);
    CHECK(evaluate_preconditions(if_unmodified_since(kBefore), kMissing, safe) == R::kProceed);
  }
  // The obsolete forms count as well.
  CHECK(evaluate_preconditions(if_unmodified_since("Sunday, 06-Nov-94 08:49:36 GMT"), kCurrent,
                               true) == R::kFailed);
  CHECK(evaluate_preconditions(if_unmodified_since("Sun Nov  6 08:49:36 1994"), kCurrent, true) ==
        R::kFailed);
}

TEST_CASE("If-Modified-Since: GET/HEAD only, whole seconds, invalid dates ignored",
          "[unit][conditional]") {
  CHECK(evaluate_preconditions(if_modified_since(kAtModified), kCurrent, true) == R::kNotModified);
  CHECK(evaluate_preconditions(if_modified_since(kAfter), kCurrent, true) == R::kNotModified);
  CHECK(evaluate_preconditions(if_modified_since(kBefore), kCurrent, true) == R::kProceed);
  CHECK(evaluate_preconditions(if_modified_since("not a date"), kCurrent, true) == R::kProceed);
  CHECK(evaluate_preconditions(if_modified_since(kAfter), kMissing, true) == R::kProceed);
  // Ignored for any other method.
  CHECK(evaluate_preconditions(if_modified_since(kAfter), kCurrent, false) == R::kProceed);
}

TEST_CASE("RFC 9110 13.2.2 precedence", "[unit][conditional]") {
  SECTION("If-Match true: If-Unmodified-Since is not evaluated (S3 GetObject)") {
    Preconditions p{.if_match = "\"abc123\"", .if_unmodified_since = kBefore};
    CHECK(evaluate_preconditions(p, kCurrent, true) == R::kProceed);
    CHECK(evaluate_preconditions(p, kCurrent, false) == R::kProceed);
  }
  SECTION("If-Match false fails whatever If-Unmodified-Since says") {
    Preconditions p{.if_match = "\"other\"", .if_unmodified_since = kAfter};
    CHECK(evaluate_preconditions(p, kCurrent, true) == R::kFailed);
  }
  SECTION("If-None-Match false: If-Modified-Since is not evaluated (S3 GetObject 304)") {
    Preconditions p{.if_none_match = "\"abc123\"", .if_modified_since = kBefore};
    CHECK(evaluate_preconditions(p, kCurrent, true) == R::kNotModified);
  }
  SECTION("If-None-Match true: If-Modified-Since is not evaluated either") {
    Preconditions p{.if_none_match = "\"other\"", .if_modified_since = kAfter};
    CHECK(evaluate_preconditions(p, kCurrent, true) == R::kProceed);
  }
  SECTION("a failed If-Match wins over a false If-None-Match: 412, not 304") {
    Preconditions p{.if_match = "\"other\"", .if_none_match = "\"abc123\""};
    CHECK(evaluate_preconditions(p, kCurrent, true) == R::kFailed);
  }
  SECTION("a failed If-Unmodified-Since wins over a false If-Modified-Since") {
    Preconditions p{.if_modified_since = kAfter, .if_unmodified_since = kBefore};
    CHECK(evaluate_preconditions(p, kCurrent, true) == R::kFailed);
  }
  SECTION("If-Match true then If-None-Match false") {
    Preconditions p{.if_match = "*", .if_none_match = "\"abc123\""};
    CHECK(evaluate_preconditions(p, kCurrent, true) == R::kNotModified);
    CHECK(evaluate_preconditions(p, kCurrent, false) == R::kFailed);
  }
  SECTION("all four true proceeds") {
    Preconditions p{.if_match = "\"abc123\"",
                    .if_none_match = "\"other\"",
                    .if_modified_since = kBefore,
                    .if_unmodified_since = kAfter};
    CHECK(evaluate_preconditions(p, kCurrent, true) == R::kProceed);
    CHECK(evaluate_preconditions(p, kCurrent, false) == R::kProceed);
  }
}

}  // namespace castor::http_params
