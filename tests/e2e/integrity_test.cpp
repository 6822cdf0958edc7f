// Knowing the data is intact: `castor fsck`, POST /v1/admin/fsck and the background scrubber,
// against servers of their own (they damage storage on purpose).

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/sha256.h"
#include "support/storage_files.h"
#include "support/test_database.h"

namespace castor::e2e {
namespace {

namespace fs = std::filesystem;
using testing::HttpClient;

using Env = std::map<std::string, std::string>;

struct OwnServer {
  explicit OwnServer(std::map<std::string, std::string> env)
      : database(testing::TestDatabase::create("castor_integrity")),
        server(testing::ServerProcess::start({.binary = castor_binary(),
                                              .database_url = database.url(),
                                              .storage_root = {},
                                              .extra_env = std::move(env)})) {}

  // `castor fsck ARGS...` on this server's database and storage.
  CommandResult fsck(std::vector<std::string> args = {}) {
    args.insert(args.begin(), "fsck");
    args.insert(args.end(), {"--hot-storage-path", server.hot_root().string(),
                             "--cold-storage-path", server.cold_root().string()});
    return run_castor(args, database.url());
  }

  testing::TestDatabase database;
  testing::ServerProcess server;
};

// castor_integrity_errors_total as /metrics shows it.
std::int64_t integrity_errors(HttpClient& client) {
  const auto response = client.request("GET", "/metrics");
  REQUIRE(response.status == 200);
  constexpr std::string_view kName = "\ncastor_integrity_errors_total ";
  const auto at = response.body.find(kName);
  REQUIRE(at != std::string::npos);
  return std::stoll(response.body.substr(at + kName.size()));
}

void flip_a_bit(const fs::path& file, std::streamoff offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(offset);
  const char c = static_cast<char>(f.get());
  f.seekp(offset);
  f.put(static_cast<char>(c ^ 0x04));
  REQUIRE(f);
}

}  // namespace

TEST_CASE("a flipped bit is found by the scrubber; the object then answers 500 data_loss",
          "[e2e][integrity]") {
  // Content files are what these tests damage: every upload takes the file path.
  OwnServer own(Env{{"SCRUB_BYTES_PER_SECOND", "1000000000"},
                    {"SCRUB_INTERVAL_SECONDS", "1"},
                    {"INLINE_MAX_BYTES", "0"}});
  HttpClient client = own.server.client();
  const std::string content = testing::random_bytes(64 * 1024);
  const auto rotten = upload(client, {.tenant = "t1", .key = "rotten"}, content);
  const auto intact = upload(client, {.tenant = "t1", .key = "intact"}, "fine");
  flip_a_bit(testing::content_path(own.server.hot_root(), testing::sha256_hex(content)), 1000);

  // The scrubber re-verifies every blob each second: wait (bounded) for it to notice.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (integrity_errors(client) == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
  }
  CHECK(integrity_errors(client) == 1);
  require_error(by_id(client, "GET", string_field(rotten, "id"), "t1"), 500, "data_loss");
  CHECK(by_id(client, "HEAD", string_field(rotten, "id"), "t1").status == 500);
  const auto fine = by_id(client, "GET", string_field(intact, "id"), "t1");
  CHECK(fine.status == 200);
  CHECK(fine.body == "fine");
  CHECK(own.server.log().find("DATA LOSS: blob hot/" + testing::sha256_hex(content)) !=
        std::string::npos);

  // Uploading the same content again puts a good copy back.
  upload(client, {.tenant = "t1", .key = "again"}, content);
  const auto healed = by_id(client, "GET", string_field(rotten, "id"), "t1");
  CHECK(healed.status == 200);
  CHECK(healed.body == content);
}

TEST_CASE("castor fsck reports, repairs what is safe, and says so in its exit status",
          "[e2e][integrity]") {
  OwnServer own(Env{{"SCRUB_BYTES_PER_SECOND", "0"}, {"INLINE_MAX_BYTES", "0"}});
  HttpClient client = own.server.client();
  upload(client, {.tenant = "t1", .key = "a"}, "kept content");
  const std::string lost_content = "content whose file goes missing";
  const auto lost = upload(client, {.tenant = "t1", .key = "b"}, lost_content);
  const std::string lost_hash = testing::sha256_hex(lost_content);

  const auto clean = own.fsck();
  INFO(clean.out << clean.err);
  CHECK(clean.exit_code == 0);
  CHECK(clean.out ==
        "fsck: blobs=2 files=2 missing=0 size_mismatch=0 orphans=0 refcount_mismatch=0 "
        "repaired=0\n");

  fs::remove(testing::content_path(own.server.hot_root(), lost_hash));
  const std::string orphan_hash = testing::sha256_hex("orphan");
  const fs::path orphan = testing::content_path(own.server.hot_root(), orphan_hash);
  fs::create_directories(orphan.parent_path());
  std::ofstream(orphan) << "orphan";

  const auto found = own.fsck();
  INFO(found.out << found.err);
  CHECK(found.exit_code == 1);
  CHECK(found.out.find("missing hot/" + lost_hash + " size=" + std::to_string(lost_content.size()) +
                       " objects=" + string_field(lost, "id") + "\n") != std::string::npos);
  CHECK(found.out.find("orphan hot/" + orphan_hash + "\n") != std::string::npos);
  CHECK(found.out.ends_with(
      "fsck: blobs=2 files=2 missing=1 size_mismatch=0 orphans=1 refcount_mismatch=0 "
      "repaired=0\n"));
  CHECK(fs::exists(orphan));

  const auto repaired = own.fsck({"--repair"});
  INFO(repaired.out << repaired.err);
  CHECK(repaired.exit_code == 1);  // the lost content cannot be repaired
  CHECK(repaired.out.find("orphan hot/" + orphan_hash + " repaired\n") != std::string::npos);
  CHECK(repaired.out.ends_with("orphans=1 refcount_mismatch=0 repaired=1\n"));
  CHECK_FALSE(fs::exists(orphan));

  // An upload of the lost content puts it back: clean again.
  upload(client, {.tenant = "t1", .key = "c"}, lost_content);
  const auto healed = own.fsck();
  INFO(healed.out << healed.err);
  CHECK(healed.exit_code == 0);
  CHECK(
      healed.out.ends_with("missing=0 size_mismatch=0 orphans=0 refcount_mismatch=0 "
                           "repaired=0\n"));

  const auto usage = own.fsck({"--no-such-flag"});
  CHECK(usage.exit_code == 2);
}

TEST_CASE("POST /v1/admin/fsck answers a JSON report", "[e2e][integrity]") {
  OwnServer own(Env{{"SCRUB_BYTES_PER_SECOND", "0"}, {"INLINE_MAX_BYTES", "0"}});
  HttpClient client = own.server.client();
  upload(client, {.tenant = "t1", .key = "a"}, "some content");
  const fs::path orphan = testing::content_path(own.server.hot_root(), testing::sha256_hex("o"));
  fs::create_directories(orphan.parent_path());
  std::ofstream(orphan) << "o";

  const auto check = client.request("POST", "/v1/admin/fsck");
  INFO(check.body);
  REQUIRE(check.status == 200);
  const auto report = parse_object(check.body);
  CHECK(int_field(report, "blobs") == 1);
  CHECK(int_field(report, "files") == 2);
  CHECK(int_field(report, "orphans") == 1);
  CHECK(int_field(report, "repaired") == 0);
  CHECK(report.at("clean").as_bool() == false);
  CHECK(report.at("findings").as_array().size() == 1);
  CHECK(fs::exists(orphan));

  const auto repair = client.request("POST", "/v1/admin/fsck?repair=true");
  REQUIRE(repair.status == 200);
  CHECK(parse_object(repair.body).at("clean").as_bool());
  CHECK_FALSE(fs::exists(orphan));

  require_error(client.request("POST", "/v1/admin/fsck?repair=maybe"), 400, "");
  require_error(client.request("GET", "/v1/admin/fsck"), 405, "method_not_allowed");
}

}  // namespace castor::e2e
