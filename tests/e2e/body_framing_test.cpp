// How request bodies cross a connection: Content-Length bodies are read straight from the socket
// into the body chunk (api/server_core.cpp), after whatever arrived with the header. Bodies that
// share packets with their header and with the next request, bodies crossing chunk boundaries, and
// bodies cut short are stored exactly, or not at all.

#include <chrono>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/raw_connection.h"
#include "support/sha256.h"
#include "support/storage_files.h"

namespace castor::e2e {
namespace {

using namespace std::chrono_literals;
using testing::HttpClient;
using testing::RawConnection;

std::string post_head(const std::string& tenant, std::size_t length) {
  return "POST /v1/objects HTTP/1.1\r\nHost: x\r\nX-Namespace: e2e\r\nX-Tenant: " + tenant +
         "\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
}

// The JSON body of a raw response.
boost::json::object body_of(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  REQUIRE(at != std::string::npos);
  return parse_object(response.substr(at + 4));
}

// Requires that object `id` of `tenant` holds exactly `content`.
void require_content(const std::string& id, const std::string& tenant, const std::string& content) {
  HttpClient client = shared_server().server.client();
  const testing::HttpResponse got = by_id(client, "GET", id, tenant);
  REQUIRE(got.status == 200);
  CHECK(got.body.size() == content.size());
  CHECK(testing::sha256_hex(got.body) == testing::sha256_hex(content));
}

}  // namespace

TEST_CASE("bodies sent in one write with their header and the next requests are stored exactly",
          "[e2e][protocol][body]") {
  const std::string tenant = testing::unique_name("framing");
  const std::string small = testing::random_bytes(10);
  // Crosses several 256 KiB chunks and ends mid-chunk.
  const std::string large = testing::random_bytes(3 * 1024 * 1024 + 4097);
  RawConnection conn(shared_server().server.port());
  REQUIRE(conn.send(post_head(tenant, small.size()) + small + post_head(tenant, large.size()) +
                    large + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string first = conn.read_response(30s);
  REQUIRE(first.starts_with("HTTP/1.1 201"));
  const std::string second = conn.read_response(30s);
  REQUIRE(second.starts_with("HTTP/1.1 201"));
  CHECK(conn.read_response(30s).starts_with("HTTP/1.1 200"));

  const auto one = body_of(first);
  const auto two = body_of(second);
  CHECK(one.at("size_bytes").as_int64() == static_cast<std::int64_t>(small.size()));
  CHECK(two.at("size_bytes").as_int64() == static_cast<std::int64_t>(large.size()));
  CHECK(string_field(two, "content_hash") == "sha256:" + testing::sha256_hex(large));
  require_content(string_field(one, "id"), tenant, small);
  require_content(string_field(two, "id"), tenant, large);
}

TEST_CASE("a body cut short by the client stores nothing and leaves no temporary file",
          "[e2e][protocol][body]") {
  const std::string tenant = testing::unique_name("cut");
  const std::string part = testing::random_bytes(1536 * 1024);
  const auto hot = shared_server().server.hot_root();
  // Waits (bounded) until the hot root's temporary files are there (`present`) or gone.
  const auto wait_temp = [&](bool present) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (testing::temp_files(hot).empty() == present) {
      if (std::chrono::steady_clock::now() > deadline) {
        return false;
      }
      std::this_thread::sleep_for(20ms);
    }
    return true;
  };
  {
    RawConnection conn(shared_server().server.port());
    REQUIRE(conn.send(post_head(tenant, 3 * 1024 * 1024) + part));
    REQUIRE(wait_temp(true));  // the upload is under way
    conn.close();              // 1.5 of 3 MiB sent
  }
  HttpClient client = shared_server().server.client();
  const bool clean = wait_temp(false);
  CHECK(clean);
  const testing::HttpResponse listing =
      client.request("GET", "/v1/objects?namespace=e2e&tenant_id=" + tenant);
  REQUIRE(listing.status == 200);
  CHECK(parse_object(listing.body).at("objects").as_array().empty());
}

}  // namespace castor::e2e
