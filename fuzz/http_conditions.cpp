// libFuzzer target: conditional requests (src/api/conditional.h) — evaluate_preconditions on
// arbitrary If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since values against
// arbitrary validators, and parse_http_date on each value — with the invariants RFC 9110 section
// 13 gives: 304 only for GET/HEAD; no header, no condition; If-Match on a missing representation
// fails; the representation's own quoted ETag and its own Last-Modified date satisfy (or, for
// the negative conditions, fail) as they must; and every date parse_http_date accepts is whole
// seconds and round-trips through http_date(), as does every instant of the years 0000..9999.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fuzzer/FuzzedDataProvider.h>

#include "api/conditional.h"
#include "api/http_date.h"
#include "fuzz_check.h"

namespace {

namespace hp = castor::http_params;
using castor::Timestamp;
using R = hp::PreconditionResult;
using std::chrono::seconds;

constexpr std::int64_t kFirstSecond = -62167219200;  // 0000-01-01T00:00:00Z
constexpr std::int64_t kLastSecond = 253402300799;   // 9999-12-31T23:59:59Z
const Timestamp kNow{seconds(1795253516)};           // 2026-11-21, for RFC 850 years

Timestamp whole_seconds(Timestamp t) { return std::chrono::floor<seconds>(t); }

void check_date(std::string_view text) {
  const auto t = hp::parse_http_date(text, kNow);
  if (!t) {
    return;
  }
  CASTOR_FUZZ_CHECK(whole_seconds(*t) == *t);
  CASTOR_FUZZ_CHECK(hp::parse_http_date(hp::http_date(*t), kNow) == t);
}

std::optional<std::string> header(FuzzedDataProvider& in) {
  if (!in.ConsumeBool()) {
    return std::nullopt;
  }
  return in.ConsumeRandomLengthString(128);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const bool exists = in.ConsumeBool();
  const bool safe = in.ConsumeBool();
  const Timestamp modified =
      Timestamp{seconds(in.ConsumeIntegralInRange<std::int64_t>(kFirstSecond, kLastSecond))} +
      std::chrono::microseconds(in.ConsumeIntegralInRange<std::int64_t>(0, 999'999));
  std::optional<hp::Validators> current;
  if (exists) {
    current = hp::Validators{.etag = in.ConsumeRandomLengthString(80), .last_modified = modified};
  }
  hp::Preconditions p;
  p.if_match = header(in);
  p.if_none_match = header(in);
  p.if_modified_since = header(in);
  p.if_unmodified_since = in.ConsumeRemainingBytesAsString();

  // Dates: what parses round-trips, and so does the representation's own modification time.
  for (const auto& value : {p.if_match, p.if_none_match, p.if_modified_since,
                            p.if_unmodified_since}) {
    if (value) {
      check_date(*value);
    }
  }
  const std::string own_date = hp::http_date(modified);
  CASTOR_FUZZ_CHECK(hp::parse_http_date(own_date, kNow) == whole_seconds(modified));

  // Arbitrary conditions: never a 304 for a method other than GET/HEAD.
  const R result = hp::evaluate_preconditions(p, current, safe);
  CASTOR_FUZZ_CHECK(safe || result != R::kNotModified);
  CASTOR_FUZZ_CHECK(hp::evaluate_preconditions({}, current, safe) == R::kProceed);
  if (!current) {
    const hp::Preconditions only_if_match{.if_match = p.if_match};
    const bool blank = !p.if_match || p.if_match->find_first_not_of(" \t") == std::string::npos;
    CASTOR_FUZZ_CHECK(hp::evaluate_preconditions(only_if_match, current, safe) ==
                      (blank ? R::kProceed : R::kFailed));
    return 0;
  }

  // The representation's own validators. A quoted tag cannot hold a quote: only for tags
  // without one does the quoted form name exactly the tag.
  if (current->etag.find('"') == std::string::npos) {
    const std::string quoted = "\"" + current->etag + "\"";
    CASTOR_FUZZ_CHECK(hp::evaluate_preconditions({.if_match = quoted}, current, safe) ==
                      R::kProceed);
    CASTOR_FUZZ_CHECK(hp::evaluate_preconditions({.if_match = "\"x\", " + quoted}, current,
                                                 safe) == R::kProceed);
    CASTOR_FUZZ_CHECK(hp::evaluate_preconditions({.if_none_match = "W/" + quoted}, current,
                                                 safe) == (safe ? R::kNotModified : R::kFailed));
    // If-Match true hides If-Unmodified-Since, whatever it says.
    CASTOR_FUZZ_CHECK(hp::evaluate_preconditions(
                          {.if_match = quoted, .if_unmodified_since = p.if_unmodified_since},
                          current, safe) == R::kProceed);
  }
  CASTOR_FUZZ_CHECK(hp::evaluate_preconditions({.if_unmodified_since = own_date}, current, safe) ==
                    R::kProceed);
  CASTOR_FUZZ_CHECK(hp::evaluate_preconditions({.if_modified_since = own_date}, current, safe) ==
                    (safe ? R::kNotModified : R::kProceed));
  const Timestamp second_before = whole_seconds(modified) - seconds(1);
  if (second_before.time_since_epoch() >= seconds(kFirstSecond)) {
    const std::string earlier = hp::http_date(second_before);
    CASTOR_FUZZ_CHECK(hp::evaluate_preconditions({.if_unmodified_since = earlier}, current,
                                                 safe) == R::kFailed);
    CASTOR_FUZZ_CHECK(hp::evaluate_preconditions({.if_modified_since = earlier}, current, safe) ==
                      R::kProceed);
  }
  return 0;
}
