#include "client/size_parse.h"

#include <cctype>
#include <cmath>
#include <string>

namespace castor::client {

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::size_t i = 0;
  double value = 0;
  bool digits = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    value = value * 10 + (text[i++] - '0');
    digits = true;
  }
  if (i < text.size() && text[i] == '.') {
    double scale = 0.1;
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      value += (text[i++] - '0') * scale;
      scale /= 10;
      digits = true;
    }
  }
  if (!digits) {
    return std::nullopt;
  }
  std::string unit;
  for (; i < text.size(); ++i) {
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  struct Unit {
    const char* name;
    double factor;
  };
  static constexpr Unit kUnits[] = {
      {"", 1},
      {"b", 1},
      {"k", 1024.0},
      {"kib", 1024.0},
      {"m", 1048576.0},
      {"mib", 1048576.0},
      {"g", 1073741824.0},
      {"gib", 1073741824.0},
      {"t", 1099511627776.0},
      {"tib", 1099511627776.0},
      {"kb", 1e3},
      {"mb", 1e6},
      {"gb", 1e9},
      {"tb", 1e12},
  };
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      const double bytes = std::floor(value * u.factor);
      if (bytes >= 9.2e18) {
        return std::nullopt;
      }
      return static_cast<std::uint64_t>(bytes);
    }
  }
  return std::nullopt;
}

}  // namespace castor::client
