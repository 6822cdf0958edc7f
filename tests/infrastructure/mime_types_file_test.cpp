#include "infrastructure/mime_types_file.h"

#include <catch2/catch.hpp>

namespace castor {
namespace {

TEST_CASE("a mime.types table maps extensions case-insensitively, first entry wins", "[unit]") {
  const MimeTypesFile table = MimeTypesFile::parse(
      "# comment line\n"
      "application/json\t\t\t\tjson map\n"
      "text/plain txt text # trailing comment\n"
      "notatype foo\n"
      "application/x-other json\n"
      "image/png png\r\n");
  CHECK(table.size() == 5);
  CHECK(table.for_name("model/config.json") == "application/json");
  CHECK(table.for_name("README.TXT") == "text/plain");
  CHECK(table.for_name("a.png") == "image/png");
  CHECK(table.for_name("x.foo") == std::nullopt);
  CHECK(table.for_name("noext") == std::nullopt);
  CHECK(table.for_name("dir.json/file") == std::nullopt);
  CHECK(table.for_name("trailing.") == std::nullopt);
}

TEST_CASE("the system's mime.types knows the common types", "[unit]") {
  const MimeTypesFile table = MimeTypesFile::load();  // media-types is installed by scripts/test
  CHECK(table.for_name("a.json") == "application/json");
  CHECK(table.for_name("a.txt") == "text/plain");
  CHECK(MimeTypesFile::load("/nonexistent/mime.types").size() == 0);
}

}  // namespace
}  // namespace castor
