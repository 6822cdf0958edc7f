// libFuzzer target: the Range, If-None-Match and If-Range parsers of src/api/request_params.h on
// arbitrary header values and content sizes, with the invariants a download relies on: a partial
// range lies inside the content, and a refusal only comes for a range that really starts past it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fuzzer/FuzzedDataProvider.h>

#include "api/request_params.h"
#include "fuzz_check.h"

namespace {

namespace hp = castor::http_params;

constexpr std::string_view kEtag =
    "\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"";

void check_range(std::string_view header, std::uint64_t size) {
  const hp::RangeDecision d = hp::decide_range(header, size);
  switch (d.kind) {
    case hp::RangeDecision::kPartial:
      CASTOR_FUZZ_CHECK(size > 0);
      CASTOR_FUZZ_CHECK(d.range.first <= d.range.last);
      CASTOR_FUZZ_CHECK(d.range.last < size);
      CASTOR_FUZZ_CHECK(d.range.length() >= 1 && d.range.length() <= size);
      break;
    case hp::RangeDecision::kUnsatisfiable:
      // Only a "bytes=" header can be refused; anything else is ignored (200).
      CASTOR_FUZZ_CHECK(header.find("bytes=") != std::string_view::npos);
      break;
    case hp::RangeDecision::kWhole:
      break;
  }
  // Absent header: the whole content.
  CASTOR_FUZZ_CHECK(hp::decide_range(std::nullopt, size).kind == hp::RangeDecision::kWhole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto content_size = in.ConsumeIntegral<std::uint64_t>();
  const std::string etag_header = in.ConsumeRandomLengthString(256);
  const std::string header = in.ConsumeRemainingBytesAsString();

  for (std::uint64_t s :
       {content_size, std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1000}, UINT64_MAX}) {
    check_range(header, s);
  }

  // Conditionals against castor's own ETag and against a fuzzed one.
  for (std::string_view etag : {kEtag, std::string_view(etag_header)}) {
    (void)hp::if_none_match_matches(header, etag);
    const bool if_range = hp::if_range_matches(header, etag);
    const bool padded = !etag.empty() && (etag.front() == ' ' || etag.front() == '\t' ||
                                          etag.back() == ' ' || etag.back() == '\t');
    if (header == etag && !etag.starts_with("W/") && !padded) {
      CASTOR_FUZZ_CHECK(if_range);  // the same strong tag allows the range
    }
    if (if_range) {
      CASTOR_FUZZ_CHECK(!etag.starts_with("W/"));  // a weak tag never does
    }
  }
  // Every tag in a list is looked at: the header followed by castor's ETag matches it.
  CASTOR_FUZZ_CHECK(hp::if_none_match_matches(header + "," + std::string(kEtag), kEtag));
  return 0;
}
