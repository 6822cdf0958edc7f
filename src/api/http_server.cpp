#include "api/http_server.h"

#include <mutex>
#include <set>
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

constexpr std::size_t kHeaderLimit = 16 * 1024;          // request line + header fields, bytes
constexpr auto kIdleTimeout = std::chrono::seconds(75);  // keep-alive wait for the next request

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

std::string random_request_id() {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t seed =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08llx%08llx", static_cast<unsigned long long>(seed & 0xffffffff),
                static_cast<unsigned long long>(++counter));
  return buf;
}

}  // namespace

// ---- shared pieces ------------------------------------------------------------------------------

Connection::Connection(tcp::socket socket) : stream(std::move(socket)) {
  boost::system::error_code ec;
  auto endpoint = stream.socket().remote_endpoint(ec);
  remote = ec ? "unknown" : endpoint.address().to_string();
}

std::optional<std::string> Exchange::header(std::string_view name) {
  auto it = parser.get().find(beast::string_view(name.data(), name.size()));
  if (it == parser.get().end() || it->value().empty()) {
    return std::nullopt;
  }
  return std::string(sv(it->value()));
}

std::optional<std::string> Exchange::param(std::string_view header_name,
                                           const std::string& query_name) {
  if (auto h = header(header_name)) {
    return h;
  }
  auto q = target.get(query_name);
  if (q && q->empty()) {
    return std::nullopt;
  }
  return q;
}

HttpError from_error(const Error& e) {
  HttpError out{static_cast<http::status>(http_status_for(e.code)),
                e.reason.empty() ? error_code_name(e.code) : e.reason, e.message};
  if (e.code == ErrorCode::kUnauthenticated) {
    out.headers = one_header("WWW-Authenticate", "Bearer realm=\"castor\"");
  } else if (out.status == http::status::service_unavailable) {
    out.headers = one_header("Retry-After", "1");  // a dependency or a conflict: worth a retry
  }
  return out;
}

HttpError http_error(http::status status, std::string code, std::string message) {
  return {status, std::move(code), std::move(message)};
}

HttpError bad_request(std::string message) {
  return http_error(http::status::bad_request, "invalid_argument", std::move(message));
}

Headers one_header(std::string name, std::string value) {
  Headers h;
  h.emplace_back(std::move(name), std::move(value));
  return h;
}

Awaitable<BodyChunk> read_body_chunk(Connection& c, Exchange& ex) {
  if (c.chunk.size() != kChunkSize) {
    c.chunk.resize(kChunkSize);
  }
  if (c.buffer.capacity() < kChunkSize) {
    // Room for whole chunks in the read buffer too, or Beast reads the socket in small sips.
    c.buffer.reserve(kChunkSize);
  }
  auto& body = ex.parser.get().body();
  body.data = c.chunk.data();
  body.size = c.chunk.size();
  c.stream.expires_after(kIoTimeout);
  auto [ec, n] = co_await http::async_read(c.stream, c.buffer, ex.parser, kAsTuple);
  if (ec == http::error::need_buffer) {
    ec = {};  // the chunk is full: not an error
  }
  const std::size_t got = c.chunk.size() - ex.parser.get().body().size;
  ex.bytes_in += got;
  if (ec) {
    ex.close = true;
  }
  co_return BodyChunk{ec, got};
}

Parsed<KeyPath> parse_key_path(const std::string& path) {
  std::string_view rest =
      std::string_view(path).substr(std::string_view("/v1/objects/by-key/").size());
  const auto a = rest.find('/');
  const auto b = a == std::string_view::npos ? a : rest.find('/', a + 1);
  if (b == std::string_view::npos) {
    return bad_request("expected /v1/objects/by-key/{namespace}/{tenant}/{key}");
  }
  auto ns = hp::percent_decode(rest.substr(0, a), false);
  auto tenant = hp::percent_decode(rest.substr(a + 1, b - a - 1), false);
  auto key = hp::percent_decode(rest.substr(b + 1), false);
  if (!ns || !tenant || !key) {
    return bad_request("malformed percent-escape in path");
  }
  auto n = Namespace::parse(*ns);
  if (!n) {
    return from_error(n.error());
  }
  auto t = TenantId::parse(*tenant);
  if (!t) {
    return from_error(t.error());
  }
  auto k = ObjectKey::parse(*key);
  if (!k) {
    return from_error(k.error());
  }
  return KeyPath{std::move(*n), std::move(*t), std::move(*k)};
}

ServerCore::ServerCore(HttpServer::Options options, UseCases use_cases)
    : options_(std::move(options)),
      uc_(use_cases),
      db_workers_(options_.worker_threads),
      disk_workers_(options_.disk_threads) {}

HttpError ServerCore::overloaded_error() {
  HttpError busy =
      http_error(http::status::service_unavailable, "overloaded", "server busy, retry later");
  busy.headers = one_header("Retry-After", "1");
  return busy;
}

void ServerCore::common_headers(Exchange& ex, http::fields& fields, bool& keep_alive) {
  fields.set(http::field::server, "castor");
  fields.set("X-Request-Id", ex.request_id);
  keep_alive = !ex.close && !draining() && ex.req().keep_alive();
}

Awaitable<void> ServerCore::send(Connection& c, Exchange& ex, http::status status, std::string body,
                                 std::string_view content_type, Headers headers) {
  http::response<http::string_body> res{status, ex.req().version()};
  bool keep_alive = false;
  common_headers(ex, res.base(), keep_alive);
  res.keep_alive(keep_alive);
  for (auto& [name, value] : headers) {
    res.set(name, value);
  }
  if (!body.empty()) {
    res.set(http::field::content_type, content_type);
  }
  res.body() = std::move(body);
  res.prepare_payload();
  ex.status = static_cast<unsigned>(status);
  c.stream.expires_after(kIoTimeout);
  boost::system::error_code ec;
  if (ex.head()) {
    // The header tells what a GET would carry; a HEAD response has no body (RFC 9110 §9.3.2).
    http::response_serializer<http::string_body> sr{res};
    std::tie(ec, std::ignore) = co_await http::async_write_header(c.stream, sr, kAsTuple);
  } else {
    ex.bytes_out += res.body().size();
    std::tie(ec, std::ignore) = co_await http::async_write(c.stream, res, kAsTuple);
  }
  if (ec || !keep_alive) {
    ex.close = true;
  }
}

Awaitable<void> ServerCore::send_error(Connection& c, Exchange& ex, const HttpError& e) {
  co_await send(c, ex, e.status, error_json(e.code, e.message), "application/json", e.headers);
}

Awaitable<bool> ServerCore::write_header(Connection& c, Exchange& ex,
                                         http::response<http::empty_body>& res) {
  ex.status = res.result_int();
  if (!res.keep_alive()) {
    ex.close = true;
  }
  http::response_serializer<http::empty_body> sr{res};
  c.stream.expires_after(kIoTimeout);
  auto [ec, n] = co_await http::async_write_header(c.stream, sr, kAsTuple);
  if (ec) {
    ex.close = true;
    co_return false;
  }
  co_return true;
}

std::optional<HttpError> ServerCore::rate_limit(const std::string& key) {
  auto decision = uc_.limiter.take(key, std::chrono::steady_clock::now());
  if (decision.allowed) {
    return std::nullopt;
  }
  HttpError e =
      http_error(http::status::too_many_requests, "rate_limited", "too many requests; retry later");
  e.headers = one_header("Retry-After", std::to_string(decision.retry_after.count()));
  return e;
}

Awaitable<std::optional<HttpError>> ServerCore::authenticate(Exchange& ex,
                                                             const std::string& remote) {
  if (!options_.auth_required) {
    ex.principal = Principal{"anonymous", std::nullopt, Scopes{Scope::kAdmin}};
    co_return rate_limit("ip:" + remote);
  }
  std::optional<std::string> presented;
  if (auto authorization = ex.header("Authorization")) {
    std::string_view value = *authorization;
    if (value.size() > 7 && beast::iequals(value.substr(0, 7), "Bearer ")) {
      presented = std::string(value.substr(7));
    }
  } else if (auto key = ex.header("X-API-Key")) {
    presented = std::move(key);
  }
  if (!presented) {
    if (auto limited = rate_limit("ip:" + remote)) {
      co_return limited;
    }
    co_return from_error({ErrorCode::kUnauthenticated,
                          "a credential is required: Authorization: Bearer <API key or JWT>, "
                          "or X-API-Key: <API key>"});
  }
  // An address whose bucket failed credentials (and bare requests) have emptied is refused
  // before an unknown credential costs a worker and a database query: a flood of random keys
  // stops here. Keys this process has seen in the database still pass.
  if (auto decision = uc_.limiter.peek("ip:" + remote, std::chrono::steady_clock::now());
      !decision.allowed && !uc_.auth.known_key(*presented)) {
    HttpError e = http_error(http::status::too_many_requests, "rate_limited",
                             "too many requests; retry later");
    e.headers = one_header("Retry-After", std::to_string(decision.retry_after.count()));
    co_return e;
  }
  auto verify = [&] { return uc_.auth.credential(*presented); };
  auto principal = co_await offload(verify);
  if (!principal) {
    if (principal.error().code == ErrorCode::kUnauthenticated) {
      if (auto limited = rate_limit("ip:" + remote)) {
        co_return limited;
      }
    }
    co_return from_error(principal.error());
  }
  ex.principal = std::move(*principal);
  co_return rate_limit(ex.principal->credential);
}

Parsed<TenantId> ServerCore::tenant_of(Exchange& ex) {
  auto given = ex.param("X-Tenant", "tenant_id");
  if (!given) {
    if (ex.principal && ex.principal->tenant) {
      ex.tenant = ex.principal->tenant->str();
      return *ex.principal->tenant;
    }
    return bad_request("tenant (X-Tenant header or tenant_id parameter) is required");
  }
  auto tenant = TenantId::parse(*given);
  if (!tenant) {
    return from_error(tenant.error());
  }
  ex.tenant = tenant->str();
  return std::move(*tenant);
}

Parsed<Namespace> ServerCore::namespace_of(Exchange& ex) {
  auto given = ex.param("X-Namespace", "namespace");
  if (!given) {
    return bad_request("namespace (X-Namespace header or namespace parameter) is required");
  }
  auto ns = Namespace::parse(*given);
  if (!ns) {
    return from_error(ns.error());
  }
  return std::move(*ns);
}

std::optional<HttpError> ServerCore::authorize(Exchange& ex, const TenantId* tenant, Scope scope) {
  if (tenant != nullptr) {
    ex.tenant = tenant->str();
  }
  Status s =
      tenant != nullptr ? ex.principal->authorize(*tenant, scope) : ex.principal->authorize(scope);
  if (!s) {
    return from_error(s.error());
  }
  return std::nullopt;
}

}  // namespace api

// ---- the server ---------------------------------------------------------------------------------

using api::Connection;
using api::Exchange;
using api::kAsTuple;

struct HttpServer::Impl {
  Impl(Options options, UseCases use_cases)
      : core(options, use_cases),
        ioc(static_cast<int>(options.io_threads)),
        acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM) {}

  api::ServerCore core;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::mutex connections_mu;
  std::set<std::shared_ptr<Connection>> connections;  // guarded by connections_mu

  const Options& options() const { return core.options(); }

  Result<std::uint16_t> listen() {
    boost::system::error_code ec;
    auto address = net::ip::make_address(options().host, ec);
    if (ec) {
      return internal_error("LISTEN_ADDR host '" + options().host + "' is not an IP address");
    }
    tcp::endpoint endpoint(address, options().port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
      acceptor.set_option(net::socket_base::reuse_address(true), ec);
      acceptor.bind(endpoint, ec);
    }
    if (!ec) {
      acceptor.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      return internal_error("cannot listen on " + options().host + ":" +
                            std::to_string(options().port) + ": " + ec.message());
    }
    return acceptor.local_endpoint().port();
  }

  void run() {
    net::co_spawn(ioc, accept_loop(), net::detached);
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

  net::awaitable<void> accept_loop() {
    net::steady_timer backoff(ioc);
    while (acceptor.is_open()) {
      auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), kAsTuple);
      if (ec == net::error::operation_aborted || !acceptor.is_open()) {
        break;
      }
      if (ec) {
        // Out of file descriptors (or similar): back off instead of spinning.
        spdlog::warn("accept failed: {}", ec.message());
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(kAsTuple);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_shared<Connection>(std::move(socket));
      {
        std::lock_guard lock(connections_mu);
        connections.insert(conn);
      }
      auto executor = conn->stream.get_executor();
      net::co_spawn(executor, session(conn), net::detached);
    }
  }

  net::awaitable<void> drain() {
    // Readiness fails at once, so the orchestrator stops routing here; new connections are still
    // served for shutdown_delay while that news spreads, then the listener closes.
    core.uc().readiness.set_draining();
    signals.cancel();
    net::steady_timer tick(ioc);
    tick.expires_after(options().shutdown_delay);
    co_await tick.async_wait(kAsTuple);
    core.set_draining();
    boost::system::error_code ec;
    acceptor.close(ec);
    const auto deadline = std::chrono::steady_clock::now() + options().shutdown_timeout;
    for (;;) {
      std::vector<std::shared_ptr<Connection>> open;
      {
        std::lock_guard lock(connections_mu);
        open.assign(connections.begin(), connections.end());
      }
      if (open.empty() || std::chrono::steady_clock::now() >= deadline) {
        if (!open.empty()) {
          spdlog::warn("drain timeout: closing {} connections", open.size());
        }
        break;
      }
      for (const auto& conn : open) {
        // Idle keep-alive connections close now; busy ones close after their response.
        net::post(conn->stream.get_executor(), [weak = std::weak_ptr<Connection>(conn)] {
          if (auto c = weak.lock(); c && !c->busy) {
            boost::system::error_code ignored;
            c->stream.socket().close(ignored);
          }
        });
      }
      tick.expires_after(std::chrono::milliseconds(50));
      co_await tick.async_wait(kAsTuple);
    }
    ioc.stop();
  }

  net::awaitable<void> session(std::shared_ptr<Connection> conn) {
    Connection& c = *conn;
    for (;;) {
      Exchange ex;
      ex.parser.header_limit(api::kHeaderLimit);
      ex.parser.body_limit(boost::none);  // the object size limit is enforced while streaming
      c.stream.expires_after(api::kIdleTimeout);
      auto [ec, n] = co_await http::async_read_header(c.stream, c.buffer, ex.parser, kAsTuple);
      if (ec) {
        if (ec != http::error::end_of_stream && ec != net::error::eof &&
            ec != beast::error::timeout && ec != net::error::operation_aborted &&
            ec != net::error::connection_reset && ec != net::error::bad_descriptor) {
          // Malformed request: answer 400 and close; the parser's state is unusable.
          co_await send_raw_error(c, api::bad_request("malformed HTTP request: " + ec.message()));
        }
        break;
      }
      c.busy = true;
      const auto start = std::chrono::steady_clock::now();
      core.uc().metrics.http_request_started();
      co_await serve(c, ex);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      core.uc().metrics.http_request_finished(
          ex.route, parse_http_method(api::sv(ex.req().method_string())),
          static_cast<int>(ex.status), ex.bytes_in, ex.bytes_out, seconds);
      c.busy = false;
      log_request(c, ex, seconds);
      if (ex.close || core.draining() || !ex.parser.is_done()) {
        // A body we did not read (an early error) cannot be skipped safely: close.
        break;
      }
    }
    boost::system::error_code ignored;
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    c.stream.close();
    std::lock_guard lock(connections_mu);
    connections.erase(conn);
  }

  // A 400 for a request whose header could not be parsed (no Exchange to speak of).
  net::awaitable<void> send_raw_error(Connection& c, const api::HttpError& e) {
    http::response<http::string_body> res{e.status, 11};
    res.set(http::field::server, "castor");
    res.set("X-Request-Id", api::random_request_id());
    res.set(http::field::content_type, "application/json");
    res.keep_alive(false);
    res.body() = error_json(e.code, e.message);
    res.prepare_payload();
    c.stream.expires_after(api::kIoTimeout);
    co_await http::async_write(c.stream, res, kAsTuple);
  }

  // One line per request on the access logger: logfmt-like members in text mode, JSON members
  // in JSON mode (the logger adds ts, level and msg).
  void log_request(const Connection& c, Exchange& ex, double seconds) {
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
    if (auto access = spdlog::get(options().access_logger)) {
      access->info("{}", members);
    }
  }

  // ---- routing ----------------------------------------------------------------------------------

  net::awaitable<void> serve(Connection& c, Exchange& ex) {
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
    std::string allowed;
    if (path == "/health") {
      ex.route = HttpRoute::kHealth, allowed = "GET, HEAD";
    } else if (path == "/ready" || path == "/health/ready") {
      ex.route = HttpRoute::kReady, allowed = "GET, HEAD";
    } else if (path == "/metrics") {
      ex.route = HttpRoute::kMetrics, allowed = "GET, HEAD";
    } else if (path == "/v1/objects") {
      ex.route = HttpRoute::kObjects, allowed = "GET, POST";
    } else if (path.starts_with(kByKey)) {
      ex.route = HttpRoute::kObjectByKey, allowed = "GET, HEAD, DELETE";
    } else if (path.starts_with(kById) && path != "/v1/objects/by-key" &&
               path.find('/', kById.size()) == std::string::npos) {
      ex.route = HttpRoute::kObjectById, allowed = "GET, HEAD, DELETE";
    } else if (path == "/v1/admin/gc") {
      ex.route = HttpRoute::kAdminGc, allowed = "POST";
    } else if (path == "/v1/admin/api-keys") {
      ex.route = HttpRoute::kAdminApiKeys, allowed = "GET, POST";
    } else if (path.starts_with(kApiKey) && path.find('/', kApiKey.size()) == std::string::npos) {
      ex.route = HttpRoute::kAdminApiKey, allowed = "DELETE";
    } else {
      co_return co_await core.send_error(
          c, ex, api::http_error(http::status::not_found, "not_found", "no such route"));
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
        co_return co_await core.send(c, ex, http::status::ok, core.uc().render_metrics(),
                                     "text/plain; version=0.0.4; charset=utf-8");
      default:
        break;
    }

    // Everything else: authenticate, then hand over.
    if (core.overloaded()) {
      co_return co_await core.send_error(c, ex, api::ServerCore::overloaded_error());
    }
    if (auto denied = co_await core.authenticate(ex, c.remote)) {
      co_return co_await core.send_error(c, ex, *denied);
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
      case HttpRoute::kAdminApiKeys:
        if (method == http::verb::post) {
          co_return co_await api::handle_create_api_key(core, c, ex);
        }
        co_return co_await api::handle_list_api_keys(core, c, ex);
      case HttpRoute::kAdminApiKey:
        co_return co_await api::handle_revoke_api_key(core, c, ex, path.substr(kApiKey.size()));
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

void HttpServer::run() { impl_->run(); }

}  // namespace castor
