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
#include "api/server_core.h"
#include "application/io_thread.h"

namespace castor {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace hp = http_params;
using tcp = net::ip::tcp;

namespace api {
namespace {

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

// Whether `method` is one of the comma-separated methods in `allowed` ("GET, HEAD, DELETE").
bool allows(std::string_view allowed, std::string_view method) {
  while (!allowed.empty()) {
    const auto comma = allowed.find(", ");
    if (allowed.substr(0, comma) == method) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    allowed.remove_prefix(comma + 2);
  }
  return false;
}

}  // namespace

}  // namespace api

// ---- the server ---------------------------------------------------------------------------------

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
        ex.route, parse_http_method(api::sv(ex.req().method_string())), static_cast<int>(ex.status),
        ex.bytes_in, ex.bytes_out, seconds);
    log_request(c, ex, seconds);
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
      const std::string_view target = api::sv(ex.req().target());
      access->info("{} {} {} {:.3f} ms in={} out={} route={} tenant={} remote={} req={}",
                   api::sv(ex.req().method_string()), target.substr(0, target.find('?')), ex.status,
                   seconds * 1000.0, ex.bytes_in, ex.bytes_out, route_pattern(ex.route),
                   ex.tenant.empty() ? "-" : ex.tenant, c.remote, ex.request_id);
      return;
    }
    auto quoted = [](std::string_view v) { return boost::json::serialize(boost::json::string(v)); };
    std::string members;
    members.reserve(256);
    members.append("\"request_id\":").append(quoted(ex.request_id));
    members.append(",\"method\":").append(quoted(api::sv(ex.req().method_string())));
    members.append(",\"route\":").append(quoted(route_pattern(ex.route)));
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

  // Routes one request. The METRICS_ADDR listener (`metrics_only`) knows only the probes and
  // /metrics; when it exists, the API listener does not serve /metrics.
  net::awaitable<void> serve(Connection& c, Exchange& ex, bool metrics_only) {
    auto incoming = ex.header("X-Request-Id");
    ex.request_id =
        incoming && hp::is_sane_request_id(*incoming) ? *incoming : api::random_request_id();
    auto target = hp::parse_target(api::sv(ex.req().target()));
    if (!target) {
      co_return co_await core.send_error(c, ex, api::from_error(target.error()));
    }
    ex.target = std::move(*target);
    const std::string& path = ex.target.path;
    const http::verb method = ex.req().method();

    constexpr std::string_view kByKey = "/v1/objects/by-key/";
    constexpr std::string_view kById = "/v1/objects/";
    constexpr std::string_view kApiKey = "/v1/admin/api-keys/";
    constexpr std::string_view kBlob = "/v1/blobs/";
    constexpr std::string_view kBundle = "/v1/bundles/";
    constexpr std::string_view kDownload = "/download";
    std::string allowed;
    if (path == "/health") {
      ex.route = HttpRoute::kHealth, allowed = "GET, HEAD";
    } else if (path == "/ready" || path == "/health/ready") {
      ex.route = HttpRoute::kReady, allowed = "GET, HEAD";
    } else if (path == "/metrics" && (metrics_only || !options().metrics_port)) {
      ex.route = HttpRoute::kMetrics, allowed = "GET, HEAD";
    } else if (metrics_only) {
      co_return co_await core.send_error(
          c, ex, api::http_error(http::status::not_found, "not_found", "no such route"));
    } else if (path == "/v1/objects") {
      ex.route = HttpRoute::kObjects, allowed = "GET, POST";
    } else if (path.starts_with(kByKey)) {
      ex.route = HttpRoute::kObjectByKey, allowed = "GET, HEAD, DELETE";
    } else if (path.starts_with(kById) && path != "/v1/objects/by-key" &&
               path.find('/', kById.size()) == std::string::npos) {
      ex.route = HttpRoute::kObjectById, allowed = "GET, HEAD, DELETE";
    } else if (path == "/v1/admin/gc") {
      ex.route = HttpRoute::kAdminGc, allowed = "POST";
    } else if (path == "/v1/admin/fsck") {
      ex.route = HttpRoute::kAdminFsck, allowed = "POST";
    } else if (path == "/v1/admin/api-keys") {
      ex.route = HttpRoute::kAdminApiKeys, allowed = "GET, POST";
    } else if (path.starts_with(kApiKey) && path.find('/', kApiKey.size()) == std::string::npos) {
      ex.route = HttpRoute::kAdminApiKey, allowed = "DELETE";
      // Blobs and bundles (docs/BLOBS_AND_BUNDLES.md).
    } else if (path == "/v1/blobs/preflight") {
      ex.route = HttpRoute::kBlobsPreflight, allowed = "POST";
    } else if (path.starts_with(kBlob) && path.size() > kBlob.size() &&
               path.find('/', kBlob.size()) == std::string::npos) {
      ex.route = HttpRoute::kBlob, allowed = "GET, HEAD, PUT";
    } else if (path == "/v1/bundles") {
      ex.route = HttpRoute::kBundles, allowed = "GET, POST";
    } else if (path.starts_with(kBundle) && path.size() > kBundle.size() &&
               path.find('/', kBundle.size()) == std::string::npos) {
      ex.route = HttpRoute::kBundle, allowed = "GET, DELETE";
    } else if (path.starts_with(kBundle) && path.ends_with(kDownload) &&
               path.size() > kBundle.size() + kDownload.size() &&
               path.find('/', kBundle.size()) == path.size() - kDownload.size()) {
      ex.route = HttpRoute::kBundleDownload, allowed = "GET";
    }

    // Everything but the probes and metrics needs a credential, unknown paths and wrong methods
    // included: nobody learns which routes exist before authenticating.
    const bool open = ex.route == HttpRoute::kHealth || ex.route == HttpRoute::kReady ||
                      ex.route == HttpRoute::kMetrics;
    if (!open) {
      if (core.overloaded()) {
        co_return co_await core.send_error(c, ex, api::ServerCore::overloaded_error());
      }
      if (auto denied = co_await core.authenticate(ex, c.remote)) {
        co_return co_await core.send_error(c, ex, *denied);
      }
      if (ex.route == HttpRoute::kUnknown) {
        co_return co_await core.send_error(
            c, ex, api::http_error(http::status::not_found, "not_found", "no such route"));
      }
    }
    if (!api::allows(allowed, api::sv(ex.req().method_string()))) {
      co_return co_await method_not_allowed(c, ex, allowed);
    }

    // Open routes: probes and metrics.
    switch (ex.route) {
      case HttpRoute::kHealth:
        co_return co_await core.send(c, ex, http::status::ok, R"({"status":"ok"})");
      case HttpRoute::kReady:
        if (auto s = core.uc().readiness.ready(); !s) {
          co_return co_await core.send_error(
              c, ex,
              api::http_error(http::status::service_unavailable, "not_ready", s.error().message));
        }
        co_return co_await core.send(c, ex, http::status::ok, R"({"status":"ready"})");
      case HttpRoute::kMetrics:
        if (options().metrics_auth) {
          if (auto denied = co_await core.authenticate(ex, c.remote)) {
            co_return co_await core.send_error(c, ex, *denied);
          }
          if (auto denied = core.authorize(ex, nullptr, Scope::kAdmin)) {
            co_return co_await core.send_error(c, ex, *denied);
          }
        }
        co_return co_await core.send(c, ex, http::status::ok, core.uc().render_metrics(),
                                     "text/plain; version=0.0.4; charset=utf-8");
      default:
        break;
    }

    switch (ex.route) {
      case HttpRoute::kObjects:
        if (method == http::verb::post) {
          co_return co_await api::handle_upload(core, c, ex);
        }
        co_return co_await api::handle_list(core, c, ex);
      case HttpRoute::kObjectByKey:
      case HttpRoute::kObjectById: {
        const bool by_key = ex.route == HttpRoute::kObjectByKey;
        if (method == http::verb::delete_) {
          co_return co_await api::handle_delete(core, c, ex, by_key);
        }
        co_return co_await api::handle_download(core, c, ex, by_key);
      }
      case HttpRoute::kAdminGc:
        co_return co_await api::handle_gc(core, c, ex);
      case HttpRoute::kAdminFsck:
        co_return co_await api::handle_fsck(core, c, ex);
      case HttpRoute::kAdminApiKeys:
        if (method == http::verb::post) {
          co_return co_await api::handle_create_api_key(core, c, ex);
        }
        co_return co_await api::handle_list_api_keys(core, c, ex);
      case HttpRoute::kAdminApiKey:
        co_return co_await api::handle_revoke_api_key(core, c, ex, path.substr(kApiKey.size()));
      case HttpRoute::kBlobsPreflight:
        co_return co_await api::handle_preflight(core, c, ex);
      case HttpRoute::kBlob:
        if (method == http::verb::put) {
          co_return co_await api::handle_put_blob(core, c, ex);
        }
        co_return co_await api::handle_get_blob(core, c, ex);
      case HttpRoute::kBundles:
        if (method == http::verb::post) {
          co_return co_await api::handle_create_bundle(core, c, ex);
        }
        co_return co_await api::handle_list_bundles(core, c, ex);
      case HttpRoute::kBundle:
        if (method == http::verb::delete_) {
          co_return co_await api::handle_delete_bundle(core, c, ex, path.substr(kBundle.size()));
        }
        co_return co_await api::handle_get_bundle(core, c, ex, path.substr(kBundle.size()));
      case HttpRoute::kBundleDownload:
        co_return co_await api::handle_download_bundle(
            core, c, ex,
            path.substr(kBundle.size(), path.size() - kBundle.size() - kDownload.size()));
      default:
        break;
    }
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
