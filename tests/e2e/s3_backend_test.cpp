// The S3 blob backend as a user meets it (docs/OPERATIONS.md "Storage backends"): a "front"
// castor whose hot class lives in a bucket of a "backend" castor's S3 API (a real S3
// implementation over real HTTP), the content keys it writes there, redirected downloads, and how
// it refuses to start, or reports not ready, when the bucket is unreachable.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <map>
#include <string>
#include <thread>

#include "e2e/castor_api.h"
#include "e2e/s3_support.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::ServerOptions;
using testing::ServerProcess;
using testing::TestDatabase;

constexpr std::size_t kPart = 5 * 1024 * 1024;

// A backend castor of its own (objects up to 1 GiB) with a bucket and a credential owning it.
struct Backend {
  TestDatabase database;
  ServerProcess server;
  S3Credential credential;
  std::string bucket = "content";
};

Backend start_backend() {
  TestDatabase database = TestDatabase::create("castor_e2e_s3back");
  ServerOptions options;
  options.binary = castor_binary();
  options.database_url = database.url();
  options.max_object_size = std::uint64_t{1} << 30;
  ServerProcess server = ServerProcess::start(std::move(options));
  S3Credential credential = create_s3_credential(server.port(), "backend");
  S3TestClient s3(server.port(), credential);
  REQUIRE(s3.create_bucket("content").status == 200);
  return Backend{std::move(database), std::move(server), std::move(credential)};
}

// The settings that put the front's hot class in `backend`'s bucket under `prefix`.
std::map<std::string, std::string> hot_in(const Backend& backend, const std::string& prefix,
                                          std::uint16_t port = 0) {
  return {{"HOT_STORAGE_BACKEND", "s3"},
          {"HOT_S3_ENDPOINT",
           "http://127.0.0.1:" + std::to_string(port != 0 ? port : backend.server.port())},
          {"HOT_S3_BUCKET", backend.bucket},
          {"HOT_S3_PREFIX", prefix},
          {"HOT_S3_ACCESS_KEY_ID", backend.credential.access_key_id},
          {"HOT_S3_SECRET_ACCESS_KEY", backend.credential.secret_access_key},
          {"HOT_S3_PART_SIZE", std::to_string(kPart)},
          {"HOT_S3_MAX_RETRIES", "1"},
          {"HOT_S3_TIMEOUT_SECONDS", "5"}};
}

ServerOptions front_options(const TestDatabase& database,
                            std::map<std::string, std::string> extra_env) {
  ServerOptions options;
  options.binary = castor_binary();
  options.database_url = database.url();
  options.max_object_size = std::uint64_t{1} << 30;
  options.extra_env = std::move(extra_env);
  return options;
}

// Every key of the bucket under `prefix` (ListObjectsV2, one page: tests stay small).
std::vector<std::string> bucket_keys(Backend& backend, const std::string& prefix) {
  S3TestClient s3(backend.server.port(), backend.credential);
  auto r = s3.send(S3Request{.method = "GET",
                             .bucket = backend.bucket,
                             .query = {{"list-type", "2"}, {"prefix", prefix}}});
  REQUIRE(r.status == 200);
  std::vector<std::string> keys;
  std::string_view rest = r.body;
  for (auto at = rest.find("<Key>"); at != std::string_view::npos; at = rest.find("<Key>")) {
    rest.remove_prefix(at + 5);
    keys.emplace_back(rest.substr(0, rest.find("</Key>")));
  }
  return keys;
}

std::string content_key(const std::string& prefix, const std::string& hex) {
  return prefix + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex;
}

// "http://127.0.0.1:PORT/target" → (PORT, target).
std::pair<std::uint16_t, std::string> split_url(const std::string& url) {
  const std::string scheme = "http://127.0.0.1:";
  REQUIRE(url.starts_with(scheme));
  const auto slash = url.find('/', scheme.size());
  REQUIRE(slash != std::string::npos);
  return {static_cast<std::uint16_t>(std::stoi(url.substr(scheme.size(), slash - scheme.size()))),
          url.substr(slash)};
}

}  // namespace

TEST_CASE("content of an s3 class lives at its content key in the bucket; cold stays on disk",
          "[s3backend_api]") {
  Backend backend = start_backend();
  TestDatabase database = TestDatabase::create("castor_e2e_s3front");
  const std::string prefix = "front/hot/";
  ServerProcess front = ServerProcess::start(front_options(database, hot_in(backend, prefix)));
  HttpClient client = front.client();

  // Larger than two parts: a multipart upload to a temporary key, then a copy to the content key.
  const std::string big = testing::random_bytes(2 * kPart + 12345);
  const std::string small = testing::random_bytes(200 * 1024);  // above INLINE_MAX_BYTES: one PUT
  auto big_obj = upload(client, ObjectParams{.tenant = "t"}, big);
  auto small_obj = upload(client, ObjectParams{.tenant = "t"}, small);
  auto cold_obj = upload(client, ObjectParams{.tenant = "t", .storage_class = "cold"}, big);
  const std::string big_hex = testing::sha256_hex(big);
  const std::string small_hex = testing::sha256_hex(small);
  CHECK(string_field(big_obj, "content_hash") == "sha256:" + big_hex);

  auto keys = bucket_keys(backend, prefix);
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> expected{content_key(prefix, big_hex), content_key(prefix, small_hex)};
  std::sort(expected.begin(), expected.end());
  CHECK(keys == expected);  // nothing under .tmp/ left, and the cold object is not there

  S3TestClient s3(backend.server.port(), backend.credential);
  auto raw = s3.get(backend.bucket, content_key(prefix, big_hex));
  REQUIRE(raw.status == 200);
  CHECK(testing::sha256_hex(raw.body) == big_hex);

  for (const auto* obj : {&big_obj, &small_obj, &cold_obj}) {
    auto got = by_id(client, "GET", string_field(*obj, "id"), "t");
    REQUIRE(got.status == 200);
    CHECK(testing::sha256_hex(got.body) == string_field(*obj, "content_hash").substr(7));
  }
  // A range inside the second part, and across the first two.
  auto range =
      by_id(client, "GET", string_field(big_obj, "id"), "t",
            {{"Range", "bytes=" + std::to_string(kPart - 10) + "-" + std::to_string(kPart + 9)}});
  REQUIRE(range.status == 206);
  CHECK(range.body == big.substr(kPart - 10, 20));

  // Deleting both hot objects and collecting: the bucket is empty again.
  for (const auto* obj : {&big_obj, &small_obj}) {
    REQUIRE(by_id(client, "DELETE", string_field(*obj, "id"), "t").status == 204);
  }
  run_gc(client);
  CHECK(bucket_keys(backend, prefix).empty());
}

TEST_CASE("a class with REDIRECT_DOWNLOADS answers GET with 302 to a presigned URL",
          "[s3backend_api]") {
  Backend backend = start_backend();
  TestDatabase database = TestDatabase::create("castor_e2e_s3redir");
  auto env = hot_in(backend, "redirect/");
  env["HOT_REDIRECT_DOWNLOADS"] = "true";
  env["HOT_REDIRECT_TTL_SECONDS"] = "60";
  ServerProcess front = ServerProcess::start(front_options(database, env));
  HttpClient client = front.client();

  const std::string body = testing::random_bytes(300 * 1024);
  auto obj = upload(
      client, ObjectParams{.tenant = "t"}, body,
      {{"Content-Type", "text/csv"}, {"Content-Disposition", "attachment; filename=\"a.csv\""}});
  const std::string id = string_field(obj, "id");

  auto got = by_id(client, "GET", id, "t");
  REQUIRE(got.status == 302);
  CHECK(got.header("Cache-Control") == "no-store");
  CHECK(got.body.empty());
  auto [port, target] = split_url(got.header("Location"));
  CHECK(port == backend.server.port());
  HttpClient direct("127.0.0.1", port);
  auto fetched = direct.request("GET", target, {});
  REQUIRE(fetched.status == 200);
  CHECK(fetched.body == body);
  CHECK(fetched.header("Content-Type") == "text/csv");
  CHECK(fetched.header("Content-Disposition") == "attachment; filename=\"a.csv\"");
  auto part = direct.request("GET", target, {{"Range", "bytes=10-19"}});
  REQUIRE(part.status == 206);
  CHECK(part.body == body.substr(10, 10));

  // Not redirected: HEAD, a conditional GET that matches (304), a verified read, and content
  // kept in PostgreSQL (small objects).
  auto head = by_id(client, "HEAD", id, "t");
  CHECK(head.status == 200);
  CHECK(head.header("Location").empty());
  auto not_modified =
      by_id(client, "GET", id, "t", {{"If-None-Match", "\"" + testing::sha256_hex(body) + "\""}});
  CHECK(not_modified.status == 304);
  auto verified = client.request("GET", "/v1/objects/" + id + "?verify=true", {{"X-Tenant", "t"}});
  REQUIRE(verified.status == 200);
  CHECK(verified.body == body);
  auto tiny = upload(client, ObjectParams{.tenant = "t"}, "tiny");
  auto tiny_got = by_id(client, "GET", string_field(tiny, "id"), "t");
  CHECK(tiny_got.status == 200);
  CHECK(tiny_got.body == "tiny");
}

TEST_CASE("an unreachable or forbidden bucket stops the start with one clear line",
          "[s3backend_api]") {
  Backend backend = start_backend();
  TestDatabase database = TestDatabase::create("castor_e2e_s3bad");

  SECTION("nothing listens at the endpoint") {
    // The backend's port after it stopped: nothing listens there any more.
    ServerProcess gone = ServerProcess::start(front_options(database, {}));
    const std::uint16_t dead_port = gone.port();
    gone.kill(SIGKILL);
    (void)gone.wait();
    ServerProcess front =
        ServerProcess::launch(front_options(database, hot_in(backend, "x/", dead_port)));
    auto exit = front.wait(std::chrono::seconds(60));
    REQUIRE(exit.exit_code);
    CHECK(*exit.exit_code != 0);
    CHECK_THAT(front.log(),
               Catch::Contains("hot storage (S3 http://127.0.0.1:" + std::to_string(dead_port)));
  }
  SECTION("a wrong secret") {
    auto env = hot_in(backend, "x/");
    env["HOT_S3_SECRET_ACCESS_KEY"] = "wrong" + env["HOT_S3_SECRET_ACCESS_KEY"].substr(5);
    ServerProcess front = ServerProcess::launch(front_options(database, env));
    auto exit = front.wait(std::chrono::seconds(60));
    REQUIRE(exit.exit_code);
    CHECK(*exit.exit_code != 0);
    CHECK_THAT(front.log(), Catch::Contains("hot storage (S3"));
  }
  SECTION("a missing bucket") {
    auto env = hot_in(backend, "x/");
    env["HOT_S3_BUCKET"] = "no-such-bucket";
    ServerProcess front = ServerProcess::launch(front_options(database, env));
    auto exit = front.wait(std::chrono::seconds(60));
    REQUIRE(exit.exit_code);
    CHECK(*exit.exit_code != 0);
    CHECK_THAT(front.log(), Catch::Contains("no-such-bucket"));
  }
}

TEST_CASE("/ready fails while the bucket is unreachable", "[s3backend_api]") {
  Backend backend = start_backend();
  TestDatabase database = TestDatabase::create("castor_e2e_s3ready");
  ServerProcess front = ServerProcess::start(front_options(database, hot_in(backend, "r/")));
  HttpClient client = front.client();
  REQUIRE(client.request("GET", "/ready", {}).status == 200);
  backend.server.kill(SIGSTOP);  // a backend that hangs: requests time out
  // The readiness monitor re-checks every second; wait for it, bounded.
  int status = 200;
  for (int i = 0; i < 60 && status == 200; ++i) {
    status = client.request("GET", "/ready", {}).status;
    if (status == 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  backend.server.kill(SIGCONT);
  CHECK(status == 503);
}

}  // namespace castor::e2e
