// Who may read /metrics: behind the admin scope (METRICS_AUTH=true), or only on a listener of its
// own (METRICS_ADDR) that serves nothing but /metrics and the probes.

#include <string>

#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/shared_server.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

bool looks_like_metrics(const HttpResponse& response) {
  return response.status == 200 &&
         response.body.find("castor_http_requests_total") != std::string::npos;
}

}  // namespace

TEST_CASE("METRICS_AUTH=true: /metrics needs a credential with the admin scope",
          "[e2e][metrics-access]") {
  testing::ServerProcess server = testing::ServerProcess::start(
      auth_server_options(shared_server().database.url(), {{"METRICS_AUTH", "true"}}));
  HttpClient client = server.client();
  require_error(client.request("GET", "/metrics"), 401, "");
  const std::string reader = hs256_jwt(jwt_claims("*", "objects:read"));
  require_error(client.request("GET", "/metrics", bearer(reader)), 403, "");
  CHECK(looks_like_metrics(
      client.request("GET", "/metrics", bearer(hs256_jwt(jwt_claims("*", "admin"))))));
  // The probes stay open.
  CHECK(client.request("GET", "/health").status == 200);
  CHECK(client.request("GET", "/ready").status == 200);
}

TEST_CASE("without METRICS_AUTH, /metrics is open even when credentials are required",
          "[e2e][metrics-access]") {
  testing::ServerProcess server =
      testing::ServerProcess::start(auth_server_options(shared_server().database.url()));
  HttpClient client = server.client();
  CHECK(looks_like_metrics(client.request("GET", "/metrics")));
}

TEST_CASE("METRICS_ADDR: /metrics and the probes on a listener of their own",
          "[e2e][metrics-access]") {
  testing::ServerOptions options;
  options.binary = castor_binary();
  options.database_url = shared_server().database.url();
  options.extra_env = {{"METRICS_ADDR", "127.0.0.1:0"}};
  testing::ServerProcess server = testing::ServerProcess::start(std::move(options));
  const auto metrics_port = server.metrics_port();
  REQUIRE(metrics_port.has_value());
  REQUIRE(*metrics_port != server.port());

  HttpClient metrics("127.0.0.1", *metrics_port);
  CHECK(looks_like_metrics(metrics.request("GET", "/metrics")));
  CHECK(metrics.request("GET", "/health").status == 200);
  CHECK(metrics.request("GET", "/ready").status == 200);
  require_error(metrics.request("GET", "/v1/objects?namespace=e2e&tenant_id=t"), 404, "not_found");
  require_error(metrics.request("POST", "/v1/admin/gc"), 404, "not_found");

  HttpClient api = server.client();
  require_error(api.request("GET", "/metrics"), 404, "not_found");
  CHECK(api.request("GET", "/health").status == 200);
  CHECK(api.request("GET", "/v1/objects?namespace=e2e&tenant_id=t").status == 200);
}

}  // namespace castor::e2e
