// CurlS3Client's retries (issue 13) through testing::FaultProxy in front of castor's S3 API:
// injected 5xx/429/SlowDown answers, connections reset mid-body, truncated bodies, stalls.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "infrastructure/s3/curl_s3_client.h"
#include "infrastructure/s3_test_servers.h"
#include "support/fault_proxy.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor {
namespace {

using testing::Fault;

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

std::unique_ptr<CurlS3Client> make_client(S3BackendSettings settings) {
  auto client = CurlS3Client::create(std::move(settings));
  REQUIRE(client);
  return std::move(*client);
}

Result<std::string> read_all(S3Client& client, const std::string& key, std::size_t size) {
  std::string out(size, '\0');
  auto got = client.get(key, 0, std::as_writable_bytes(std::span<char>(out.data(), size)));
  if (!got) {
    return std::move(got).error();
  }
  out.resize(*got);
  return out;
}

}  // namespace

TEST_CASE("CurlS3Client retries what is retryable, and only that", "[s3backend][faults]") {
  const testing::S3TestServer& castor = testing::castor_s3_server();
  testing::FaultProxy proxy(castor.port);
  S3BackendSettings settings = castor.settings;
  settings.endpoint = proxy.endpoint();
  settings.max_retries = 3;
  auto client = make_client(settings);
  auto direct = make_client(castor.settings);  // around the proxy, to check what was stored
  const std::string prefix = testing::unique_name("f") + "/";
  const auto content = testing::random_content(1 << 20);
  const std::string key = prefix + "ab/cd/" + content.hash;

  SECTION("two 503 SlowDown answers, then success: the put succeeds after 3 requests") {
    proxy.inject(Fault::respond(503, "SlowDown", 2).only("PUT"));
    REQUIRE(client->put(key, bytes_of(content.bytes)));
    CHECK(proxy.requests() == 3);
    CHECK(proxy.faults_applied() == 2);
    CHECK(testing::sha256_hex(read_all(*direct, key, content.bytes.size()).value()) ==
          content.hash);
  }

  SECTION("500 InternalError and 429 are retried too") {
    proxy.inject(Fault::respond(500, "InternalError").only("PUT"));
    proxy.inject(Fault::respond(429, "TooManyRequests").only("PUT"));
    REQUIRE(client->put(key, bytes_of(content.bytes)));
    CHECK(proxy.requests() == 3);
  }

  SECTION("a connection reset mid-body: get resumes and returns the exact bytes") {
    REQUIRE(direct->put(key, bytes_of(content.bytes)));
    proxy.inject(Fault::reset_after(300000).only("GET"));
    auto back = read_all(*client, key, content.bytes.size());
    REQUIRE(back);
    CHECK(back->size() == content.bytes.size());
    CHECK(testing::sha256_hex(*back) == content.hash);
    CHECK(proxy.requests() == 2);
    CHECK(proxy.faults_applied() == 1);
  }

  SECTION("a truncated body (fewer bytes than Content-Length) is retried") {
    REQUIRE(direct->put(key, bytes_of(content.bytes)));
    proxy.inject(Fault::truncate(2).only("GET"));
    auto back = read_all(*client, key, content.bytes.size());
    REQUIRE(back);
    CHECK(testing::sha256_hex(*back) == content.hash);
    CHECK(proxy.requests() == 3);
  }

  SECTION("more faults than max_retries: Unavailable after 1 + max_retries requests") {
    proxy.inject(Fault::respond(503, "SlowDown", 10).only("PUT"));
    const Status put = client->put(key, bytes_of(content.bytes));
    REQUIRE_FALSE(put);
    CHECK(put.error().code == ErrorCode::kUnavailable);
    CHECK(put.error().message.find("PutObject") != std::string::npos);
    CHECK(put.error().message.find("SlowDown") != std::string::npos);
    CHECK(put.error().message.find(settings.secret_access_key) == std::string::npos);
    CHECK(proxy.requests() == 4);
    CHECK(direct->head(key).value() == std::nullopt);
  }

  SECTION("4xx other than 429 are not retried: 400 Internal, 403 PermissionDenied, 404") {
    proxy.inject(Fault::respond(400, "InvalidArgument").only("PUT"));
    const Status bad = client->put(key, bytes_of(content.bytes));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ErrorCode::kInternal);
    CHECK(bad.error().message.find("InvalidArgument") != std::string::npos);
    CHECK(proxy.requests() == 1);
    proxy.inject(Fault::respond(403, "AccessDenied").only("PUT"));
    const Status denied = client->put(key, bytes_of(content.bytes));
    REQUIRE_FALSE(denied);
    CHECK(denied.error().code == ErrorCode::kPermissionDenied);
    CHECK(proxy.requests() == 2);
    proxy.inject(Fault::respond(404, "NoSuchUpload").only("PUT"));
    auto part = client->upload_part(key, "gone", 1, bytes_of(content.bytes));
    REQUIRE_FALSE(part);
    CHECK(part.error().code == ErrorCode::kNotFound);
    CHECK(proxy.requests() == 3);
  }

  SECTION("CopyObject answering 200 with an <Error> body is a failure (retried if transient)") {
    REQUIRE(direct->put(prefix + "from", bytes_of(content.bytes)));
    proxy.inject(Fault::respond(200, "InternalError").only("PUT"));
    REQUIRE(client->copy(prefix + "from", key, content.bytes.size()));
    CHECK(proxy.requests() == 2);
    proxy.inject(Fault::respond(200, "AccessDenied").only("PUT"));
    const Status copied = client->copy(prefix + "from", prefix + "to", content.bytes.size());
    REQUIRE_FALSE(copied);
    CHECK(copied.error().code == ErrorCode::kInternal);
    CHECK(copied.error().message.find("AccessDenied") != std::string::npos);
    CHECK(proxy.requests() == 3);
    CHECK(direct->head(prefix + "to").value() == std::nullopt);
  }

  SECTION("a stalled backend (no answer for longer than the timeout) gives Unavailable") {
    S3BackendSettings impatient = settings;
    impatient.timeout = std::chrono::seconds(1);
    impatient.max_retries = 1;
    auto hurried = make_client(impatient);
    proxy.inject(Fault::stall(std::chrono::minutes(5), 10));
    auto info = hurried->head(key);
    REQUIRE_FALSE(info);
    CHECK(info.error().code == ErrorCode::kUnavailable);
    CHECK(proxy.requests() == 2);
  }
}

TEST_CASE("CurlS3Client keeps at most max_connections requests in flight", "[s3backend][faults]") {
  const testing::S3TestServer& castor = testing::castor_s3_server();
  testing::FaultProxy proxy(castor.port);
  S3BackendSettings settings = castor.settings;
  settings.endpoint = proxy.endpoint();
  settings.max_connections = 2;
  auto client = make_client(settings);
  const std::string prefix = testing::unique_name("pool") + "/";
  // Every request is held 200 ms by the proxy, so that eight threads pile up on the pool.
  proxy.inject(Fault::stall(std::chrono::milliseconds(200), 1000));
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      const std::string body = testing::random_bytes(1000 + i);
      const std::string key = prefix + std::to_string(i);
      if (!client->put(key, bytes_of(body)) || read_all(*client, key, 5000).value() != body) {
        failures[i] = 1;
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  CHECK(failures == std::vector<int>(8, 0));
  CHECK(proxy.requests() == 16);
  // 16 requests held 200 ms each, two at a time, cannot end sooner than 1.6 s (eight at a time:
  // 0.4 s). The proxy sees a request end a moment after the client does (it still closes its
  // side), so a released handle's next request may overlap the previous one there: up to 4, never
  // the 8 an unbounded pool sends.
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(1600));
  CHECK(proxy.max_in_flight() <= 4);
}

}  // namespace castor
