// Issue 11, power loss end to end: objects small (inline-sized) and large are uploaded through
// HTTP and, right after each 201, castor and the whole PostgreSQL cluster (postmaster and every
// backend) are killed with SIGKILL at once. PostgreSQL then recovers from its WAL, castor starts
// again, and every acknowledged object must read back byte for byte, while an upload that was in
// flight at the kill must not be visible. PostgreSQL's durability is the production one
// (fsync=on, synchronous_commit=on): the wrapper tests/e2e/power_loss_test.sh starts a private
// cluster for this (CTest e2e_power_loss), since killing the shared one would break the other
// suites. The kill of castor models the process dying; its files stay in the page cache (the
// in-process model, tests/infrastructure/power_loss_pg_test.cpp, drops what was not fsynced).

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "e2e/castor_api.h"
#include "e2e/inline_state.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/sha256.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

// Sizes of the acknowledged uploads, one kill each: inline-sized (up to 65536) and large.
const std::vector<std::size_t> kSizes = {1000, 3 << 20, 65536, 40000, 1 << 20, 10, 200000, 65537};
constexpr std::size_t kInFlightSize = 1 << 20;  // an upload half sent at each kill
constexpr auto kGoneWithin = std::chrono::seconds(30);

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: run these tests through tests/e2e/power_loss_test.sh");
  }
  return value;
}

std::string show(const std::string& url, const std::string& setting) {
  pqxx::connection connection(url);
  pqxx::nontransaction tx(connection);
  return tx.exec("SHOW " + setting)[0][0].as<std::string>();
}

pid_t parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  const auto close = stat.rfind(')');
  if (close == std::string::npos) {
    return -1;
  }
  std::istringstream rest(stat.substr(close + 2));
  std::string state;
  pid_t ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

// Whether process `pid` still exists, even as a zombie: PostgreSQL refuses to start while the
// pid in its lock file exists, so a killed postmaster must have been reaped (by init, which in
// some containers only reaps now and then).
bool exists(pid_t pid) { return std::filesystem::exists("/proc/" + std::to_string(pid)); }

// SIGKILL to the postmaster of `data_dir` and all its children at once, then waits until none
// exists. Nothing is flushed, nothing is shut down: PostgreSQL's next start is a crash recovery.
void kill_cluster(const std::filesystem::path& data_dir) {
  std::ifstream in(data_dir / "postmaster.pid");
  pid_t postmaster = -1;
  in >> postmaster;
  REQUIRE(postmaster > 0);
  std::vector<pid_t> victims = {postmaster};
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") == std::string::npos) {
      const pid_t pid = std::stoi(name);
      if (parent_of(pid) == postmaster) {
        victims.push_back(pid);
      }
    }
  }
  for (const pid_t pid : victims) {
    ::kill(pid, SIGKILL);
  }
  const auto deadline = std::chrono::steady_clock::now() + kGoneWithin;
  for (const pid_t pid : victims) {
    while (exists(pid)) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval
    }
  }
}

void restart_cluster() {
  const std::string command = required_env("CASTOR_POWERLOSS_SCRIPT") + " --restart-pg " +
                              required_env("CASTOR_POWERLOSS_PG_DIR");
  REQUIRE(std::system(command.c_str()) == 0);
}

struct Acknowledged {
  std::string key;
  std::string id;
  std::string hash;
  std::size_t size = 0;
};

// Every acknowledged object reads back exactly; every upload cut short is invisible.
void check_after_restart(HttpClient& client, const std::string& tenant,
                         const std::vector<Acknowledged>& acknowledged,
                         const std::vector<std::string>& cut_short) {
  for (const Acknowledged& ack : acknowledged) {
    const HttpResponse got = by_id(client, "GET", ack.id, tenant);
    INFO("acknowledged " << ack.key << " (" << ack.size << " bytes): GET " << got.status);
    CHECK(got.status == 200);
    CHECK(got.body.size() == ack.size);
    CHECK(testing::sha256_hex(got.body) == ack.hash);
    const HttpResponse by_key = client.request("GET", by_key_target("e2e", tenant, ack.key));
    CHECK(by_key.status == 200);
    CHECK(testing::sha256_hex(by_key.body) == ack.hash);
  }
  for (const std::string& key : cut_short) {
    INFO("upload in flight at the kill: " << key);
    CHECK(client.request("GET", by_key_target("e2e", tenant, key)).status == 404);
  }
}

}  // namespace

TEST_CASE("acknowledged uploads survive kill -9 of castor and PostgreSQL right after the 201",
          "[powerloss]") {
  const std::string admin_url = required_env("DATABASE_URL");
  // Meaningless against a throwaway cluster: PostgreSQL must be as durable as in production.
  REQUIRE(show(admin_url, "fsync") == "on");
  REQUIRE(show(admin_url, "synchronous_commit") == "on");
  REQUIRE(show(admin_url, "full_page_writes") == "on");
  const std::filesystem::path data_dir = show(admin_url, "data_directory");

  testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_powerloss");
  testing::TempDir storage("castor-powerloss");
  testing::ServerOptions options{
      .binary = castor_binary(),
      .database_url = database.url(),
      .storage_root = storage.path(),
      .max_object_size = 16 * 1024 * 1024,
      .extra_env = {{"INLINE_MAX_BYTES", std::to_string(kDefaultInlineMaxBytes)}}};
  const std::string tenant = testing::unique_name("powerloss");
  std::vector<Acknowledged> acknowledged;
  std::vector<std::string> cut_short;
  const auto started = std::chrono::steady_clock::now();

  for (std::size_t round = 0; round < kSizes.size(); ++round) {
    testing::ServerProcess server = testing::ServerProcess::start(options);
    HttpClient client = server.client();
    {
      INFO("after " << round << " kills");
      check_after_restart(client, tenant, acknowledged, cut_short);
    }
    // An upload in flight: half its body sent, never finished.
    const std::string in_flight_key = "in-flight/" + std::to_string(round);
    HttpClient in_flight("127.0.0.1", server.port());
    in_flight.begin("POST", "/v1/objects", object_headers({.tenant = tenant, .key = in_flight_key}),
                    HttpClient::Framing::kContentLength, kInFlightSize);
    REQUIRE(in_flight.send(testing::random_bytes(kInFlightSize / 2)));
    cut_short.push_back(in_flight_key);

    const testing::RandomContent content = testing::random_content(kSizes[round]);
    const std::string key = "acked/" + std::to_string(round);
    const HttpResponse response =
        post_object(client, {.tenant = tenant, .key = key}, content.bytes);
    // Acknowledged: kill everything now.
    server.kill(SIGKILL);
    kill_cluster(data_dir);
    INFO("upload " << key << ": " << response.status << " " << response.body);
    REQUIRE(response.status == 201);
    acknowledged.push_back(
        {key, string_field(parse_object(response.body), "id"), content.hash, content.bytes.size()});
    CHECK(server.wait().signal == SIGKILL);
    restart_cluster();
  }

  // After the last kill: everything is there, and once abandoned uploads have expired and GC has
  // run, the storage agrees with the metadata.
  options.extra_env["WRITING_TIMEOUT_SECONDS"] = "1";
  testing::ServerProcess janitor = testing::ServerProcess::start(options);
  HttpClient client = janitor.client();
  check_after_restart(client, tenant, acknowledged, cut_short);
  std::vector<std::string> violations;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    run_gc(client);
    violations = path_invariant_violations(database.url(), storage.path());
    if (violations.empty() || std::chrono::steady_clock::now() > deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // poll interval
  }
  for (const std::string& violation : violations) {
    FAIL_CHECK(violation);
  }
  const boost::json::object fsck = run_fsck(client);
  CHECK(fsck.at("clean").as_bool());
  check_after_restart(client, tenant, acknowledged, cut_short);
  // Both write paths were exercised (once migration 010 is there): inline-sized content in its
  // blob row, larger content in a file.
  if (inline_column_exists(database.url())) {
    for (const Acknowledged& ack : acknowledged) {
      const StoredContent stored = stored_content(database.url(), storage.path(), "hot", ack.hash);
      INFO(ack.key << " (" << ack.size << " bytes): " << stored.describe());
      CHECK(stored.inline_content == (ack.size <= kDefaultInlineMaxBytes));
      CHECK(stored.file == (ack.size > kDefaultInlineMaxBytes));
    }
  }
  WARN(kSizes.size()
       << " kills of castor and PostgreSQL in "
       << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
       << " s");
}

}  // namespace castor::e2e
