#include "api/console_assets.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using castor::api::console_content_type;
using castor::api::console_path_valid;
using castor::api::embedded_console_assets;
using castor::api::find_console_file;

TEST_CASE("console: paths that can name a console file", "[unit][console]") {
  CHECK(console_path_valid("index.html"));
  CHECK(console_path_valid("assets/app-3F2AC1.js"));
  CHECK(console_path_valid("assets/icons/logo_1.svg"));
  for (const char* bad :
       {"", "/index.html", "assets/", "assets//a.js", "../etc/passwd", "assets/../../x",
        "./index.html", "a/./b", "a%2e%2e/b", "a\\b", "a b", "a?b"}) {
    CAPTURE(bad);
    CHECK_FALSE(console_path_valid(bad));
  }
  CHECK_FALSE(console_path_valid(std::string(256, 'a')));
  CHECK(console_path_valid(std::string(255, 'a')));
}

TEST_CASE("console: content types by extension", "[unit][console]") {
  CHECK(console_content_type("index.html") == "text/html; charset=utf-8");
  CHECK(console_content_type("assets/app-1.js") == "text/javascript; charset=utf-8");
  CHECK(console_content_type("assets/app-1.css") == "text/css; charset=utf-8");
  CHECK(console_content_type("assets/logo-1.svg") == "image/svg+xml");
  CHECK(console_content_type("assets/x.bin") == "application/octet-stream");
}

TEST_CASE("console: the embedded files are sorted and carry their hashes", "[unit][console]") {
  const auto assets = embedded_console_assets();
  for (std::size_t i = 0; i < assets.size(); ++i) {
    CAPTURE(assets[i].path);
    CHECK(console_path_valid(assets[i].path));
    CHECK(assets[i].sha256_hex.size() == 64);
    if (i > 0) {
      CHECK(assets[i - 1].path < assets[i].path);
    }
    auto found = find_console_file("", assets[i].path);
    REQUIRE(found);
    CHECK(found->body == assets[i].body);
    CHECK(found->etag == "\"" + std::string(assets[i].sha256_hex) + "\"");
  }
  CHECK_FALSE(find_console_file("", "no-such-file.js"));
}

TEST_CASE("console: CONSOLE_DIR serves only regular files inside the directory",
          "[unit][console]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / "castor-console-test";
  fs::remove_all(root);
  fs::create_directories(root / "dist" / "assets");
  std::ofstream(root / "dist" / "index.html") << "<!doctype html>";
  std::ofstream(root / "dist" / "assets" / "app-1.js") << "x";
  std::ofstream(root / "secret.txt") << "secret";
  const std::string dir = (root / "dist").string();

  auto index = find_console_file(dir, "index.html");
  REQUIRE(index);
  CHECK(index->body == "<!doctype html>");
  // SHA-256 of "<!doctype html>", quoted.
  CHECK(index->etag.size() == 66);
  CHECK(find_console_file(dir, "assets/app-1.js")->body == "x");
  CHECK_FALSE(find_console_file(dir, "../secret.txt"));
  CHECK_FALSE(find_console_file(dir, "assets"));  // a directory
  CHECK_FALSE(find_console_file(dir, "assets/none.js"));
  fs::remove_all(root);
}
