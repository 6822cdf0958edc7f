// Rate limits: a token bucket per credential, and one per client address for requests without
// a valid credential. Past the burst a client gets 429 with Retry-After, and service again once
// the bucket has refilled.

#include <charconv>
#include <string>

#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "support/random_data.h"

namespace castor::e2e {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

constexpr int kMaxAttempts = 10;  // with a burst of 2, the 429 must come well before this
constexpr auto kRecoveryDeadline = std::chrono::seconds(10);

// Requires a 429 as castor sends it: Retry-After a positive number of seconds and the JSON error
// code rate_limited.
void require_rate_limited(const HttpResponse& response) {
  require_error(response, 429, "rate_limited");
  const std::string retry_after = response.header("Retry-After");
  INFO("Retry-After: '" << retry_after << "'");
  long long seconds = 0;
  const auto [end, ec] =
      std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
  REQUIRE(ec == std::errc());
  REQUIRE(end == retry_after.data() + retry_after.size());
  CHECK(seconds > 0);
}

// Sends `request` until an answer other than `allowed_status` comes back (at most kMaxAttempts
// times); returns it, requiring that the first answer was `allowed_status`.
template <class Request>
HttpResponse send_until_limited(Request request, int allowed_status) {
  HttpResponse response;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    response = request();
    INFO("attempt " << attempt << ": " << response.status << " " << response.body);
    if (attempt == 1) {
      REQUIRE(response.status == allowed_status);
    }
    if (response.status != allowed_status) {
      return response;
    }
  }
  FAIL("no 429 after " << kMaxAttempts << " requests at a rate limit of 2/s, burst 2");
  return response;
}

}  // namespace

TEST_CASE(
    "past its burst a credential gets 429 with Retry-After, other credentials are unaffected, "
    "and it recovers; requests without a credential are limited per address",
    "[e2e][auth]") {
  AuthEnvironment& env = auth_environment();
  const std::string tenant = testing::unique_name("auth-rate");
  // Keys issued through the unlimited shared server; the limited one shares its database.
  HttpClient admin_client = env.server.client();
  const IssuedKey limited_key = create_key(admin_client, env.admin.key, tenant, {"objects:read"});
  const IssuedKey other_key = create_key(admin_client, env.admin.key, tenant, {"objects:read"});

  testing::ServerProcess server = testing::ServerProcess::start(auth_server_options(
      env.database.url(), {{"RATE_LIMIT_RPS", "2"}, {"RATE_LIMIT_BURST", "2"}}));
  HttpClient client = server.client();
  const std::string list = "/v1/objects?namespace=auth&tenant_id=" + tenant;
  auto list_as = [&](const IssuedKey& key) { return client.request("GET", list, bearer(key.key)); };

  // One credential runs out of tokens.
  const HttpResponse limited = send_until_limited([&] { return list_as(limited_key); }, 200);
  require_rate_limited(limited);

  // Its bucket is its own: another key is served at once.
  CHECK(list_as(other_key).status == 200);

  // It is served again once its bucket refills (2 tokens a second).
  HttpResponse last;
  const auto recovered = poll_until(
      [&] {
        last = list_as(limited_key);
        return last.status != 429;
      },
      kRecoveryDeadline, std::chrono::milliseconds(50));
  INFO("last answer: " << last.status << " " << last.body);
  REQUIRE(recovered.has_value());
  CHECK(last.status == 200);

  // Without a credential: 401 at first, then 429 for this address.
  const HttpResponse anonymous =
      send_until_limited([&] { return client.request("GET", list); }, 401);
  require_rate_limited(anonymous);
  // A bad credential counts against the address too.
  require_rate_limited(client.request("GET", list, bearer("not-a-credential")));
  // The address's bucket does not hold back a valid credential, nor the probes.
  CHECK(list_as(other_key).status == 200);
  CHECK(client.request("GET", "/health").status == 200);
  // And it refills: 401 again, not 429.
  const auto anonymous_recovered = poll_until(
      [&] {
        last = client.request("GET", list);
        return last.status != 429;
      },
      kRecoveryDeadline, std::chrono::milliseconds(50));
  INFO("last anonymous answer: " << last.status << " " << last.body);
  REQUIRE(anonymous_recovered.has_value());
  CHECK(last.status == 401);
}

}  // namespace castor::e2e
