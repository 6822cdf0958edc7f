// What a new user meets in the first minutes (issue 7): errors that say what to do, the stored
// content type of a curl upload, a key revoked twice, and readable text log lines.

#include <csignal>
#include <regex>
#include <string>

#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

// The "message" of an error response.
std::string error_message(const HttpResponse& response) {
  return string_field(parse_object(response.body).at("error").as_object(), "message");
}

}  // namespace

TEST_CASE("a 409 names the key that is taken", "[e2e][first-run]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("taken");
  const ObjectParams params{.tenant = tenant, .key = "docs/hello.txt"};
  upload(client, params, "v1");
  const HttpResponse again = post_object(client, params, "v2");
  require_error(again, 409, "already_exists");
  CHECK(error_message(again) ==
        "key 'docs/hello.txt' is already used in namespace e2e of tenant " + tenant);
}

TEST_CASE("curl's default form type is not stored: the key's extension decides",
          "[e2e][first-run]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("ctype");
  const testing::Headers form{{"Content-Type", "application/x-www-form-urlencoded"}};
  struct Case {
    std::string key;
    std::string stored;
  };
  for (const Case& c :
       {Case{"model/config.json", "application/json"}, Case{"notes.txt", "text/plain"},
        Case{"weights.castor-unknown-ext", "application/octet-stream"}}) {
    INFO(c.key);
    const auto object = upload(client, {.tenant = tenant, .key = c.key}, "{}", form);
    CHECK(string_field(object, "content_type") == c.stored);
    const HttpResponse got = client.request("GET", by_key_target("e2e", tenant, c.key));
    REQUIRE(got.status == 200);
    CHECK(got.header("Content-Type") == c.stored);
  }
  // A type that is sent is kept as it is.
  const auto png =
      upload(client, {.tenant = tenant, .key = "x.json"}, "{}", {{"Content-Type", "image/png"}});
  CHECK(string_field(png, "content_type") == "image/png");
}

TEST_CASE("the text log has one readable line per request", "[e2e][first-run]") {
  testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_textlog");
  testing::ServerOptions options;
  options.binary = castor_binary();
  options.database_url = database.url();
  options.extra_env = {{"LOG_FORMAT", "text"}, {"LOG_LEVEL", "info"}};
  testing::ServerProcess server = testing::ServerProcess::start(std::move(options));
  HttpClient client = server.client();
  REQUIRE(client.request("GET", "/v1/objects?namespace=demo&tenant_id=acme").status == 200);
  server.kill(SIGTERM);
  server.wait();
  const std::regex line(
      R"((^|\n)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z info GET /v1/objects 200 \d+\.\d{3} ms )"
      R"(in=0 out=\d+ route=/v1/objects tenant=acme remote=127\.0\.0\.1 req=[0-9a-f]+\n)");
  INFO(server.log());
  CHECK(std::regex_search(server.log(), line));
}

TEST_CASE("without a credential unknown routes and wrong methods answer 401 like any other",
          "[e2e][auth][first-run]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();
  require_error(client.request("GET", "/v1/nothing-here"), 401, "unauthenticated");
  require_error(client.request("PUT", "/v1/admin/gc"), 401, "unauthenticated");
  require_error(client.request("GET", "/v1/nothing-here", bearer(env.admin.key)), 404, "not_found");
  require_error(client.request("PUT", "/v1/admin/gc", bearer(env.admin.key)), 405, "");
  // The probes stay open.
  CHECK(client.request("GET", "/health").status == 200);
}

TEST_CASE("refusals say what is missing", "[e2e][auth][first-run]") {
  AuthEnvironment& env = auth_environment();
  HttpClient client = env.server.client();

  // A '*' credential must name the tenant, and is told why.
  const HttpResponse no_tenant =
      client.request("GET", "/v1/objects?namespace=demo", bearer(env.admin.key));
  require_error(no_tenant, 400, "invalid_argument");
  CHECK(error_message(no_tenant) ==
        "tenant is required: this credential is valid for every tenant ('*'), so name one with "
        "the X-Tenant header or the tenant_id parameter");

  // A tenant-bound credential without keys:manage (or admin) is told about the scope.
  const IssuedKey writer =
      create_key(client, env.admin.key, "acme", {"objects:read", "objects:write"});
  const HttpResponse denied = client.request("GET", "/v1/admin/api-keys", bearer(writer.key));
  require_error(denied, 403, "permission_denied");
  CHECK(error_message(denied) == "credential lacks scope keys:manage");
  // ... and may omit its own tenant.
  CHECK(client.request("GET", "/v1/objects?namespace=demo", bearer(writer.key)).status == 200);
}

TEST_CASE("a JWT sent to a server without JWT configuration is told so", "[e2e][auth][first-run]") {
  AuthEnvironment& env = auth_environment();
  testing::ServerProcess server =
      testing::ServerProcess::start(auth_server_options(env.database.url(), {{"JWT_SECRET", ""}}));
  HttpClient client = server.client();
  const std::string jwt = hs256_jwt(jwt_claims("acme", "objects:read"));
  const HttpResponse refused =
      client.request("GET", "/v1/objects?namespace=demo&tenant_id=acme", bearer(jwt));
  require_error(refused, 401, "unauthenticated");
  CHECK(error_message(refused) ==
        "the token looks like a JWT, but JWT authentication is not configured on this server (set "
        "JWT_SECRET or JWT_PUBLIC_KEY_FILE)");
  // The same token works where JWT_SECRET is set.
  CHECK(env.server.client()
            .request("GET", "/v1/objects?namespace=demo&tenant_id=acme", bearer(jwt))
            .status == 200);
}

TEST_CASE("castor keys revoke says what it revoked, and a second revoke that it already was",
          "[e2e][auth][first-run]") {
  AuthEnvironment& env = auth_environment();
  const IssuedKey key = cli_create_key(env.database.url(), "acme", "objects:read");
  const std::vector<std::string> revoke{"keys", "revoke", key.id};
  const CommandResult first = run_castor(revoke, env.database.url());
  CHECK(first.exit_code == 0);
  CHECK(first.out == "revoked API key " + key.id + "\n");
  const CommandResult second = run_castor(revoke, env.database.url());
  CHECK(second.exit_code == 0);
  CHECK(second.out == "API key " + key.id + " was already revoked\n");
  // One audit line, from the first call only (LOG_LEVEL=warn hides info lines: ask for them).
  const CommandResult third =
      run_castor({"keys", "revoke", key.id, "--log-level", "info"}, env.database.url());
  CHECK(third.err.find("audit") == std::string::npos);
  const CommandResult unknown = run_castor({"keys", "revoke", "nosuchkey000"}, env.database.url());
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no such API key") != std::string::npos);

  // Over HTTP, a second DELETE is still 204 but leaves no second audit line.
  HttpClient client = env.server.client();
  const IssuedKey other = create_key(client, env.admin.key, "acme", {"objects:read"});
  revoke_key(client, env.admin.key, other.id);
  revoke_key(client, env.admin.key, other.id);
  const std::string log = env.server.log();
  std::size_t lines = 0;
  for (std::size_t at = log.find(other.id + " revoked"); at != std::string::npos;
       at = log.find(other.id + " revoked", at + 1)) {
    ++lines;
  }
  CHECK(lines == 1);
}

}  // namespace castor::e2e
