// The open endpoints: liveness, readiness and the Prometheus metrics.
#include "api/routes.h"

namespace castor::api {

namespace http = boost::beast::http;

Awaitable<void> handle_health(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  co_await s.send(c, ex, http::status::ok, R"({"status":"ok"})");
}

Awaitable<void> handle_ready(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  if (auto ready = s.uc().readiness.ready(); !ready) {
    co_return co_await s.send_error(
        c, ex, http_error(http::status::service_unavailable, "not_ready", ready.error().message));
  }
  co_await s.send(c, ex, http::status::ok, R"({"status":"ready"})");
}

// With METRICS_AUTH, a credential with the route's scope (admin) is needed.
Awaitable<void> handle_metrics(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  if (s.options().metrics_auth) {
    if (auto denied = co_await s.authenticate(ex, c.remote)) {
      co_return co_await s.send_error(c, ex, *denied);
    }
    if (auto denied = s.authorize(ex, nullptr, ex.route->scope.value_or(Scope::kAdmin))) {
      co_return co_await s.send_error(c, ex, *denied);
    }
  }
  co_await s.send(c, ex, http::status::ok, s.uc().render_metrics(),
                  "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace castor::api
