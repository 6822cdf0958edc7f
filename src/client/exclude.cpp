#include "client/exclude.h"

#include <cstddef>
#include <utility>

namespace castor::client {
namespace {

// Matches a bracket expression at pattern[0] == '['. Returns the length of the expression and
// whether `c` is in it, or length 0 if the bracket is not terminated.
std::pair<std::size_t, bool> match_class(std::string_view pattern, char c) {
  std::size_t i = 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (i < pattern.size() && (first || pattern[i] != ']')) {
    first = false;
    char low = pattern[i];
    if (low == '\\' && i + 1 < pattern.size()) {
      low = pattern[++i];
    }
    char high = low;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      high = pattern[i + 2];
      i += 2;
    }
    if (static_cast<unsigned char>(low) <= static_cast<unsigned char>(c) &&
        static_cast<unsigned char>(c) <= static_cast<unsigned char>(high)) {
      matched = true;
    }
    ++i;
  }
  if (i >= pattern.size()) {
    return {0, false};
  }
  return {i + 1, matched != negate && c != '/'};
}

bool match_here(std::string_view p, std::string_view t) {
  while (!p.empty()) {
    if (p.starts_with("**/")) {
      // Zero or more whole directories: try the rest at every directory boundary.
      std::string_view rest = p.substr(3);
      if (match_here(rest, t)) {
        return true;
      }
      for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '/' && match_here(rest, t.substr(i + 1))) {
          return true;
        }
      }
      return false;
    }
    if (p.starts_with("**")) {
      std::string_view rest = p.substr(2);
      for (std::size_t i = 0; i <= t.size(); ++i) {
        if (match_here(rest, t.substr(i))) {
          return true;
        }
      }
      return false;
    }
    switch (p.front()) {
      case '*': {
        std::string_view rest = p.substr(1);
        for (std::size_t i = 0; i <= t.size(); ++i) {
          if (match_here(rest, t.substr(i))) {
            return true;
          }
          if (i < t.size() && t[i] == '/') {
            return false;
          }
        }
        return false;
      }
      case '?':
        if (t.empty() || t.front() == '/') {
          return false;
        }
        p.remove_prefix(1);
        t.remove_prefix(1);
        continue;
      case '[': {
        if (t.empty()) {
          return false;
        }
        auto [length, matched] = match_class(p, t.front());
        if (length > 0) {
          if (!matched) {
            return false;
          }
          p.remove_prefix(length);
          t.remove_prefix(1);
          continue;
        }
        break;  // an unterminated '[' is a literal
      }
      case '\\':
        if (p.size() > 1) {
          p.remove_prefix(1);
        }
        break;
      default:
        break;
    }
    if (t.empty() || t.front() != p.front()) {
      return false;
    }
    p.remove_prefix(1);
    t.remove_prefix(1);
  }
  return t.empty();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  return match_here(pattern, text);
}

ExcludeSet::ExcludeSet(std::vector<std::string> patterns) {
  for (std::string& glob : patterns) {
    Pattern pattern;
    while (glob.size() > 1 && glob.back() == '/') {
      glob.pop_back();
      pattern.directory_only = true;
    }
    while (glob.size() > 1 && glob.front() == '/') {
      glob.erase(0, 1);
      pattern.whole_path = true;
    }
    pattern.whole_path = pattern.whole_path || glob.find('/') != std::string::npos;
    pattern.glob = std::move(glob);
    if (!pattern.glob.empty()) {
      patterns_.push_back(std::move(pattern));
    }
  }
}

bool ExcludeSet::excluded(std::string_view relative_path, bool is_directory) const {
  const std::size_t slash = relative_path.rfind('/');
  const std::string_view name =
      slash == std::string_view::npos ? relative_path : relative_path.substr(slash + 1);
  for (const Pattern& pattern : patterns_) {
    if (pattern.directory_only && !is_directory) {
      continue;
    }
    if (glob_match(pattern.glob, pattern.whole_path ? relative_path : name)) {
      return true;
    }
  }
  return false;
}

}  // namespace castor::client
