#include "client/exclude.h"

#include <catch2/catch.hpp>

namespace castor::client {

TEST_CASE("glob: *, ?, classes and escapes stay within one path segment", "[unit][client]") {
  CHECK(glob_match("*.pyc", "a.pyc"));
  CHECK_FALSE(glob_match("*.pyc", "dir/a.pyc"));
  CHECK_FALSE(glob_match("*.pyc", "a.pyc.txt"));
  CHECK(glob_match("?.txt", "a.txt"));
  CHECK_FALSE(glob_match("?.txt", "ab.txt"));
  CHECK_FALSE(glob_match("a?b", "a/b"));
  CHECK(glob_match("file[0-9].bin", "file7.bin"));
  CHECK_FALSE(glob_match("file[0-9].bin", "fileX.bin"));
  CHECK(glob_match("file[!0-9].bin", "fileX.bin"));
  CHECK_FALSE(glob_match("file[!0-9].bin", "file1.bin"));
  CHECK(glob_match("\\*literal", "*literal"));
  CHECK_FALSE(glob_match("\\*literal", "xliteral"));
  CHECK(glob_match("[unterminated", "[unterminated"));
  CHECK(glob_match("", ""));
  CHECK_FALSE(glob_match("", "a"));
  CHECK(glob_match("*", ""));
}

TEST_CASE("glob: ** crosses directories", "[unit][client]") {
  CHECK(glob_match("**/*.log", "a.log"));
  CHECK(glob_match("**/*.log", "x/y/a.log"));
  CHECK_FALSE(glob_match("**/*.log", "x/y/a.txt"));
  CHECK(glob_match("build/**", "build/a/b"));
  CHECK(glob_match("a/**/z", "a/z"));
  CHECK(glob_match("a/**/z", "a/b/c/z"));
  CHECK_FALSE(glob_match("a/**/z", "b/a/z"));
}

TEST_CASE("excludes: names at any depth, whole paths, directories only", "[unit][client]") {
  const ExcludeSet excludes({"*.pyc", ".git", "/build", "data/*.tmp", "cache/"});
  CHECK(excludes.excluded("x.pyc", false));
  CHECK(excludes.excluded("deep/er/x.pyc", false));
  CHECK(excludes.excluded(".git", true));
  CHECK(excludes.excluded("sub/.git", true));
  CHECK(excludes.excluded("build", true));
  CHECK_FALSE(excludes.excluded("src/build", true));  // anchored: a path pattern
  CHECK(excludes.excluded("data/x.tmp", false));
  CHECK_FALSE(excludes.excluded("data/sub/x.tmp", false));
  CHECK_FALSE(excludes.excluded("other/data/x.tmp", false));
  CHECK(excludes.excluded("cache", true));
  CHECK(excludes.excluded("a/cache", true));
  CHECK_FALSE(excludes.excluded("cache", false));  // a file named cache stays
  CHECK_FALSE(excludes.excluded("x.py", false));
  CHECK_FALSE(ExcludeSet().excluded("anything", false));
}

}  // namespace castor::client
