#pragma once

// The reader behind json_text.h: a recursive-descent reader of RFC 8259 JSON that writes the
// canonical form as it goes. Private to json_text.cpp (and its tests); use json_text.h.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/error.h"
#include "domain/json_text.h"
#include "domain/utf8.h"

namespace castor::json_text::detail {

inline Error invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), "invalid_json"};
}

inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// A recursive-descent reader of RFC 8259 JSON that writes the canonical form as it goes.
class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool at_end() const { return pos_ == s_.size(); }

  // One value, canonical, appended to `out`.
  Status value(std::string& out, int depth) {
    skip_space();
    if (pos_ == s_.size()) {
      return invalid("unexpected end of JSON");
    }
    const char c = s_[pos_];
    if (c == '{') {
      return object(out, depth + 1, nullptr);
    }
    if (c == '[') {
      return array(out, depth + 1);
    }
    if (c == '"') {
      std::string decoded;
      if (auto st = string(decoded); !st) {
        return st;
      }
      out += quote(decoded);
      return {};
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number(out);
    }
    for (std::string_view literal : {"true", "false", "null"}) {
      if (s_.substr(pos_, literal.size()) == literal) {
        pos_ += literal.size();
        out += literal;
        return {};
      }
    }
    return invalid("unexpected character in JSON at byte " + std::to_string(pos_));
  }

  // An object at `pos_` ('{'). Appends its canonical text to `out`; with `members`, also stores
  // them (sorted).
  Status object(std::string& out, int depth, Members* members) {
    if (depth > kMaxDepth) {
      return invalid("JSON nests deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    ++pos_;  // '{'
    Members got;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
    } else {
      while (true) {
        skip_space();
        if (pos_ >= s_.size() || s_[pos_] != '"') {
          return invalid("a JSON object member name must be a string");
        }
        std::string name;
        if (auto st = string(name); !st) {
          return st;
        }
        skip_space();
        if (pos_ >= s_.size() || s_[pos_] != ':') {
          return invalid("':' expected after a JSON member name");
        }
        ++pos_;
        std::string v;
        if (auto st = value(v, depth); !st) {
          return st;
        }
        got.emplace_back(std::move(name), std::move(v));
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == '}') {
          ++pos_;
          break;
        }
        return invalid("',' or '}' expected in a JSON object");
      }
    }
    std::sort(got.begin(), got.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 1; i < got.size(); ++i) {
      if (got[i].first == got[i - 1].first) {
        return invalid("JSON object member '" + got[i].first.substr(0, 64) + "' is repeated");
      }
    }
    out += object_text(got);
    if (members != nullptr) {
      *members = std::move(got);
    }
    return {};
  }

 private:
  Status array(std::string& out, int depth) {
    if (depth > kMaxDepth) {
      return invalid("JSON nests deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    ++pos_;  // '['
    out += '[';
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      out += ']';
      return {};
    }
    while (true) {
      if (auto st = value(out, depth); !st) {
        return st;
      }
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        out += ',';
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        out += ']';
        return {};
      }
      return invalid("',' or ']' expected in a JSON array");
    }
  }

  bool digits() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      ++pos_;
    }
    return pos_ > start;
  }

  Status number(std::string& out) {
    const std::size_t start = pos_;
    if (s_[pos_] == '-') {
      ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      return invalid("bad JSON number");
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) {
        return invalid("bad JSON number");
      }
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) {
        ++pos_;
      }
      const std::size_t exp_start = pos_;
      if (!digits()) {
        return invalid("bad JSON number");
      }
      // PostgreSQL's numeric spells a number out in full: keep exponents within double's range.
      std::string_view exp = s_.substr(exp_start, pos_ - exp_start);
      while (exp.size() > 1 && exp.front() == '0') {
        exp.remove_prefix(1);
      }
      if (exp.size() > 3 || std::stoi(std::string(exp)) > 308) {
        return invalid("JSON number exponent out of range (at most 308)");
      }
    }
    out += spelled_out(s_.substr(start, pos_ - start));
    return {};
  }

  // A valid JSON number as PostgreSQL's numeric writes it (jsonb keeps numbers as numeric): no
  // exponent, as many decimals as the text had after the exponent is applied, no negative zero.
  // 7e9 -> 7000000000, 1.50e1 -> 15.0, 1e-3 -> 0.001, -0.0 -> 0.0; 2.50 stays 2.50.
  static std::string spelled_out(std::string_view n) {
    const bool negative = n.front() == '-';
    if (negative) {
      n.remove_prefix(1);
    }
    std::size_t end = n.find_first_of(".eE");
    const std::string_view integer = n.substr(0, end);
    std::string_view fraction;
    if (end != std::string_view::npos && n[end] == '.') {
      const std::size_t frac_end = n.find_first_of("eE", end);
      fraction =
          n.substr(end + 1, frac_end == std::string_view::npos ? frac_end : frac_end - end - 1);
      end = frac_end;
    }
    long exponent = 0;
    if (end != std::string_view::npos) {
      exponent = std::stol(std::string(n.substr(end + 1)));  // "+12", "-3", "007"; |e| <= 308
    }
    std::string digits = std::string(integer) + std::string(fraction);
    const long point = static_cast<long>(integer.size()) + exponent;  // digits before the point
    std::string whole;
    std::string decimals;
    if (point <= 0) {
      decimals = std::string(static_cast<std::size_t>(-point), '0') + digits;
    } else if (static_cast<std::size_t>(point) >= digits.size()) {
      whole = digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
    } else {
      whole = digits.substr(0, static_cast<std::size_t>(point));
      decimals = digits.substr(static_cast<std::size_t>(point));
    }
    const std::size_t first = whole.find_first_not_of('0');
    whole = first == std::string::npos ? "0" : whole.substr(first);
    const bool zero = digits.find_first_not_of('0') == std::string::npos;
    std::string out = negative && !zero ? "-" : "";
    out += whole;
    if (!decimals.empty()) {
      out += '.';
      out += decimals;
    }
    return out;
  }

  Status hex4(char32_t& unit) {
    if (pos_ + 4 > s_.size()) {
      return invalid("bad \\u escape in a JSON string");
    }
    unit = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[pos_++];
      unit <<= 4;
      if (h >= '0' && h <= '9') {
        unit |= static_cast<char32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        unit |= static_cast<char32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        unit |= static_cast<char32_t>(h - 'A' + 10);
      } else {
        return invalid("bad \\u escape in a JSON string");
      }
    }
    return {};
  }

 public:
  // A string at `pos_` ('"'), decoded into `decoded`.
  Status string(std::string& decoded) {
    ++pos_;  // '"'
    while (true) {
      if (pos_ >= s_.size()) {
        return invalid("unterminated JSON string");
      }
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return {};
      }
      if (c < 0x20) {
        return invalid("control character in a JSON string (escape it)");
      }
      if (c >= 0x80) {
        char32_t cp = 0;
        const std::size_t n = decode_utf8(s_.substr(pos_), cp);
        if (n == 0) {
          return invalid("JSON string is not valid UTF-8");
        }
        decoded.append(s_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      if (c != '\\') {
        decoded += static_cast<char>(c);
        ++pos_;
        continue;
      }
      if (++pos_ >= s_.size()) {
        return invalid("unterminated JSON string");
      }
      const char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          decoded += e;
          break;
        case 'b':
          decoded += '\b';
          break;
        case 'f':
          decoded += '\f';
          break;
        case 'n':
          decoded += '\n';
          break;
        case 'r':
          decoded += '\r';
          break;
        case 't':
          decoded += '\t';
          break;
        case 'u': {
          char32_t unit = 0;
          if (auto st = hex4(unit); !st) {
            return st;
          }
          if (unit >= 0xdc00 && unit <= 0xdfff) {
            return invalid("lone low surrogate in a JSON string");
          }
          if (unit >= 0xd800 && unit <= 0xdbff) {
            char32_t low = 0;
            if (s_.substr(pos_, 2) != "\\u") {
              return invalid("lone high surrogate in a JSON string");
            }
            pos_ += 2;
            if (auto st = hex4(low); !st) {
              return st;
            }
            if (low < 0xdc00 || low > 0xdfff) {
              return invalid("lone high surrogate in a JSON string");
            }
            unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
          }
          if (unit == 0) {
            return invalid("JSON strings may not hold U+0000");
          }
          append_utf8(decoded, unit);
          break;
        }
        default:
          return invalid("bad escape in a JSON string");
      }
    }
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace castor::json_text::detail
