#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/test_database.h"

// Credentials for the authentication tests: JWTs minted by hand (OpenSSL HMAC and base64url, so
// the tests do not share a JWT library with the server), API keys issued through the `castor
// keys` command line and the admin endpoints, and one database with an authenticating server
// shared by the [auth] test cases of this executable.
namespace castor::e2e {

// The HS256 secret every authenticating test server is started with (JWT_SECRET, >= 32 bytes).
inline constexpr std::string_view kJwtSecret = "castor-e2e-jwt-secret-for-tests-only-0123456789";

// ---- JWTs ---------------------------------------------------------------------------------------

// Unpadded base64url (RFC 4648 section 5) of `bytes`.
std::string base64url(std::string_view bytes);

// Seconds since the Unix epoch, now.
std::int64_t unix_now();

// Claims as castor reads them: sub, tenant (a tenant or "*"), scope (space-separated), iat now
// and exp `expires_in` from now (negative: already expired).
boost::json::object jwt_claims(std::string_view tenant, std::string_view scope,
                               std::chrono::seconds expires_in = std::chrono::minutes(10),
                               std::string_view subject = "e2e-user");

// A compact JWS: base64url(header).base64url(claims).base64url(HMAC-SHA256(secret, both)). The
// header is taken as given, so a test can claim any "alg".
std::string sign_hs256(const boost::json::object& header, const boost::json::object& claims,
                       std::string_view secret = kJwtSecret);

// sign_hs256 with the header {"alg":"HS256","typ":"JWT"}.
std::string hs256_jwt(const boost::json::object& claims, std::string_view secret = kJwtSecret);

// The three dot-separated segments of a compact JWS (throws std::invalid_argument otherwise).
struct JwtParts {
  std::string header;
  std::string claims;
  std::string signature;
};
JwtParts split_jwt(std::string_view token);

// ---- API keys -----------------------------------------------------------------------------------

// An API key as issued: its visible id and the whole key ("cst_<id>_<secret>", shown once).
struct IssuedKey {
  std::string id;
  std::string key;
};

// The id part of a key "cst_<id>_<secret>" (throws std::invalid_argument otherwise).
std::string key_id(std::string_view key);

// What a `castor` command printed and how it exited.
struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;
  std::string err;
};

// Runs `castor <args...>` with DATABASE_URL=database_url (and LOG_LEVEL=warn) added to this
// process's environment; waits at most 30 s (then kills it and throws std::runtime_error).
CommandResult run_castor(const std::vector<std::string>& args, const std::string& database_url);

// `castor keys create --tenant tenant --scopes scopes [--expires-in N]`, requiring exit code 0
// and a key (alone on one line) on stdout.
IssuedKey cli_create_key(const std::string& database_url, std::string_view tenant,
                         std::string_view scopes,
                         std::optional<std::int64_t> expires_in_seconds = std::nullopt);

// POST /v1/admin/api-keys as `admin_key`, requiring 201 with an id and a key.
IssuedKey create_key(testing::HttpClient& client, std::string_view admin_key,
                     std::string_view tenant, const std::vector<std::string>& scopes,
                     std::optional<std::int64_t> expires_in_seconds = std::nullopt);

// DELETE /v1/admin/api-keys/{id} as `admin_key`, requiring 204.
void revoke_key(testing::HttpClient& client, std::string_view admin_key, std::string_view id);

// Sets the key's expires_at an hour in the past, straight in the database (for a key that no
// server has seen yet, so none has it cached).
void expire_key_in_database(const std::string& database_url, std::string_view id);

// {"Authorization": "Bearer <token>"}.
testing::Headers bearer(std::string_view token);

// ---- servers ------------------------------------------------------------------------------------

// Options for a server on `database_url` with AUTH_MODE=required, JWT_SECRET=kJwtSecret,
// LOG_LEVEL=info (so that the tests can read the audit lines and search the log for secrets) and
// SHUTDOWN_DELAY_SECONDS=0, plus `extra_env` (which wins).
testing::ServerOptions auth_server_options(const std::string& database_url,
                                           std::map<std::string, std::string> extra_env = {});

// One database, one server started with auth_server_options() and an admin key for every tenant
// (created with `castor keys create --tenant '*' --scopes admin`), started on first use and
// stopped at exit. Test cases may start more servers on the same database.
struct AuthEnvironment {
  testing::TestDatabase database;
  testing::ServerProcess server;
  IssuedKey admin;
};

AuthEnvironment& auth_environment();

// Calls `probe` every `interval` until it returns true or `within` has passed since the call;
// returns how long that took, or nullopt if the deadline passed first.
template <class Probe>
std::optional<std::chrono::steady_clock::duration> poll_until(
    Probe probe, std::chrono::milliseconds within,
    std::chrono::milliseconds interval = std::chrono::milliseconds(20)) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    if (probe()) {
      return std::chrono::steady_clock::now() - start;
    }
    if (std::chrono::steady_clock::now() - start >= within) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(interval);  // poll interval, not synchronisation
  }
}

}  // namespace castor::e2e
