// The server process itself: graceful shutdown on SIGTERM, refusal of a bad configuration, and
// content that outlives a restart.

#include <signal.h>

#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "e2e/storage_state.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::ServerOptions;
using testing::ServerProcess;

ServerOptions own_server_options() {
  return ServerOptions{.binary = castor_binary(), .database_url = shared_server().database.url()};
}

// The lines the server wrote in its last run (after the harness's banner line).
std::vector<std::string> last_run_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("---- castor serve starting")) {
      lines.clear();
    } else if (!line.empty()) {
      lines.push_back(line);
    }
  }
  return lines;
}

}  // namespace

TEST_CASE(
    "SIGTERM lets an upload in flight finish, then the server exits 0, and the content "
    "outlives the restart",
    "[e2e][lifecycle][backend]") {
  ServerProcess server = ServerProcess::start(own_server_options());
  HttpClient client = server.client();
  const std::string tenant = testing::unique_name("lifecycle");
  const std::string content = testing::random_bytes(512 * 1024);
  const std::string half_one = content.substr(0, content.size() / 2);
  const std::string half_two = content.substr(content.size() / 2);

  client.begin("POST", "/v1/objects", object_headers({.tenant = tenant, .key = "in-flight"}),
               HttpClient::Framing::kContentLength, content.size());
  REQUIRE(client.send(half_one));
  // SIGTERM only once the server is inside the request (its WRITING row exists): a connection
  // whose request it has not read yet is idle, and may be closed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (object_status_counts(shared_server().database.url(), tenant)["WRITING"] == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval
  }
  server.kill(SIGTERM);
  REQUIRE(client.send(half_two));
  const testing::HttpResponse response = client.finish();
  INFO("upload during shutdown: " << response.status << " " << response.body);
  REQUIRE(response.status == 201);
  const std::string id = string_field(parse_object(response.body), "id");

  const testing::ProcessExit exit = server.wait();
  INFO(server.log());
  CHECK(exit.exit_code == 0);
  CHECK_FALSE(exit.signal.has_value());

  server.restart();
  HttpClient after = server.client();
  const testing::HttpResponse download = by_id(after, "GET", id, tenant);
  REQUIRE(download.status == 200);
  CHECK(testing::sha256_hex(download.body) == testing::sha256_hex(content));
}

TEST_CASE("a bad configuration stops the start with exit code 2 and one line",
          "[e2e][lifecycle][backend]") {
  const std::vector<std::pair<std::string, std::string>> bad_settings = {
      {"MAX_OBJECT_SIZE", "lots"},
      {"LISTEN_ADDR", "not-an-address"},
      {"GC_INTERVAL_SECONDS", "-1"},
      {"DATABASE_URL", ""},
  };
  for (const auto& [name, value] : bad_settings) {
    INFO(name << "=" << value);
    ServerOptions options = own_server_options();
    options.extra_env[name] = value;
    ServerProcess server = ServerProcess::launch(options);
    const testing::ProcessExit exit = server.wait();
    const std::vector<std::string> lines = last_run_lines(server.log());
    INFO("output: " << server.log());
    CHECK(exit.exit_code == 2);
    CHECK(lines.size() == 1);
  }
}

}  // namespace castor::e2e
