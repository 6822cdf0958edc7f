#include "infrastructure/mime_types_file.h"

#include <cctype>
#include <fstream>
#include <iterator>

namespace castor {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

MimeTypesFile MimeTypesFile::parse(std::string_view text) {
  MimeTypesFile table;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (const auto hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    std::string_view type;
    while (!line.empty()) {
      while (!line.empty() && is_space(line.front())) {
        line.remove_prefix(1);
      }
      std::size_t n = 0;
      while (n < line.size() && !is_space(line[n])) {
        ++n;
      }
      const std::string_view word = line.substr(0, n);
      line.remove_prefix(n);
      if (word.empty()) {
        break;
      }
      if (type.empty()) {
        if (word.find('/') == std::string_view::npos) {
          break;  // not "type/subtype": skip the line
        }
        type = word;
      } else {
        table.by_extension_.try_emplace(lower(word), std::string(type));
      }
    }
  }
  return table;
}

MimeTypesFile MimeTypesFile::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return {};
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(text);
}

std::optional<std::string> MimeTypesFile::for_name(std::string_view name) const {
  const auto dot = name.find_last_of("./");
  if (dot == std::string_view::npos || name[dot] != '.' || dot + 1 == name.size()) {
    return std::nullopt;
  }
  if (auto it = by_extension_.find(lower(name.substr(dot + 1))); it != by_extension_.end()) {
    return it->second;
  }
  return std::nullopt;
}

}  // namespace castor
