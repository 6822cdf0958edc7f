// castorctl push --bundle and pull against a real server with the blob and bundle API.

#include <sys/stat.h>

#include <cstdlib>
#include <set>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/castorctl_support.h"
#include "support/random_data.h"
#include "support/sha256.h"
#include "support/temp_dir.h"

namespace castor::e2e {
namespace {

std::string describe(const CommandResult& result) {
  return "exit " + std::to_string(result.exit_code) + "\nstdout: " + result.out +
         "\nstderr: " + result.err;
}

boost::json::object json_out(const CommandResult& result) {
  INFO(describe(result));
  REQUIRE(result.exit_code == 0);
  return parse_object(result.out);
}

}  // namespace

TEST_CASE("castorctl push --bundle then pull gives back the tree; a second push sends nothing",
          "[castorctl][bundles]") {
  const std::string tenant = testing::unique_name("ctlb");
  testing::TempDir dir("castorctl-bundle");
  const auto [files, bytes] = make_tree(dir.path() / "tree", 200, 3 * 1024 * 1024);
  const std::string tree = (dir.path() / "tree").string();
  const auto expected = tree_digest(tree);

  const boost::json::object first =
      json_out(run_castorctl({"--json", "push", tree, "--bundle"}, tenant));
  CHECK(int_field(first, "files") == static_cast<std::int64_t>(files));
  // Two files share one content, so one blob fewer than files.
  CHECK(int_field(first, "blobs_total") == static_cast<std::int64_t>(files - 1));
  CHECK(int_field(first, "blobs_uploaded") == static_cast<std::int64_t>(files - 1));
  CHECK(int_field(first, "bytes_uploaded") == static_cast<std::int64_t>(bytes - 13));
  const std::string id = string_field(first, "bundle_id");
  REQUIRE_FALSE(id.empty());

  // The plain output is the id alone on stdout.
  const CommandResult second = run_castorctl({"push", tree, "--bundle"}, tenant);
  INFO(describe(second));
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.size() == 37);
  const boost::json::object third =
      json_out(run_castorctl({"--json", "push", tree, "--bundle"}, tenant));
  CHECK(int_field(third, "bytes_uploaded") == 0);
  CHECK(int_field(third, "blobs_uploaded") == 0);
  CHECK(int_field(third, "blobs_missing") == 0);

  // Pull: byte-exact, modes kept.
  const std::filesystem::path dest = dir.path() / "pulled";
  const boost::json::object pulled =
      json_out(run_castorctl({"--json", "pull", id, dest.string()}, tenant));
  CHECK(int_field(pulled, "files_downloaded") == static_cast<std::int64_t>(files));
  CHECK(tree_digest(dest) == expected);

  // A damaged file is fetched again; intact ones are kept.
  write_file(dest / "big" / "model.bin", "damaged");
  const boost::json::object repaired =
      json_out(run_castorctl({"--json", "pull", id, dest.string()}, tenant));
  CHECK(int_field(repaired, "files_downloaded") == 1);
  CHECK(int_field(repaired, "files_unchanged") == static_cast<std::int64_t>(files - 1));
  CHECK(tree_digest(dest) == expected);

  // Default destination: ./<id>.
  const CommandResult in_cwd = run_castorctl({"pull", id}, tenant, {}, dir.path());
  INFO(describe(in_cwd));
  REQUIRE(in_cwd.exit_code == 0);
  CHECK(tree_digest(dir.path() / id) == expected);

  // --zip saves the archive; unzip gives back the tree.
  const std::filesystem::path zip = dir.path() / "bundle.zip";
  const CommandResult zipped = run_castorctl({"pull", id, "--zip", zip.string()}, tenant);
  INFO(describe(zipped));
  REQUIRE(zipped.exit_code == 0);
  const std::filesystem::path unzipped = dir.path() / "unzipped";
  const std::string unzip = "unzip -q -d '" + unzipped.string() + "' '" + zip.string() + "'";
  REQUIRE(std::system(unzip.c_str()) == 0);
  auto from_zip = tree_digest(unzipped);
  for (auto& [path, digest] : from_zip) {
    CHECK(digest.first == expected.at(path).first);
  }
  CHECK(from_zip.size() == expected.size());

  const CommandResult listed = run_castorctl({"--json", "ls", "bundles"}, tenant);
  REQUIRE(listed.exit_code == 0);
  CHECK(listed.out.find(id) != std::string::npos);
  const boost::json::object stat =
      json_out(run_castorctl({"--json", "stat", "--bundle", id}, tenant));
  CHECK(int_field(stat, "file_count") == static_cast<std::int64_t>(files));
  CHECK(int_field(stat, "total_bytes") == static_cast<std::int64_t>(bytes));

  REQUIRE(run_castorctl({"rm", "--bundle", id}, tenant).exit_code == 0);
  CHECK(run_castorctl({"pull", id, (dir.path() / "gone").string()}, tenant).exit_code == 4);
  CHECK(run_castorctl({"rm", "--bundle", id}, tenant).exit_code == 4);
}

TEST_CASE(
    "castorctl push --bundle of a big tree (2,000 small files, a 200 MiB file) pulls back equal; "
    "a second push sends 0 bytes",
    "[castorctl][bundles]") {
  const std::string tenant = testing::unique_name("ctlb");
  testing::TempDir dir("castorctl-big-tree");
  const std::filesystem::path tree = dir.path() / "tree";
  auto [files, bytes] = make_tree(tree, 2000, 0);  // nested dirs, spaces, UTF-8, "empty"
  const std::string big_hash = write_random_file(tree / "big" / "weights 200 MiB.bin", 200 << 20);
  for (const char* empty : {"nested/a/b/also empty", "ünïcødé/leer", "dir with space/0 bytes"}) {
    write_file(tree / empty, "");
  }
  files += 4;
  bytes += 200 << 20;
  const auto expected = tree_digest(tree);
  REQUIRE(expected.size() == files);
  std::set<std::string> contents;
  std::uint64_t distinct_bytes = 0;
  for (const auto& [path, digest] : expected) {
    if (contents.insert(digest.first).second) {
      distinct_bytes += std::filesystem::file_size(tree / path);
    }
  }

  const boost::json::object first =
      json_out(run_castorctl({"--json", "push", tree.string(), "--bundle"}, tenant));
  CHECK(int_field(first, "files") == static_cast<std::int64_t>(files));
  CHECK(int_field(first, "bytes_total") == static_cast<std::int64_t>(bytes));
  CHECK(int_field(first, "blobs_total") == static_cast<std::int64_t>(contents.size()));
  CHECK(int_field(first, "blobs_uploaded") == static_cast<std::int64_t>(contents.size()));
  CHECK(int_field(first, "bytes_uploaded") == static_cast<std::int64_t>(distinct_bytes));
  CHECK(int_field(first, "parts_uploaded") == 4);  // 200 MiB in parts of 64 MiB
  CHECK(int_field(first, "parts_reused") == 0);
  const std::string id = string_field(first, "bundle_id");

  const std::filesystem::path dest = dir.path() / "pulled";
  const boost::json::object pulled =
      json_out(run_castorctl({"--json", "pull", id, dest.string()}, tenant));
  CHECK(int_field(pulled, "files_downloaded") == static_cast<std::int64_t>(files));
  const std::string diff = "diff -r '" + tree.string() + "' '" + dest.string() + "'";
  CHECK(std::system(diff.c_str()) == 0);
  CHECK(tree_digest(dest) == expected);
  CHECK(testing::sha256_file_hex(dest / "big" / "weights 200 MiB.bin") == big_hash);

  const boost::json::object second =
      json_out(run_castorctl({"--json", "push", tree.string(), "--bundle"}, tenant));
  CHECK(int_field(second, "bytes_uploaded") == 0);
  CHECK(int_field(second, "blobs_missing") == 0);
  CHECK(int_field(second, "parts_uploaded") == 0);
  CHECK_FALSE(string_field(second, "bundle_id").empty());
  CHECK(string_field(second.at("bundle").as_object(), "merkle_root") ==
        string_field(first.at("bundle").as_object(), "merkle_root"));
}

TEST_CASE("castorctl pull of another tenant's bundle is not found", "[castorctl][bundles]") {
  const std::string owner = testing::unique_name("ctlb");
  testing::TempDir dir("castorctl-bundle-tenant");
  write_file(dir.path() / "tree" / "secret.txt", testing::random_bytes(100));
  const boost::json::object pushed = json_out(
      run_castorctl({"--json", "push", (dir.path() / "tree").string(), "--bundle"}, owner));
  const std::string id = string_field(pushed, "bundle_id");
  const CommandResult other =
      run_castorctl({"pull", id, (dir.path() / "out").string()}, testing::unique_name("ctlb"));
  INFO(describe(other));
  CHECK(other.exit_code == 4);
}

}  // namespace castor::e2e
