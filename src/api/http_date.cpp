#include "api/http_date.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

#include "api/request_params.h"

namespace castor::http_params {
namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDayNames = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A left-to-right reader over an HTTP-date; every accessor fails (returns false or nullopt)
// rather than reading past the end.
class DateReader {
 public:
  explicit DateReader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ == text_.size(); }

  // Consumes `expected` if the text continues with it.
  bool literal(std::string_view expected) {
    if (text_.substr(pos_).starts_with(expected)) {
      pos_ += expected.size();
      return true;
    }
    return false;
  }

  // Exactly `n` decimal digits as a number.
  std::optional<int> digits(std::size_t n) {
    if (text_.size() - pos_ < n) {
      return std::nullopt;
    }
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      v = v * 10 + (c - '0');
    }
    pos_ += n;
    return v;
  }

  // One of `names`, returning its index.
  template <std::size_t N>
  std::optional<int> name(const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; i < N; ++i) {
      if (literal(names[i])) {
        return static_cast<int>(i);
      }
    }
    return std::nullopt;
  }

  // time-of-day = hour ":" minute ":" second, ranges checked (second 60 allowed).
  std::optional<std::chrono::seconds> time_of_day() {
    const auto h = digits(2);
    if (!h || !literal(":")) {
      return std::nullopt;
    }
    const auto m = digits(2);
    if (!m || !literal(":")) {
      return std::nullopt;
    }
    const auto s = digits(2);
    if (!s || *h > 23 || *m > 59 || *s > 60) {
      return std::nullopt;
    }
    return std::chrono::seconds(*h * 3600 + *m * 60 + *s);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<Timestamp> make_time(int year, int month0, int day, std::chrono::seconds time) {
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month0 + 1)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return Timestamp(std::chrono::sys_days(ymd)) + time;
}

// The year of `now`, in the proleptic Gregorian calendar.
int year_of(Timestamp now) {
  return static_cast<int>(
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now)).year());
}

// IMF-fixdate after the day name: ", " day SP month SP year SP time-of-day " GMT".
std::optional<Timestamp> parse_imf_fixdate(DateReader& r) {
  if (!r.literal(", ")) {
    return std::nullopt;
  }
  const auto day = r.digits(2);
  if (!day || !r.literal(" ")) {
    return std::nullopt;
  }
  const auto month = r.name(kMonthNames);
  if (!month || !r.literal(" ")) {
    return std::nullopt;
  }
  const auto year = r.digits(4);
  if (!year || !r.literal(" ")) {
    return std::nullopt;
  }
  const auto time = r.time_of_day();
  if (!time || !r.literal(" GMT") || !r.done()) {
    return std::nullopt;
  }
  return make_time(*year, *month, *day, *time);
}

// rfc850-date after the long day name: ", " day "-" month "-" 2DIGIT SP time-of-day " GMT".
std::optional<Timestamp> parse_rfc850_date(DateReader& r, Timestamp now) {
  if (!r.literal(", ")) {
    return std::nullopt;
  }
  const auto day = r.digits(2);
  if (!day || !r.literal("-")) {
    return std::nullopt;
  }
  const auto month = r.name(kMonthNames);
  if (!month || !r.literal("-")) {
    return std::nullopt;
  }
  const auto yy = r.digits(2);
  if (!yy || !r.literal(" ")) {
    return std::nullopt;
  }
  const auto time = r.time_of_day();
  if (!time || !r.literal(" GMT") || !r.done()) {
    return std::nullopt;
  }
  // Section 5.6.7: a year more than 50 years in the future is the most recent past such year. So
  // the year is the one with these last two digits in [this year - 49, this year + 50].
  const int this_year = year_of(now);
  int year = this_year - this_year % 100 + *yy;
  if (year > this_year + 50) {
    year -= 100;
  } else if (year < this_year - 49) {
    year += 100;
  }
  return make_time(year, *month, *day, *time);
}

// asctime-date after the day name: SP month SP ( 2DIGIT / ( SP DIGIT ) ) SP time-of-day SP year.
std::optional<Timestamp> parse_asctime_date(DateReader& r) {
  if (!r.literal(" ")) {
    return std::nullopt;
  }
  const auto month = r.name(kMonthNames);
  if (!month || !r.literal(" ")) {
    return std::nullopt;
  }
  const auto day = r.literal(" ") ? r.digits(1) : r.digits(2);
  if (!day || !r.literal(" ")) {
    return std::nullopt;
  }
  const auto time = r.time_of_day();
  if (!time || !r.literal(" ")) {
    return std::nullopt;
  }
  const auto year = r.digits(4);
  if (!year || !r.done()) {
    return std::nullopt;
  }
  return make_time(*year, *month, *day, *time);
}

}  // namespace

std::string http_date(Timestamp t) {
  // Whole seconds straight from the microseconds: through system_clock's nanoseconds, dates past
  // 2262 would overflow.
  const auto secs = static_cast<std::time_t>(
      std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&secs, &tm);
  // Not strftime: its %Y prints years before 1000 with fewer than the four digits IMF-fixdate
  // requires, and its names follow the locale.
  char buf[64];
  const int n =
      std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                    kDayNames[static_cast<std::size_t>(tm.tm_wday) % 7].data(), tm.tm_mday,
                    kMonthNames[static_cast<std::size_t>(tm.tm_mon) % 12].data(), tm.tm_year + 1900,
                    tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<Timestamp> parse_http_date(std::string_view text, Timestamp now) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  {
    DateReader r(text);
    if (r.name(kLongDayNames)) {
      if (auto t = parse_rfc850_date(r, now)) {
        return t;
      }
    }
  }
  DateReader r(text);
  if (!r.name(kDayNames)) {
    return std::nullopt;
  }
  if (text.size() > 3 && text[3] == ',') {
    return parse_imf_fixdate(r);
  }
  return parse_asctime_date(r);
}

std::optional<Timestamp> parse_http_date(std::string_view text) {
  return parse_http_date(text, std::chrono::time_point_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now()));
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
