// A database that stops answering: PostgreSQL paused with SIGSTOP (the postmaster and every
// backend), so connections stay open but nothing ever replies. The server must answer 503 with
// Retry-After within seconds, fail /ready, recover by itself once PostgreSQL resumes, and still
// shut down on SIGTERM while the database hangs.
//
// Runs as its own CTest entry (e2e_db_pause) against a private cluster that the wrapper script
// tests/e2e/db_pause_test.sh starts, because pausing the shared one would stall other suites.

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/test_database.h"

namespace castor::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using testing::HttpClient;
using testing::HttpResponse;
using testing::ServerOptions;
using testing::ServerProcess;

// The parent pid of process `pid` from /proc/<pid>/stat, or -1.
pid_t parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  const auto close = stat.rfind(')');
  if (close == std::string::npos) {
    return -1;
  }
  // After "pid (comm) ": state, then ppid.
  std::istringstream rest(stat.substr(close + 2));
  std::string state;
  pid_t ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

// The postmaster's pid, from the postmaster.pid file in the cluster's data directory.
pid_t postmaster_pid(const std::string& admin_url) {
  pqxx::connection conn(admin_url);
  pqxx::nontransaction tx(conn);
  const auto data_dir = tx.exec("SHOW data_directory")[0][0].as<std::string>();
  std::ifstream in(std::filesystem::path(data_dir) / "postmaster.pid");
  pid_t pid = -1;
  in >> pid;
  if (pid <= 0) {
    throw std::runtime_error("cannot read postmaster.pid in " + data_dir);
  }
  return pid;
}

// Pauses the whole cluster (postmaster first, so it starts no new backend, then its children)
// and resumes it when destroyed, whatever the test's outcome.
class PausedDatabase {
 public:
  explicit PausedDatabase(pid_t postmaster) {
    stop(postmaster);
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      const pid_t pid = std::stoi(name);
      if (parent_of(pid) == postmaster) {
        stop(pid);
      }
    }
  }
  ~PausedDatabase() { resume(); }
  PausedDatabase(const PausedDatabase&) = delete;
  PausedDatabase& operator=(const PausedDatabase&) = delete;

  void resume() {
    for (pid_t pid : stopped_) {
      ::kill(pid, SIGCONT);
    }
    stopped_.clear();
  }
  std::size_t processes() const { return stopped_.size(); }

 private:
  void stop(pid_t pid) {
    if (::kill(pid, SIGSTOP) == 0) {
      stopped_.push_back(pid);
    }
  }
  std::vector<pid_t> stopped_;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

const char* admin_url() {
  const char* url = std::getenv("DATABASE_URL");
  if (url == nullptr) {
    throw std::runtime_error("DATABASE_URL is not set");
  }
  return url;
}

ServerOptions pause_options(const testing::TestDatabase& db) {
  return ServerOptions{.binary = castor_binary(),
                       .database_url = db.url(),
                       .extra_env = {{"DB_STATEMENT_TIMEOUT_SECONDS", "1"},
                                     {"DB_POOL_TIMEOUT_SECONDS", "2"},
                                     {"DB_CONNECT_TIMEOUT_SECONDS", "2"},
                                     {"SHUTDOWN_DELAY_SECONDS", "0"},
                                     {"SHUTDOWN_TIMEOUT_SECONDS", "5"}}};
}

}  // namespace

TEST_CASE("a paused database gives prompt 503s and a failing /ready; the server recovers",
          "[dbpause]") {
  auto db = testing::TestDatabase::create("castor_pause");
  ServerProcess server = ServerProcess::start(pause_options(db));
  HttpClient client = server.client(std::chrono::seconds(30));
  const std::string tenant = testing::unique_name("pause");
  const auto before = upload(client, {.tenant = tenant, .key = "before"}, "stored before");
  const std::string id = string_field(before, "id");
  REQUIRE(client.request("GET", "/ready").status == 200);

  const pid_t postmaster = postmaster_pid(admin_url());
  {
    PausedDatabase paused(postmaster);
    REQUIRE(paused.processes() >= 2);  // the postmaster and at least the server's backends

    // Every kind of database call answers 503 (with Retry-After), each within a few seconds:
    // the client deadline is statement timeout 1 s + 1 s, the pool wait 2 s.
    struct Call {
      const char* what;
      std::function<HttpResponse()> send;
    };
    const std::vector<Call> calls = {
        {"list",
         [&] { return client.request("GET", "/v1/objects?namespace=e2e&tenant_id=" + tenant); }},
        {"download", [&] { return by_id(client, "GET", id, tenant); }},
        {"upload", [&] { return post_object(client, {.tenant = tenant, .key = "during"}, "x"); }},
        {"delete", [&] { return by_id(client, "DELETE", id, tenant); }},
        {"list again",
         [&] { return client.request("GET", "/v1/objects?namespace=e2e&tenant_id=" + tenant); }},
        {"download again", [&] { return by_id(client, "GET", id, tenant); }},
    };
    for (const Call& call : calls) {
      INFO(call.what);
      const auto start = Clock::now();
      const HttpResponse r = call.send();
      const double took = seconds_since(start);
      INFO("took " << took << " s; body " << r.body);
      CHECK(r.status == 503);
      CHECK(r.header("Retry-After") == "1");
      CHECK(took < 6.0);
    }

    // /ready turns 503 within seconds (the probe's own deadline, or the verdict's max age).
    const auto start = Clock::now();
    int ready = 0;
    while (seconds_since(start) < 10.0 && (ready = client.request("GET", "/ready").status) != 503) {
    }
    CHECK(ready == 503);
    CHECK(seconds_since(start) < 10.0);
  }

  // Resumed: the server recovers by itself; a new upload succeeds and the old object is intact.
  const auto resumed = Clock::now();
  int status = 0;
  while (
      seconds_since(resumed) < 30.0 &&
      (status = post_object(client, {.tenant = tenant, .key = "after"}, "stored after").status) !=
          201) {
  }
  REQUIRE(status == 201);
  const HttpResponse again = by_id(client, "GET", id, tenant);
  CHECK(again.status == 200);
  CHECK(again.body == "stored before");
  int ready = 0;
  while (seconds_since(resumed) < 30.0 && (ready = client.request("GET", "/ready").status) != 200) {
  }
  CHECK(ready == 200);
}

TEST_CASE("SIGTERM completes while the database is paused", "[dbpause]") {
  auto db = testing::TestDatabase::create("castor_pause");
  ServerProcess server = ServerProcess::start(pause_options(db));
  const std::string tenant = testing::unique_name("pause");
  {
    HttpClient client = server.client();
    upload(client, {.tenant = tenant, .key = "before"}, "stored before");
  }
  PausedDatabase paused(postmaster_pid(admin_url()));
  // A request in flight, stuck on the database, while the server is told to stop.
  // (Whether it reaches the server before SIGTERM does not matter: the server's own background
  // threads, the readiness probe and the storage statistics, are stuck on the database too.)
  auto in_flight = std::async(std::launch::async, [port = server.port(), tenant] {
    try {
      HttpClient client("127.0.0.1", port, std::chrono::seconds(30));
      return client.request("GET", "/v1/objects?namespace=e2e&tenant_id=" + tenant).status;
    } catch (const std::exception&) {
      return 0;  // refused or closed without an answer: the server was already stopping
    }
  });
  server.kill(SIGTERM);
  const auto start = Clock::now();
  const testing::ProcessExit exit = server.wait(std::chrono::seconds(20));
  CHECK(seconds_since(start) < 12.0);
  CHECK(exit.exit_code == 0);
  paused.resume();
  const int status = in_flight.get();
  CHECK((status == 503 || status == 0));
}

}  // namespace castor::e2e
