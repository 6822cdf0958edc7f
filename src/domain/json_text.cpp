#include "domain/json_text.h"

#include "domain/json_reader.h"

namespace castor::json_text {
using detail::invalid;
using detail::Reader;

Result<std::string> canonical(std::string_view text) {
  Reader r(text);
  std::string out;
  if (auto st = r.value(out, 0); !st) {
    return std::move(st).error();
  }
  r.skip_space();
  if (!r.at_end()) {
    return invalid("trailing characters after the JSON value");
  }
  return out;
}

Result<Members> object_members(std::string_view text) {
  Reader r(text);
  r.skip_space();
  if (r.at_end() || text[text.find_first_not_of(" \t\r\n")] != '{') {
    return invalid("a JSON object is expected");
  }
  std::string out;
  Members members;
  if (auto st = r.object(out, 1, &members); !st) {
    return std::move(st).error();
  }
  r.skip_space();
  if (!r.at_end()) {
    return invalid("trailing characters after the JSON object");
  }
  return members;
}

std::string quote(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size() + 2);
  out += '"';
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::optional<std::string> unquote(std::string_view text) {
  if (text.empty() || text.front() != '"') {
    return std::nullopt;
  }
  Reader r(text);
  std::string decoded;
  if (auto st = r.string(decoded); !st || !r.at_end()) {
    return std::nullopt;
  }
  return decoded;
}

std::string object_text(const Members& members) {
  std::string out = "{";
  for (const auto& [name, value] : members) {
    if (out.size() > 1) {
      out += ',';
    }
    out += quote(name);
    out += ':';
    out += value;
  }
  out += '}';
  return out;
}

}  // namespace castor::json_text
