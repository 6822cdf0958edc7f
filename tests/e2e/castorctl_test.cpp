// castorctl, the real binary, against a real server: objects (put/get/stat/ls/rm), keyed pushes,
// configuration and exit codes. Bundles (push --bundle, pull) are in castorctl_bundle_test.cpp.

#include <sys/stat.h>

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

TEST_CASE("castorctl put, get, stat, ls and rm round-trip exact bytes with exit codes",
          "[castorctl]") {
  const std::string tenant = testing::unique_name("ctl");
  testing::TempDir dir("castorctl-objects");
  const std::string content = testing::random_bytes(300'000);
  write_file(dir.path() / "in.bin", content);
  const std::string key = "docs/ünï code/in.bin";

  const CommandResult put = run_castorctl({"put", (dir.path() / "in.bin").string(), key}, tenant);
  INFO(describe(put));
  REQUIRE(put.exit_code == 0);
  const std::string id = put.out.substr(0, put.out.find('\n'));
  CHECK(id.size() == 36);

  // To a file, to stdout ('-' and absent: stdout is not a terminal here), by key and by id.
  const CommandResult get_file =
      run_castorctl({"get", key, (dir.path() / "out.bin").string()}, tenant);
  INFO(describe(get_file));
  REQUIRE(get_file.exit_code == 0);
  CHECK((read_whole(dir.path() / "out.bin") == content));
  const CommandResult get_dash = run_castorctl({"get", key, "-"}, tenant);
  REQUIRE(get_dash.exit_code == 0);
  CHECK((get_dash.out == content));
  const CommandResult get_id = run_castorctl({"get", id}, tenant);
  REQUIRE(get_id.exit_code == 0);
  CHECK((get_id.out == content));

  const boost::json::object stat = json_out(run_castorctl({"--json", "stat", key}, tenant));
  CHECK(string_field(stat, "id") == id);
  CHECK(int_field(stat, "size_bytes") == 300'000);
  CHECK(string_field(stat, "content_hash") == "sha256:" + testing::sha256_hex(content));
  const boost::json::object stat_id = json_out(run_castorctl({"--json", "stat", id}, tenant));
  CHECK(int_field(stat_id, "size_bytes") == 300'000);
  CHECK(string_field(stat_id, "content_hash") == "sha256:" + testing::sha256_hex(content));

  const CommandResult ls = run_castorctl({"--json", "ls", "objects", "docs/"}, tenant);
  INFO(describe(ls));
  REQUIRE(ls.exit_code == 0);
  const boost::json::array listed = boost::json::parse(ls.out).as_array();
  REQUIRE(listed.size() == 1);
  CHECK(string_field(listed[0].as_object(), "key") == key);
  const CommandResult ls_text = run_castorctl({"ls", "objects"}, tenant);
  REQUIRE(ls_text.exit_code == 0);
  CHECK(ls_text.out.find(key) != std::string::npos);

  // The same content again: nothing to do. Other content: refused (2) unless --replace.
  const CommandResult again = run_castorctl({"put", (dir.path() / "in.bin").string(), key}, tenant);
  CHECK(again.exit_code == 0);
  write_file(dir.path() / "other.bin", "other content");
  CHECK(run_castorctl({"put", (dir.path() / "other.bin").string(), key}, tenant).exit_code == 2);
  const CommandResult replaced =
      run_castorctl({"put", "--replace", (dir.path() / "other.bin").string(), key}, tenant);
  INFO(describe(replaced));
  REQUIRE(replaced.exit_code == 0);
  CHECK((run_castorctl({"get", key}, tenant).out == "other content"));
  CHECK(run_castorctl({"get", id}, tenant).exit_code == 4);  // the replaced object is gone

  REQUIRE(run_castorctl({"rm", key}, tenant).exit_code == 0);
  CHECK(run_castorctl({"get", key, "-"}, tenant).exit_code == 4);
  CHECK(run_castorctl({"stat", key}, tenant).exit_code == 4);
  CHECK(run_castorctl({"rm", key}, tenant).exit_code == 4);
  CHECK(run_castorctl({"get", "no/such/key", (dir.path() / "x").string()}, tenant).exit_code == 4);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "x"));
  CHECK(run_castorctl({"put", (dir.path() / "missing.bin").string(), "k"}, tenant).exit_code == 1);
  CHECK(run_castorctl({"frobnicate"}, tenant).exit_code == 1);
}

TEST_CASE("castorctl push --prefix creates keyed objects; an unchanged tree uploads 0 bytes",
          "[castorctl]") {
  const std::string tenant = testing::unique_name("ctl");
  testing::TempDir dir("castorctl-keyed");
  const auto [files, bytes] = make_tree(dir.path() / "tree", 200, 3 * 1024 * 1024);
  write_file(dir.path() / "tree" / "skip-me.tmp", "excluded");
  const std::string tree = (dir.path() / "tree").string();

  // --dry-run changes nothing.
  const boost::json::object dry = json_out(run_castorctl(
      {"--json", "push", tree, "--prefix", "m/", "--exclude", "*.tmp", "--dry-run"}, tenant));
  CHECK(int_field(dry, "files") == static_cast<std::int64_t>(files));
  CHECK(int_field(dry, "bytes_uploaded") == 0);
  CHECK(boost::json::parse(run_castorctl({"--json", "ls", "objects"}, tenant).out)
            .as_array()
            .empty());

  const boost::json::object first = json_out(
      run_castorctl({"--json", "push", tree, "--prefix", "m/", "--exclude", "*.tmp"}, tenant));
  CHECK(int_field(first, "files") == static_cast<std::int64_t>(files));
  CHECK(int_field(first, "bytes_total") == static_cast<std::int64_t>(bytes));
  CHECK(int_field(first, "objects_created") == static_cast<std::int64_t>(files));
  CHECK(int_field(first, "bytes_uploaded") == static_cast<std::int64_t>(bytes));
  CHECK(first.at("bundle_id").is_null());

  // Every key holds its file's exact bytes.
  testing::HttpClient client = castorctl_environment().server.client();
  const testing::Headers auth = bearer(castorctl_environment().admin.key);
  const CommandResult listed = run_castorctl({"--json", "ls", "objects", "m/"}, tenant);
  REQUIRE(listed.exit_code == 0);
  CHECK(boost::json::parse(listed.out).as_array().size() == files);
  for (const auto& [relative, digest] : tree_digest(tree)) {
    if (relative == "skip-me.tmp") {
      continue;
    }
    const testing::HttpResponse got =
        client.request("GET", by_key_target("e2e", tenant, "m/" + relative), auth);
    INFO(relative);
    REQUIRE(got.status == 200);
    CHECK(testing::sha256_hex(got.body) == digest.first);
  }
  CHECK(client.request("GET", by_key_target("e2e", tenant, "m/skip-me.tmp"), auth).status == 404);

  const boost::json::object second = json_out(
      run_castorctl({"--json", "push", tree, "--prefix", "m/", "--exclude", "*.tmp"}, tenant));
  CHECK(int_field(second, "bytes_uploaded") == 0);
  CHECK(int_field(second, "objects_created") == 0);
  CHECK(int_field(second, "objects_unchanged") == static_cast<std::int64_t>(files));

  // One changed file: only it is sent, and its key now holds the new bytes.
  write_file(dir.path() / "tree" / "with space.txt", "changed!");
  const boost::json::object third = json_out(
      run_castorctl({"--json", "push", tree, "--prefix", "m/", "--exclude", "*.tmp"}, tenant));
  CHECK(int_field(third, "bytes_uploaded") == 8);
  CHECK(int_field(third, "objects_replaced") == 1);
  CHECK((run_castorctl({"get", "m/with space.txt"}, tenant).out == "changed!"));
}

TEST_CASE("castorctl with a bad API key exits 2 and never prints the key", "[castorctl]") {
  const std::string tenant = testing::unique_name("ctl");
  testing::TempDir dir("castorctl-badkey");
  write_file(dir.path() / "f.txt", "x");
  const std::string bad_key = "cst_0123456789abcdef_thisisnotavalidsecretatall0123456789";
  const std::vector<std::vector<std::string>> commands = {
      {"ls", "objects"},
      {"-v", "get", "some/key", "-"},
      {"-v", "put", (dir.path() / "f.txt").string(), "k"},
      {"-v", "push", (dir.path() / "f.txt").string(), "--prefix", "p/"},
      {"--json", "stat", "some/key"}};
  for (const auto& args : commands) {
    const CommandResult result = run_castorctl(args, tenant, {{"CASTOR_API_KEY", bad_key}});
    INFO(args[1] << ": " << describe(result));
    CHECK(result.exit_code == 2);
    CHECK(result.out.find("thisisnotavalidsecret") == std::string::npos);
    CHECK(result.err.find("thisisnotavalidsecret") == std::string::npos);
    CHECK(result.err.find("401") != std::string::npos);
  }
}

TEST_CASE("castorctl exits 2 when the server cannot be reached, after bounded retries",
          "[castorctl]") {
  const auto start = std::chrono::steady_clock::now();
  const CommandResult result =
      run_castorctl({"ls", "objects"}, "t", {{"CASTOR_URL", "http://127.0.0.1:1"}});
  INFO(describe(result));
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("127.0.0.1") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
}

TEST_CASE(
    "castorctl reads its config file, below flags and environment, and warns about a "
    "readable key",
    "[castorctl]") {
  const std::string tenant = testing::unique_name("ctl");
  CastorctlEnvironment& environment = castorctl_environment();
  testing::TempDir dir("castorctl-config");
  const std::filesystem::path config = dir.path() / "config.toml";
  write_file(config, "url = \"" + environment.url() + "\"\napi_key = \"" + environment.admin.key +
                         "\"\ntenant = \"" + tenant + "\"\nnamespace = \"from-file\"\n");
  ::chmod(config.c_str(), 0600);
  write_file(dir.path() / "f.txt", "config file content");
  // Only the file names the server, the key and the tenant.
  const std::map<std::string, std::string> file_only = {{"CASTOR_CONFIG", config.string()},
                                                        {"CASTOR_URL", ""},
                                                        {"CASTOR_API_KEY", ""},
                                                        {"CASTOR_TENANT", ""},
                                                        {"CASTOR_NAMESPACE", ""}};
  const CommandResult put =
      run_castorctl({"put", (dir.path() / "f.txt").string(), "cfg.txt"}, "", file_only);
  INFO(describe(put));
  REQUIRE(put.exit_code == 0);
  CHECK(put.err.find("warning") == std::string::npos);
  testing::HttpClient client = environment.server.client();
  const testing::Headers auth = bearer(environment.admin.key);
  CHECK(client.request("GET", by_key_target("from-file", tenant, "cfg.txt"), auth).status == 200);

  // A flag beats the file; the environment beats the file.
  CHECK(run_castorctl({"--namespace", "e2e", "stat", "cfg.txt"}, "", file_only).exit_code == 4);
  auto env_ns = file_only;
  env_ns["CASTOR_NAMESPACE"] = "e2e";
  CHECK(run_castorctl({"stat", "cfg.txt"}, "", env_ns).exit_code == 4);
  CHECK(run_castorctl({"stat", "cfg.txt"}, "", file_only).exit_code == 0);

  // Readable by others: a warning naming the file, never the key.
  ::chmod(config.c_str(), 0644);
  const CommandResult warned = run_castorctl({"stat", "cfg.txt"}, "", file_only);
  CHECK(warned.exit_code == 0);
  CHECK(warned.err.find("warning: " + config.string()) != std::string::npos);
  CHECK(warned.err.find(environment.admin.key) == std::string::npos);

  // A broken file is a usage error; so is a CASTOR_CONFIG that does not exist.
  write_file(config, "url = \n");
  CHECK(run_castorctl({"stat", "cfg.txt"}, "", file_only).exit_code == 1);
  auto missing = file_only;
  missing["CASTOR_CONFIG"] = (dir.path() / "nope.toml").string();
  CHECK(run_castorctl({"stat", "cfg.txt"}, "", missing).exit_code == 1);
}

}  // namespace castor::e2e

namespace castor::e2e {

TEST_CASE("castorctl retries 429 after Retry-After and completes the push", "[castorctl]") {
  CastorctlEnvironment& environment = castorctl_environment();
  testing::ServerProcess limited = testing::ServerProcess::start(auth_server_options(
      environment.database.url(),
      {{"RATE_LIMIT_RPS", "4"}, {"RATE_LIMIT_BURST", "2"}, {"LOG_LEVEL", "warn"}}));
  const std::string tenant = testing::unique_name("ctl");
  testing::TempDir dir("castorctl-429");
  for (int i = 0; i < 8; ++i) {
    write_file(dir.path() / "tree" / ("f" + std::to_string(i)), testing::random_bytes(100));
  }
  const CommandResult result = run_castorctl(
      {"--json", "-v", "push", (dir.path() / "tree").string(), "--prefix", "r/", "--jobs", "2"},
      tenant, {{"CASTOR_URL", "http://127.0.0.1:" + std::to_string(limited.port())}});
  INFO(describe(result));
  REQUIRE(result.exit_code == 0);
  CHECK(int_field(parse_object(result.out), "objects_created") == 8);
  CHECK(result.err.find("< 429") != std::string::npos);
  CHECK(result.err.find("retrying in 1") != std::string::npos);  // Retry-After: 1, + jitter
  CHECK(result.err.find(environment.admin.key) == std::string::npos);
}

}  // namespace castor::e2e
