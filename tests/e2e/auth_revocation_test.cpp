// Revocation and expiry of API keys as every server process sees them: servers cache keys
// briefly, but a key revoked through one process (or the command line) stops working on every
// process sharing the database within a few seconds, and an expiring key stops at its expiry.

#include <string>

#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "support/random_data.h"
#include "support/temp_dir.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

// How long a revocation may take to reach every process (the issue: "a few seconds").
constexpr auto kRevocationBound = std::chrono::seconds(5);
// How long the tests poll before giving up (longer than the bound, to report how long it took).
constexpr auto kPollDeadline = std::chrono::seconds(10);

std::string seconds(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration<double>(d).count()) + " s";
}

// Polls GET `target` with `key` on `client` until it answers 401; returns how long after `since`
// that happened (nullopt: not within kPollDeadline), and leaves the last answer in `last`.
std::optional<std::chrono::steady_clock::duration> until_refused(
    HttpClient& client, const std::string& target, const std::string& key,
    std::chrono::steady_clock::time_point since, HttpResponse& last) {
  const auto polled = poll_until(
      [&] {
        last = client.request("GET", target, bearer(key));
        return last.status == 401;
      },
      kPollDeadline);
  if (!polled) {
    return std::nullopt;
  }
  return std::chrono::steady_clock::now() - since;
}

}  // namespace

TEST_CASE(
    "a key revoked through one server is refused by another server on the same database within "
    "5 s",
    "[e2e][auth]") {
  AuthEnvironment& env = auth_environment();
  const testing::TempDir storage("castor-auth-storage");
  testing::ServerOptions options = auth_server_options(env.database.url());
  options.storage_root = storage.path();
  testing::ServerProcess server_a = testing::ServerProcess::start(options);
  testing::ServerProcess server_b = testing::ServerProcess::start(options);
  HttpClient client_a = server_a.client();
  HttpClient client_b = server_b.client();

  const std::string tenant = testing::unique_name("auth-revoke");
  const IssuedKey key =
      create_key(client_a, env.admin.key, tenant, {"objects:read", "objects:write"});
  // The key works on both servers, so both have it cached.
  const std::string id = string_field(
      upload(client_a, {.tenant = tenant, .key = "doc"}, "revocable", bearer(key.key)), "id");
  const std::string target = "/v1/objects/" + id;
  REQUIRE(client_b.request("GET", target, bearer(key.key)).status == 200);
  REQUIRE(client_a.request("GET", target, bearer(key.key)).status == 200);

  const auto revoked_at = std::chrono::steady_clock::now();
  revoke_key(client_a, env.admin.key, key.id);

  HttpResponse last;
  const auto on_b = until_refused(client_b, target, key.key, revoked_at, last);
  INFO("server B's last answer: " << last.status << " " << last.body);
  REQUIRE(on_b.has_value());
  INFO("server B refused the key " << seconds(*on_b) << " after the revocation");
  CHECK(*on_b < kRevocationBound);
  require_error(last, 401, "unauthenticated");
  CHECK(last.header("WWW-Authenticate").starts_with("Bearer"));
  // And keeps refusing it (no cache brings it back).
  for (int i = 0; i < 5; ++i) {
    CHECK(client_b.request("GET", target, bearer(key.key)).status == 401);
  }

  const auto on_a = until_refused(client_a, target, key.key, revoked_at, last);
  INFO("server A's last answer: " << last.status << " " << last.body);
  REQUIRE(on_a.has_value());
  CHECK(*on_a < kRevocationBound);

  // The revocation shows in the key listing (of either server); the object is untouched.
  const HttpResponse listing = client_b.request("GET", "/v1/admin/api-keys", bearer(env.admin.key));
  REQUIRE(listing.status == 200);
  bool listed = false;
  const boost::json::object keys = parse_object(listing.body);
  for (const auto& item : keys.at("api_keys").as_array()) {
    const boost::json::object& k = item.as_object();
    if (string_field(k, "id") == key.id) {
      listed = true;
      CHECK(k.at("revoked_at").is_string());
      CHECK(k.at("last_used_at").is_string());  // it was used before the revocation
    }
  }
  CHECK(listed);
  const HttpResponse still_there = by_id(client_b, "GET", id, tenant, bearer(env.admin.key));
  CHECK(still_there.status == 200);
  CHECK(still_there.body == "revocable");

  // Revoking a key that does not exist is a 404.
  require_error(
      client_a.request("DELETE", "/v1/admin/api-keys/zzzzzzzzzzzz", bearer(env.admin.key)), 404,
      "not_found");
}

TEST_CASE("castor keys revoke takes effect on a running server within 5 s", "[e2e][auth]") {
  AuthEnvironment& env = auth_environment();
  const std::string tenant = testing::unique_name("auth-cli");
  const IssuedKey key = cli_create_key(env.database.url(), tenant, "objects:read");
  HttpClient client = env.server.client();
  const std::string target = "/v1/objects?namespace=auth&tenant_id=" + tenant;
  REQUIRE(client.request("GET", target, bearer(key.key)).status == 200);  // now cached

  const auto revoked_at = std::chrono::steady_clock::now();
  const CommandResult revoke = run_castor({"keys", "revoke", key.id}, env.database.url());
  INFO("castor keys revoke: exit " << revoke.exit_code << " " << revoke.err);
  REQUIRE(revoke.exit_code == 0);

  HttpResponse last;
  const auto refused = until_refused(client, target, key.key, revoked_at, last);
  INFO("last answer: " << last.status << " " << last.body);
  REQUIRE(refused.has_value());
  INFO("refused " << seconds(*refused) << " after the revocation");
  CHECK(*refused < kRevocationBound);

  const CommandResult list = run_castor({"keys", "list"}, env.database.url());
  INFO("castor keys list: exit " << list.exit_code << "\n" << list.out << list.err);
  REQUIRE(list.exit_code == 0);
  const auto line_start = list.out.find(key.id);
  REQUIRE(line_start != std::string::npos);
  const std::string line =
      list.out.substr(line_start, list.out.find('\n', line_start) - line_start);
  CHECK(line.find("revoked") != std::string::npos);
  const std::string secret = key.key.substr(std::string("cst_").size() + key.id.size() + 1);
  CHECK(list.out.find(secret) == std::string::npos);
}

TEST_CASE("an API key stops working at its expiry", "[e2e][auth]") {
  AuthEnvironment& env = auth_environment();
  const std::string tenant = testing::unique_name("auth-expiry");
  HttpClient client = env.server.client();
  const auto created_at = std::chrono::steady_clock::now();
  const IssuedKey key = create_key(client, env.admin.key, tenant, {"objects:read"},
                                   /*expires_in_seconds=*/2);
  const std::string target = "/v1/objects?namespace=auth&tenant_id=" + tenant;
  const HttpResponse first = client.request("GET", target, bearer(key.key));
  if (std::chrono::steady_clock::now() - created_at < std::chrono::milliseconds(1500)) {
    // Only meaningful while the key is surely still valid (a slow machine may be past it).
    INFO("first use: " << first.status << " " << first.body);
    CHECK(first.status == 200);
  }
  HttpResponse last;
  const auto refused = until_refused(client, target, key.key, created_at, last);
  INFO("last answer: " << last.status << " " << last.body);
  REQUIRE(refused.has_value());
  CHECK(*refused >= std::chrono::seconds(1));  // not before its expiry (2 s, less a clock tick)
  require_error(last, 401, "unauthenticated");
}

}  // namespace castor::e2e
