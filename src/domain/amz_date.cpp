#include "domain/amz_date.h"

#include <array>
#include <chrono>
#include <cstdio>

namespace castor {
namespace {

// The value of `count` decimal digits at `text[pos]`, or nullopt if any is not a digit.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return std::nullopt;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<std::int64_t> to_unix(int y, int mo, int d, int h, int mi, int s) {
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (y < 1970 || !ymd.ok() || h > 23 || mi > 59 || s > 59) {
    return std::nullopt;
  }
  const auto days = sys_days{ymd}.time_since_epoch().count();
  return static_cast<std::int64_t>(days) * 86400 + h * 3600 + mi * 60 + s;
}

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};

}  // namespace

std::optional<std::int64_t> parse_amz_date(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') {
    return std::nullopt;
  }
  auto y = digits(text, 0, 4);
  auto mo = digits(text, 4, 2);
  auto d = digits(text, 6, 2);
  auto h = digits(text, 9, 2);
  auto mi = digits(text, 11, 2);
  auto s = digits(text, 13, 2);
  if (!y || !mo || !d || !h || !mi || !s) {
    return std::nullopt;
  }
  return to_unix(*y, *mo, *d, *h, *mi, *s);
}

std::string format_amz_date(std::int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_days day_point{days{unix_seconds / 86400}};
  const year_month_day ymd{day_point};
  const std::int64_t rest = unix_seconds % 86400;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60));
  return buffer;
}

std::optional<std::int64_t> parse_imf_date(std::string_view text) {
  // "Fri, 24 May 2013 00:00:00 GMT"
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  int month = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (text.substr(8, 3) == kMonths[i]) {
      month = static_cast<int>(i) + 1;
    }
  }
  auto d = digits(text, 5, 2);
  auto y = digits(text, 12, 4);
  auto h = digits(text, 17, 2);
  auto mi = digits(text, 20, 2);
  auto s = digits(text, 23, 2);
  if (month == 0 || !d || !y || !h || !mi || !s) {
    return std::nullopt;
  }
  auto unix = to_unix(*y, month, *d, *h, *mi, *s);
  if (!unix) {
    return std::nullopt;
  }
  // 1970-01-01 was a Thursday.
  if (text.substr(0, 3) != kWeekdays[static_cast<std::size_t>((*unix / 86400 + 4) % 7)]) {
    return std::nullopt;
  }
  return unix;
}

}  // namespace castor
