#include "client/path_safety.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "client/exit_code.h"

namespace castor::client {
namespace {

// A fresh directory under /tmp, removed with its contents at scope exit.
class ScratchDir {
 public:
  ScratchDir() {
    std::string name = (std::filesystem::temp_directory_path() / "castorctl-test-XXXXXX").string();
    path_ = ::mkdtemp(name.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

TEST_CASE("relative paths: what a bundle may hold", "[unit][client]") {
  for (const char* good :
       {"a", "a/b/c.txt", "with space/ünï.bin", ".hidden", "a..b", "...", "x/.y"}) {
    INFO(good);
    CHECK_FALSE(relative_path_problem(good));
  }
  const std::string nul("a\0b", 3);
  const std::string bad_utf8 = "a\xff";
  for (const std::string& bad :
       {std::string(), std::string("/etc/passwd"), std::string("../x"), std::string("a/../../x"),
        std::string("a/./b"), std::string("."), std::string(".."), std::string("a//b"),
        std::string("a/"), nul, std::string("a\nb"), std::string("a\x7f"), bad_utf8,
        std::string(4097, 'a')}) {
    INFO(bad);
    CHECK(relative_path_problem(bad));
  }
  CHECK_FALSE(relative_path_problem(std::string(4096, 'a')));
}

TEST_CASE("prepare_destination: creates directories, never leaves DEST", "[unit][client]") {
  ScratchDir dir;
  const std::filesystem::path dest = dir.path() / "dest";
  std::filesystem::create_directory(dest);

  auto nested = prepare_destination(dest, "a/b/c.txt");
  REQUIRE(nested);
  CHECK(*nested == dest / "a" / "b" / "c.txt");
  CHECK(std::filesystem::is_directory(dest / "a" / "b"));
  CHECK_FALSE(std::filesystem::exists(*nested));

  for (const char* escape : {"../outside", "a/../../outside", "/tmp/abs"}) {
    auto refused = prepare_destination(dest, escape);
    REQUIRE_FALSE(refused);
    CHECK(exit_code_for(refused.error()) == ExitCode::kVerification);
  }

  // A symlink inside DEST pointing outside is not followed.
  const std::filesystem::path outside = dir.path() / "outside";
  std::filesystem::create_directory(outside);
  REQUIRE(::symlink(outside.c_str(), (dest / "link").c_str()) == 0);
  auto through_link = prepare_destination(dest, "link/evil.txt");
  REQUIRE_FALSE(through_link);
  CHECK(exit_code_for(through_link.error()) == ExitCode::kVerification);

  // A file where a directory is needed.
  std::ofstream(dest / "file") << "x";
  CHECK_FALSE(prepare_destination(dest, "file/child"));
  CHECK(std::filesystem::is_empty(outside));
}

}  // namespace castor::client
