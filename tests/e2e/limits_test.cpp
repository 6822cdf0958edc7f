// Resource limits under hostile clients: read buffers stay bounded whatever a chunked body
// carries, connections past MAX_CONNECTIONS are refused cleanly, slow and idle clients are cut off
// by the header and idle timeouts, and errors sent before the body say Connection: close.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/raw_connection.h"

namespace castor::e2e {
namespace {

using namespace std::chrono_literals;
using testing::HttpClient;
using testing::HttpResponse;
using testing::RawConnection;

constexpr std::uint64_t kMiB = 1024 * 1024;

// A server of its own on the shared database, with `env` on top of the test defaults.
testing::ServerProcess start_server(std::map<std::string, std::string> env) {
  testing::ServerOptions options;
  options.binary = castor_binary();
  options.database_url = shared_server().database.url();
  options.extra_env = std::move(env);
  return testing::ServerProcess::start(std::move(options));
}

// Streams `head` and then `filler` over and over (up to `total` bytes, or until the server stops
// reading), and returns the response. The server's resident memory may not grow by more than
// 16 MiB meanwhile.
HttpResponse flood_and_check_memory(const testing::ServerProcess& server,
                                    const testing::Headers& headers, const std::string& head,
                                    std::uint64_t total) {
  HttpClient client = server.client(15s);
  REQUIRE(client.request("GET", "/health").status == 200);
  const std::uint64_t rss_before = testing::resident_bytes(server.pid());
  client.begin("POST", "/v1/objects", headers, HttpClient::Framing::kNone);
  REQUIRE(client.send(head));
  const std::string filler(kMiB, 'a');
  std::uint64_t sent = 0;
  while (sent < total && client.send(filler)) {
    sent += filler.size();
  }
  const std::uint64_t rss_after = testing::resident_bytes(server.pid());
  INFO("sent " << sent / kMiB << " MiB; RSS " << rss_before / kMiB << " -> " << rss_after / kMiB
               << " MiB");
  CHECK(rss_after < rss_before + 16 * kMiB);
  return client.finish();
}

void require_closing_error(const HttpResponse& response, int status) {
  require_error(response, status, "");
  CHECK(response.header("Connection") == "close");
}

}  // namespace

TEST_CASE("a chunk extension or trailer that never ends answers 400 and memory stays flat",
          "[e2e][limits]") {
  testing::ServerProcess server = start_server({});
  const std::string tenant = testing::unique_name("flood");
  testing::Headers headers = object_headers({.tenant = tenant});
  headers["Transfer-Encoding"] = "chunked";

  SECTION("an endless chunk extension") {
    require_closing_error(flood_and_check_memory(server, headers, "5;ext=", 256 * kMiB), 400);
  }
  SECTION("an endless trailer after the last chunk") {
    require_closing_error(
        flood_and_check_memory(server, headers, "5\r\nhello\r\n0\r\nX-Trailer: ", 256 * kMiB), 400);
  }
  HttpClient client = server.client();
  CHECK(client.request("GET", "/health").status == 200);
  const HttpResponse listing =
      client.request("GET", "/v1/objects?namespace=e2e&tenant_id=" + tenant);
  REQUIRE(listing.status == 200);
  CHECK(parse_object(listing.body).at("objects").as_array().empty());
}

TEST_CASE("connections past MAX_CONNECTIONS get 503 and close; the server serves again after",
          "[e2e][limits]") {
  constexpr int kMax = 4;
  testing::ServerProcess server = start_server({{"MAX_CONNECTIONS", std::to_string(kMax)}});
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < kMax; ++i) {
    // A served request proves the server counts this connection before the next one opens. Until
    // the server has seen the readiness check's own connection close, it may still count that
    // one and refuse with 503: then try again.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string answer;
    do {
      held.push_back(std::make_unique<RawConnection>(server.port()));
      REQUIRE(held.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
      answer = held.back()->read_response(10s);
      if (!answer.starts_with("HTTP/1.1 200")) {
        REQUIRE(answer.starts_with("HTTP/1.1 503"));
        held.pop_back();
      }
    } while (!answer.starts_with("HTTP/1.1 200") && std::chrono::steady_clock::now() < deadline);
    REQUIRE(answer.starts_with("HTTP/1.1 200"));
  }
  for (int i = 0; i < 3; ++i) {
    RawConnection extra(server.port());
    REQUIRE(extra.wait_closed(10s));
    INFO("received: " << extra.received());
    CHECK(extra.received().starts_with("HTTP/1.1 503"));
    CHECK(extra.received().find("\r\nConnection: close\r\n") != std::string::npos);
    CHECK(extra.received().find("too_many_connections") != std::string::npos);
  }
  // The held connections still work.
  REQUIRE(held.front()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(held.front()->read_response(10s).starts_with("HTTP/1.1 200"));

  held.clear();
  // Once the server has seen them close, a new client is served (it gets 503s until then).
  HttpClient client = server.client(5s);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    status = client.request("GET", "/health").status;
    CHECK((status == 200 || status == 503));
  }
  CHECK(status == 200);
}

TEST_CASE("a header trickling in one byte a second is cut off at HEADER_TIMEOUT_SECONDS",
          "[e2e][limits]") {
  testing::ServerProcess server =
      start_server({{"HEADER_TIMEOUT_SECONDS", "2"}, {"IDLE_TIMEOUT_SECONDS", "60"}});

  SECTION("slowloris: the header never completes") {
    RawConnection slow(server.port());
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(slow.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    bool closed = false;
    for (int i = 0; i < 15 && !closed; ++i) {
      closed = !slow.send("a") || slow.wait_closed(1s);  // one byte a second, until closed
    }
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(closed);
    CHECK(took >= 1500ms);
    CHECK(took < 4500ms);
  }
  SECTION("a connection that never sends a byte") {
    RawConnection silent(server.port());
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(silent.wait_closed(15s));
    CHECK(std::chrono::steady_clock::now() - start < 4500ms);
  }
  SECTION("a keep-alive connection waits for the idle timeout, not the header timeout") {
    RawConnection idle(server.port());
    REQUIRE(idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(idle.read_response(10s).starts_with("HTTP/1.1 200"));
    CHECK_FALSE(idle.wait_closed(4s));
    REQUIRE(idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(idle.read_response(10s).starts_with("HTTP/1.1 200"));
  }
}

TEST_CASE("an idle keep-alive connection closes after IDLE_TIMEOUT_SECONDS", "[e2e][limits]") {
  testing::ServerProcess server = start_server({{"IDLE_TIMEOUT_SECONDS", "1"}});
  RawConnection idle(server.port());
  REQUIRE(idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(idle.read_response(10s).starts_with("HTTP/1.1 200"));
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(idle.wait_closed(15s));
  CHECK(std::chrono::steady_clock::now() - start < 3500ms);
}

TEST_CASE("errors sent before the body is read say Connection: close", "[e2e][limits]") {
  testing::ServerProcess server =
      testing::ServerProcess::start(auth_server_options(shared_server().database.url()));
  HttpClient client = server.client();
  const std::string tenant = testing::unique_name("early");
  const std::string body(64 * 1024, 'x');

  // 401: no credential, body unread (unknown routes too: they are protected like known ones).
  require_closing_error(post_object(client, {.tenant = tenant}, body), 401);
  require_closing_error(client.request("POST", "/v1/nothing", {}, body), 401);
  // 404 and 405 with a body.
  const testing::Headers admin =
      bearer(cli_create_key(shared_server().database.url(), "*", "admin").key);
  require_closing_error(client.request("POST", "/v1/nothing", admin, body), 404);
  require_closing_error(client.request("PUT", "/v1/objects", admin, body), 405);
  // Without a body the connection stays usable.
  const HttpResponse no_body = client.request("GET", "/v1/nothing", admin);
  require_error(no_body, 404, "not_found");
  CHECK(no_body.header("Connection") != "close");
  const int before = client.connections_opened();
  CHECK(client.request("GET", "/health").status == 200);
  CHECK(client.connections_opened() == before);
}

TEST_CASE("the server raises its file descriptor limit to the hard limit", "[e2e][limits]") {
  testing::ServerOptions options;
  options.binary = castor_binary();
  options.database_url = shared_server().database.url();
  options.fd_limit = std::pair<std::uint64_t, std::uint64_t>(256, 1024);
  options.extra_env = {{"LOG_LEVEL", "info"}};
  testing::ServerProcess server = testing::ServerProcess::start(std::move(options));
  CHECK(testing::open_files_limit(server.pid()) == 1024);
  // (1024 - reserve) / 2 with DB_POOL_SIZE=8: see src/infrastructure/fd_budget.h.
  CHECK(server.log().find("max_connections=440") != std::string::npos);
}

TEST_CASE("out of file descriptors, the accept loop backs off and recovers", "[e2e][limits]") {
  testing::ServerOptions options;
  options.binary = castor_binary();
  options.database_url = shared_server().database.url();
  options.fd_limit = std::pair<std::uint64_t, std::uint64_t>(128, 128);
  options.extra_env = {{"MAX_CONNECTIONS", "1000"}, {"LOG_LEVEL", "warn"}};
  testing::ServerProcess server = testing::ServerProcess::start(std::move(options));
  CHECK(server.log().find("may need") != std::string::npos);  // warned: over the fd budget

  std::vector<std::unique_ptr<RawConnection>> flood;
  for (int i = 0; i < 200; ++i) {
    flood.push_back(std::make_unique<RawConnection>(server.port()));  // the backlog takes them
  }
  // The last one waits in the backlog: the server has no descriptor to accept it with.
  REQUIRE(flood.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(flood.back()->read_response(1s).empty());
  const double cpu_before = testing::cpu_seconds(server.pid());
  CHECK(flood.back()->read_response(2s).empty());
  const double cpu = testing::cpu_seconds(server.pid()) - cpu_before;
  INFO("server CPU while out of descriptors: " << cpu << " s in 2 s");
  CHECK(cpu < 0.5);  // backing off, not spinning on accept
  CHECK(server.log().find("accept failed") != std::string::npos);

  flood.clear();
  HttpClient client = server.client(5s);
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    try {
      status = client.request("GET", "/health").status;
    } catch (const std::runtime_error&) {
      client.disconnect();  // the server may close a connection it could not serve
    }
  }
  INFO("server log:\n" << server.log());
  CHECK(status == 200);
}

}  // namespace castor::e2e
