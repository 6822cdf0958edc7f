// HTTP-level behaviour: routing errors, body framing and size limits, malformed requests, and the
// health endpoints. Whatever a client sends, the server answers or closes, and keeps serving.

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "e2e/storage_state.h"
#include "support/random_data.h"
#include "support/storage_files.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

// Requires that an upload the server refused left nothing behind.
void require_nothing_stored(HttpClient& client, const std::string& tenant) {
  const HttpResponse listing =
      client.request("GET", "/v1/objects?namespace=e2e&tenant_id=" + tenant);
  REQUIRE(listing.status == 200);
  CHECK(parse_object(listing.body).at("objects").as_array().empty());
  CHECK(object_status_counts(shared_server().database.url(), tenant).empty());
  for (const auto& root : {shared_server().server.hot_root(), shared_server().server.cold_root()}) {
    CHECK(testing::temp_files(root).empty());
  }
}

void require_alive() {
  HttpClient client = shared_server().server.client();
  const HttpResponse health = client.request("GET", "/health");
  REQUIRE(health.status == 200);
  CHECK(string_field(parse_object(health.body), "status") == "ok");
}

// The status code of the first response in `bytes`, or 0 if there is none.
int status_of(const std::string& bytes) {
  if (bytes.size() < 12 || !bytes.starts_with("HTTP/1.")) {
    return 0;
  }
  return std::stoi(bytes.substr(9, 3));
}

}  // namespace

TEST_CASE("health and readiness endpoints answer", "[e2e][protocol]") {
  HttpClient client = shared_server().server.client();
  const HttpResponse health = client.request("GET", "/health");
  CHECK(health.status == 200);
  CHECK(string_field(parse_object(health.body), "status") == "ok");
  CHECK_FALSE(health.header("X-Request-Id").empty());
  for (const char* target : {"/ready", "/health/ready"}) {
    INFO("GET " << target);
    const HttpResponse ready = client.request("GET", target);
    CHECK(ready.status == 200);
    CHECK(string_field(parse_object(ready.body), "status") == "ready");
    CHECK_FALSE(ready.header("X-Request-Id").empty());
  }
}

TEST_CASE("unknown routes answer 404 and known routes with a wrong method 405 with Allow",
          "[e2e][protocol]") {
  HttpClient client = shared_server().server.client();
  for (const char* target : {"/v1", "/v1/nothing", "/v1/admin"}) {
    INFO("GET " << target);
    require_error(client.request("GET", target, {{"X-Tenant", "t"}}), 404, "not_found");
  }
  // Paths outside the native API's are the S3 API's (docs/S3.md): unsigned, they are refused
  // the S3 way. "/" is S3's only when S3-signed: unsigned, it is the probe (docs/OPENAPI.md).
  for (const char* target : {"/v2/objects", "/bucket"}) {
    INFO("GET " << target);
    const HttpResponse s3 = client.request("GET", target);
    CHECK(s3.status == 403);
    CHECK(s3.body.find("<Code>AccessDenied</Code>") != std::string::npos);
  }
  CHECK(client.request("GET", "/").body == R"({"status":"ok"})");
  struct WrongMethod {
    const char* method;
    std::string target;
    const char* allowed;  // one method Allow must name
  };
  const std::string id = "/v1/objects/0b7ae4d4-3b0c-4d8c-9a3e-4cf0e1f7d2a1";
  for (const WrongMethod& wrong : std::vector<WrongMethod>{
           {"PUT", "/v1/objects", "POST"},
           {"DELETE", "/v1/objects", "GET"},
           {"PATCH", id, "DELETE"},
           {"POST", id, "GET"},
           {"PUT", "/v1/objects/by-key/e2e/t/k", "GET"},
           {"PUT", "/v1/admin/gc", "POST"},  // GET lists the cycles (issue 14)
           {"POST", "/health", "GET"},
       }) {
    INFO(wrong.method << " " << wrong.target);
    const HttpResponse response =
        client.request(wrong.method, wrong.target, {{"X-Tenant", "t"}}, "");
    require_error(response, 405, "");
    CHECK(response.header("Allow").find(wrong.allowed) != std::string::npos);
  }
}

TEST_CASE("an upload without Content-Length or chunked encoding answers 411", "[e2e][protocol]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("framing");
  client.begin("POST", "/v1/objects", object_headers({.tenant = tenant}),
               HttpClient::Framing::kNone);
  require_error(client.finish(), 411, "length_required");
  require_nothing_stored(client, tenant);
}

TEST_CASE("an upload over MAX_OBJECT_SIZE answers 413 and stores nothing", "[e2e][protocol]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("toolarge");
  const std::uint64_t too_large = kSharedMaxObjectSize + 1;
  const std::string piece = testing::random_bytes(256 * 1024);

  SECTION("announced by Content-Length, before any body is sent") {
    client.begin("POST", "/v1/objects", object_headers({.tenant = tenant, .key = "big"}),
                 HttpClient::Framing::kContentLength, too_large);
    require_error(client.finish(), 413, "payload_too_large");
    require_nothing_stored(client, tenant);
  }
  SECTION("announced by Content-Length, with the body sent anyway") {
    client.begin("POST", "/v1/objects", object_headers({.tenant = tenant, .key = "big"}),
                 HttpClient::Framing::kContentLength, too_large);
    for (std::uint64_t sent = 0; sent < too_large; sent += piece.size()) {
      const auto length = std::min<std::uint64_t>(piece.size(), too_large - sent);
      if (!client.send(std::string_view(piece).substr(0, static_cast<std::size_t>(length)))) {
        break;
      }
    }
    require_error(client.finish(), 413, "payload_too_large");
    require_nothing_stored(client, tenant);
  }
  SECTION("a chunked body that grows past the limit") {
    client.begin("POST", "/v1/objects", object_headers({.tenant = tenant, .key = "big"}),
                 HttpClient::Framing::kChunked);
    for (std::uint64_t sent = 0; sent <= too_large; sent += piece.size()) {
      if (!client.send(piece)) {
        break;
      }
    }
    require_error(client.finish(), 413, "payload_too_large");
    require_nothing_stored(client, tenant);
  }
  SECTION("exactly MAX_OBJECT_SIZE is accepted") {
    const std::string content = testing::random_bytes(kSharedMaxObjectSize);
    const boost::json::object json = upload(client, {.tenant = tenant, .key = "big"}, content);
    CHECK(int_field(json, "size_bytes") == static_cast<std::int64_t>(kSharedMaxObjectSize));
  }
  require_alive();
}

TEST_CASE("HEAD responses never carry a body, errors included", "[e2e][protocol]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("head");
  const std::string id = string_field(upload(client, {.tenant = tenant}, "twelve bytes"), "id");
  struct Head {
    std::string target;
    int status;
  };
  for (const Head& head : std::vector<Head>{
           {"/v1/objects/" + id, 200},
           {"/v1/objects/0b7ae4d4-3b0c-4d8c-9a3e-4cf0e1f7d2a1", 404},
           {"/v1/objects/not-a-uuid", 400},
           {"/v1/nothing", 404},
       }) {
    INFO("HEAD " << head.target);
    const testing::RawExchange exchange =
        client.raw("HEAD " + head.target + " HTTP/1.1\r\nHost: x\r\nX-Tenant: " + tenant +
                       "\r\nConnection: close\r\n\r\n",
                   std::chrono::seconds(10));
    INFO("received: " << exchange.received);
    CHECK(exchange.closed_by_server);
    CHECK(status_of(exchange.received) == head.status);
    const std::size_t end_of_header = exchange.received.find("\r\n\r\n");
    REQUIRE(end_of_header != std::string::npos);
    CHECK(exchange.received.size() == end_of_header + 4);
  }
}

TEST_CASE("malformed HTTP gets 400 or a closed connection, and the server keeps serving",
          "[e2e][protocol]") {
  HttpClient client = shared_server().server.client();
  const std::string upload_head =
      "POST /v1/objects HTTP/1.1\r\nHost: x\r\nX-Namespace: e2e\r\nX-Tenant: " +
      testing::unique_name("malformed") + "\r\n";
  struct Malformed {
    std::string name;
    std::string bytes;
  };
  const std::vector<Malformed> cases = {
      {"no target or version", "GET\r\n\r\n"},
      {"a bare word", "GARBAGE\r\n\r\n"},
      {"binary junk", std::string("\x00\x01\x02\xff\xfe\x80 / HTTP/1.1\r\n\r\n", 19)},
      {"bad version", "GET /health HTTP/x.y\r\nHost: x\r\n\r\n"},
      {"a header without a colon", "GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n"},
      {"a control character in a header",
       "GET /health HTTP/1.1\r\nHost: x\r\nX-Key: a\x01z\r\n\r\n"},
      {"a huge header",
       "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(200 * 1024, 'b') + "\r\n\r\n"},
      {"a negative Content-Length", upload_head + "Content-Length: -5\r\n\r\nabc"},
      {"a non-numeric Content-Length", upload_head + "Content-Length: ten\r\n\r\nabc"},
      {"both Content-Length and chunked",
       upload_head +
           "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
      {"a bad chunk size",
       upload_head + "Transfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n"},
  };
  for (const Malformed& request : cases) {
    INFO(request.name);
    const testing::RawExchange exchange = client.raw(request.bytes, std::chrono::seconds(10));
    INFO("received: " << exchange.received.substr(0, 300));
    CHECK(exchange.closed_by_server);
    if (!exchange.received.empty()) {
      const int status = status_of(exchange.received);
      CHECK((status == 400 || status == 431));
      std::string lowered = exchange.received;
      std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      CHECK(lowered.find("\r\nx-request-id:") != std::string::npos);
    }
    require_alive();
  }
}

}  // namespace castor::e2e
