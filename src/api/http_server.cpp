#include "api/http_server.h"

#include <optional>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>

#include "api/error_response.h"
#include "api/listener.h"
#include "api/prometheus_text.h"
#include "api/routes.h"
#include "api/s3/s3_front.h"
#include "api/server_core.h"
#include "application/io_thread.h"

namespace castor {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace hp = http_params;
using tcp = net::ip::tcp;

// ---- the server ---------------------------------------------------------------------------------

namespace {

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

using api::Connection;
using api::Exchange;
using api::kAsTuple;

struct HttpServer::Impl {
  Impl(Options options, UseCases use_cases)
      : core(options, use_cases),
        ioc(static_cast<int>(options.io_threads)),
        signals(ioc, SIGINT, SIGTERM),
        api_listener(ioc, "api",
                     {options.max_connections, options.header_timeout, options.idle_timeout},
                     [this](Connection& c, Exchange& ex) { return serve_counted(c, ex, false); }) {
    if (options.metrics_port) {
      metrics_listener.emplace(
          ioc, "metrics",
          api::Listener::Limits{kMetricsConnections, options.header_timeout, options.idle_timeout},
          [this](Connection& c, Exchange& ex) { return serve_counted(c, ex, true); });
    }
  }

  // Connections the METRICS_ADDR listener serves at once (scrapers and probes).
  static constexpr std::size_t kMetricsConnections = 32;

  const api::RouteTable& routes = api::RouteTable::get();
  api::ServerCore core;
  net::io_context ioc;
  net::signal_set signals;
  api::Listener api_listener;
  std::optional<api::Listener> metrics_listener;  // only /metrics, /health, /ready
  std::optional<std::uint16_t> metrics_port;      // bound, once listening

  const Options& options() const { return core.options(); }

  Result<std::uint16_t> listen() {
    if (metrics_listener) {
      auto port = metrics_listener->listen(options().metrics_host, *options().metrics_port);
      if (!port) {
        return port;
      }
      metrics_port = *port;
    }
    return api_listener.listen(options().host, options().port);
  }

  void run() {
    api_listener.start();
    if (metrics_listener) {
      metrics_listener->start();
    }
    signals.async_wait([this](boost::system::error_code ec, int sig) {
      if (!ec) {
        spdlog::info("signal {}: draining (up to {} s)", sig, options().shutdown_timeout.count());
        net::co_spawn(ioc, drain(), net::detached);
      }
    });
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < options().io_threads; ++i) {
      threads.emplace_back([this] {
        mark_io_thread();
        ioc.run();
      });
    }
    mark_io_thread();
    ioc.run();
    for (auto& t : threads) {
      t.join();
    }
    core.join_workers();  // blocking calls in flight finish before their frames go away
  }

  net::awaitable<void> drain() {
    // Readiness fails at once, so the orchestrator stops routing here; new connections are still
    // served for shutdown_delay while that news spreads, then the listeners close.
    core.uc().readiness.set_draining();
    signals.cancel();
    net::steady_timer tick(ioc);
    tick.expires_after(options().shutdown_delay);
    co_await tick.async_wait(kAsTuple);
    core.set_draining();
    api_listener.stop_accepting();
    if (metrics_listener) {
      metrics_listener->stop_accepting();
    }
    const auto deadline = std::chrono::steady_clock::now() + options().shutdown_timeout;
    for (;;) {
      std::size_t open = api_listener.close_idle();
      if (metrics_listener) {
        open += metrics_listener->close_idle();
      }
      if (open == 0) {
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        spdlog::warn("drain timeout: closing {} connections", open);
        break;
      }
      tick.expires_after(std::chrono::milliseconds(50));
      co_await tick.async_wait(kAsTuple);
    }
    ioc.stop();
  }

  // Serves one request and accounts for it (metrics, access log).
  net::awaitable<void> serve_counted(Connection& c, Exchange& ex, bool metrics_only) {
    const auto start = std::chrono::steady_clock::now();
    core.uc().metrics.http_request_started();
    co_await serve(c, ex, metrics_only);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    core.uc().metrics.http_request_finished(
        routes.label_index(ex.route), api::http_method_index(sv(ex.req().method_string())),
        static_cast<int>(ex.status), ex.bytes_in, ex.bytes_out, seconds);
    log_request(c, ex, seconds);
  }

  std::string_view route_label(const Exchange& ex) const {
    return routes.labels()[routes.label_index(ex.route)];
  }

  // One line per request on the access logger. Text: "GET /v1/objects 200 1.234 ms in=0
  // out=120 route=/v1/objects tenant=acme remote=127.0.0.1 req=…" (the path as on the request
  // line, without its query). JSON: members that the logger splices after ts, level and msg.
  void log_request(const Connection& c, Exchange& ex, double seconds) {
    auto access = spdlog::get(options().access_logger);
    if (!access) {
      return;
    }
    if (!options().access_log_json) {
      const std::string_view target = sv(ex.req().target());
      access->info("{} {} {} {:.3f} ms in={} out={} route={} tenant={} remote={} req={}",
                   sv(ex.req().method_string()), target.substr(0, target.find('?')), ex.status,
                   seconds * 1000.0, ex.bytes_in, ex.bytes_out, route_label(ex),
                   ex.tenant.empty() ? "-" : ex.tenant, c.remote, ex.request_id);
      return;
    }
    auto quoted = [](std::string_view v) { return boost::json::serialize(boost::json::string(v)); };
    std::string members;
    members.reserve(256);
    members.append("\"request_id\":").append(quoted(ex.request_id));
    members.append(",\"method\":").append(quoted(sv(ex.req().method_string())));
    members.append(",\"route\":").append(quoted(route_label(ex)));
    members.append(",\"path\":").append(quoted(ex.target.path));
    members.append(",\"status\":").append(std::to_string(ex.status));
    members.append(",\"bytes_in\":").append(std::to_string(ex.bytes_in));
    members.append(",\"bytes_out\":").append(std::to_string(ex.bytes_out));
    members.append(",\"duration_ms\":").append(fmt::format("{:.3f}", seconds * 1000.0));
    members.append(",\"tenant\":").append(ex.tenant.empty() ? "null" : quoted(ex.tenant));
    members.append(",\"remote\":").append(quoted(c.remote));
    access->info("{}", members);
  }

  // ---- routing ----------------------------------------------------------------------------------

  // Whether this listener serves `route`'s pattern. The METRICS_ADDR listener (`metrics_only`)
  // knows only the probes and /metrics; when it exists, the API listener does not serve /metrics.
  bool serves(const api::Route& route, bool metrics_only) const {
    switch (route.served) {
      case api::Served::kApi:
        return !metrics_only;
      case api::Served::kEverywhere:
        return true;
      case api::Served::kMetrics:
        return metrics_only || !options().metrics_port;
    }
    return false;
  }

  // Routes one request through the route table (api/routes.cpp).
  net::awaitable<void> serve(Connection& c, Exchange& ex, bool metrics_only) {
    auto incoming = ex.header("X-Request-Id");
    ex.request_id =
        incoming && hp::is_sane_request_id(*incoming) ? *incoming : api::random_request_id();
    auto target = hp::parse_target(sv(ex.req().target()));
    if (!target) {
      co_return co_await core.send_error(c, ex, api::from_error(target.error()));
    }
    ex.target = std::move(*target);
    if (!metrics_only && api::s3::is_s3_request(core, ex)) {
      co_return co_await api::s3::serve_s3(core, c, ex);
    }

    api::PathParams params;
    auto match = routes.router().match(sv(ex.req().method_string()), ex.target.path, params);
    if (match && !serves(routes.pattern_route(match->pattern), metrics_only)) {
      match.reset();  // a route of the other listener: unknown here
    }
    if (!match && metrics_only) {
      co_return co_await core.send_error(
          c, ex, api::http_error(http::status::not_found, "not_found", "no such route"));
    }
    if (match) {
      ex.route = &routes.pattern_route(match->pattern);
    }

    // Everything but the probes and metrics needs a credential, unknown paths and wrong methods
    // included: nobody learns which routes exist before authenticating.
    if (!match || ex.route->access != api::Access::kOpen) {
      if (core.overloaded()) {
        co_return co_await core.send_error(c, ex, api::ServerCore::overloaded_error());
      }
      if (auto denied = co_await core.authenticate(ex, c.remote)) {
        co_return co_await core.send_error(c, ex, *denied);
      }
      if (!match) {
        co_return co_await core.send_error(
            c, ex, api::http_error(http::status::not_found, "not_found", "no such route"));
      }
    }
    if (match->route == api::Router::kNoRoute) {
      co_return co_await method_not_allowed(c, ex, routes.router().allow(match->pattern));
    }
    const api::Route& route = routes.routes()[match->route];
    ex.route = &route;
    if (route.access == api::Access::kFixedScope) {
      if (auto denied = core.authorize(ex, nullptr, *route.scope)) {
        co_return co_await core.send_error(c, ex, *denied);
      }
    }
    co_await route.handler(core, c, ex, params);
  }

  net::awaitable<void> method_not_allowed(Connection& c, Exchange& ex, std::string allowed) {
    api::HttpError e = api::http_error(http::status::method_not_allowed, "method_not_allowed",
                                       "method not allowed; allowed: " + allowed);
    e.headers = api::one_header("Allow", allowed);
    co_await core.send_error(c, ex, e);
  }
};

HttpServer::HttpServer(Options options, UseCases use_cases)
    : impl_(std::make_unique<Impl>(std::move(options), use_cases)) {}

HttpServer::~HttpServer() = default;

Result<std::uint16_t> HttpServer::listen() { return impl_->listen(); }

std::optional<std::uint16_t> HttpServer::metrics_port() const { return impl_->metrics_port; }

void HttpServer::run() { impl_->run(); }

}  // namespace castor
