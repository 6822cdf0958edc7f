#include "api/http_date.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

#include "api/request_params.h"

namespace castor::http_params {
std::string http_date(Timestamp t) {
  // Whole seconds straight from the microseconds: through system_clock's nanoseconds, dates past
  // 2262 would overflow.
  const auto secs = static_cast<std::time_t>(
      std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

std::string rfc3339(Timestamp t) {
  const auto us = t.time_since_epoch().count();
  const std::time_t secs = static_cast<std::time_t>(us / 1'000'000 - (us % 1'000'000 < 0 ? 1 : 0));
  const auto frac = static_cast<long>(us - std::int64_t{secs} * 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  // The year always has four digits (RFC 3339 date-fullyear), also before the year 1000.
  char out[96];
  const int m =
      std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return std::string(out, static_cast<std::size_t>(m));
}

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
    if (pos + n > text.size()) {
      return std::nullopt;
    }
    auto v = parse_digits(text.substr(pos, n));
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
  };
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2), hour = digits(11, 2),
       minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 ||
      *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (text[pos] == '.') {
    std::size_t end = pos + 1;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
      ++end;
    }
    if (end == pos + 1) {
      return std::nullopt;
    }
    std::string frac(text.substr(pos + 1, std::min<std::size_t>(end - pos - 1, 6)));
    frac.resize(6, '0');
    micros = static_cast<std::int64_t>(*parse_digits(frac));
    pos = end;
  }
  std::int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
    // UTC
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') &&
             text[pos + 3] == ':') {
    auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
    if (!oh || !om) {
      return std::nullopt;
    }
    offset_seconds = (*oh * 3600 + *om * 60) * (text[pos] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  const std::int64_t secs = std::int64_t{timegm(&tm)} - offset_seconds;
  // An offset (or a leap second) can carry the instant out of the years RFC 3339 can write.
  constexpr std::int64_t kFirstSecond = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr std::int64_t kLastSecond = 253402300799;   // 9999-12-31T23:59:59Z
  if (secs < kFirstSecond || secs > kLastSecond) {
    return std::nullopt;
  }
  return Timestamp(std::chrono::microseconds(secs * 1'000'000 + micros));
}

}  // namespace castor::http_params
