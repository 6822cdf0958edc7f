#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace castor::client {

// Whether `text` matches the glob `pattern`: `*` matches any run of characters but `/`, `?` one
// character but `/`, `[abc]` / `[a-z]` / `[!abc]` one character of (not of) a set, `**/` zero or
// more whole directories, a trailing `/**` everything below, `**` elsewhere any run including `/`,
// and `\` takes the next character literally. An unterminated `[` matches itself.
bool glob_match(std::string_view pattern, std::string_view text);

// The --exclude patterns of a push, matched against each scanned entry's path relative to the
// pushed directory ('/'-separated):
// - a pattern without `/` is matched against the entry's name, so `*.pyc` or `.git` excludes
//   entries of that name at any depth;
// - a pattern containing `/` is matched against the whole relative path (a leading `/` is
//   ignored: paths are always relative to the pushed directory);
// - a trailing `/` restricts the pattern to directories.
// An excluded directory is not entered at all.
class ExcludeSet {
 public:
  ExcludeSet() = default;
  explicit ExcludeSet(std::vector<std::string> patterns);

  // Whether the entry at `relative_path` (a directory if `is_directory`) is excluded.
  bool excluded(std::string_view relative_path, bool is_directory) const;

 private:
  struct Pattern {
    std::string glob;
    bool directory_only = false;
    bool whole_path = false;
  };
  std::vector<Pattern> patterns_;
};

}  // namespace castor::client
