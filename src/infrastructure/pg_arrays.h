#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace castor {

// PostgreSQL array literals for the `unnest($n::text[])` batch statements (libpqxx 6.4 has no
// array parameters). Every element is double-quoted, with '"' and '\' escaped, so any text that
// PostgreSQL accepts survives the round trip.
class PgArray {
 public:
  // Appends a text element.
  void add(std::string_view text) {
    out_ += out_.size() > 1 ? ",\"" : "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
      }
      out_ += c;
    }
    out_ += '"';
  }
  // Appends an integer element.
  void add(std::uint64_t n) {
    if (out_.size() > 1) {
      out_ += ',';
    }
    out_ += std::to_string(n);
  }
  // The literal, "{...}".
  std::string str() const { return out_ + "}"; }

 private:
  std::string out_ = "{";
};

}  // namespace castor
