#include "api/http_server.h"

#include <atomic>
#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/error_response.h"
#include "api/json_views.h"
#include "api/request_params.h"

namespace castor {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace hp = http_params;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kChunkSize = 256 * 1024;           // bytes moved per body read/write
constexpr std::size_t kHeaderLimit = 16 * 1024;          // bytes of request line + header fields
constexpr auto kIdleTimeout = std::chrono::seconds(75);  // keep-alive wait for the next request
constexpr auto kIoTimeout = std::chrono::seconds(60);    // one body chunk, either direction
constexpr auto kAsTuple = net::as_tuple(net::use_awaitable);

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

// One connection: its stream and read buffer. Shared so that the drain can reach idle ones.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::vector<std::byte> chunk;  // body bytes; allocated on first use, kChunkSize
  bool busy = false;             // a request is being served; touched only on the strand
};

// One request in progress.
struct Exchange {
  http::request_parser<http::buffer_body> parser;
  std::string request_id;
  hp::Target target;
  std::string route = "-";  // for the log line
  unsigned status = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  bool close = false;  // close the connection after this response

  const http::request<http::buffer_body>& req() { return parser.get(); }

  // The header's value; nullopt if absent or empty.
  std::optional<std::string> header(std::string_view name) {
    auto it = parser.get().find(beast::string_view(name.data(), name.size()));
    if (it == parser.get().end() || it->value().empty()) {
      return std::nullopt;
    }
    return std::string(sv(it->value()));
  }

  // An object parameter from its header, else its query parameter (JustStorage accepts both).
  std::optional<std::string> param(std::string_view header_name, const std::string& query_name) {
    if (auto h = header(header_name)) {
      return h;
    }
    auto q = target.get(query_name);
    if (q && q->empty()) {
      return std::nullopt;
    }
    return q;
  }
};

// An HTTP error on its way out: status, JSON code and message.
struct HttpError {
  http::status status;
  std::string code;
  std::string message;
};

HttpError from_error(const Error& e) {
  return {static_cast<http::status>(http_status_for(e.code)),
          e.reason.empty() ? error_code_name(e.code) : e.reason, e.message};
}

HttpError http_error(http::status status, std::string code, std::string message) {
  return {status, std::move(code), std::move(message)};
}

HttpError bad_request(std::string message) {
  return http_error(http::status::bad_request, "invalid_argument", std::move(message));
}

using Headers = std::vector<std::pair<std::string, std::string>>;

// One extra response header (GCC 12 rejects braced string literals inside coroutines).
Headers one_header(std::string name, std::string value) {
  Headers h;
  h.emplace_back(std::move(name), std::move(value));
  return h;
}

Headers created_headers(const Object& o) {
  Headers h = one_header("Location", "/v1/objects/" + o.id().to_string());
  h.emplace_back("ETag", "\"" + o.content_hash()->hex() + "\"");
  return h;
}

template <class T>
using Parsed = std::variant<T, HttpError>;

}  // namespace

struct HttpServer::Impl {
  Impl(Options o, UseCases u)
      : options(std::move(o)),
        uc(u),
        ioc(static_cast<int>(options.io_threads)),
        acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM),
        workers(options.worker_threads) {}

  Options options;
  UseCases uc;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::thread_pool workers;
  std::atomic<std::size_t> queued_blocking{0};
  std::atomic<bool> draining{false};
  std::mutex connections_mu;
  std::set<std::shared_ptr<Connection>> connections;  // guarded by connections_mu

  // ---- plumbing -------------------------------------------------------------------------------

  // Runs `work` (blocking) on the worker pool and resumes on the calling coroutine's executor
  // with its result. `work` lives in the caller's frame, which stays alive until then.
  template <class F, class R = std::invoke_result_t<F&>>
  net::awaitable<R> offload(F& work) {
    auto ex = co_await net::this_coro::executor;
    ++queued_blocking;
    auto initiate = [this, ex, &work](auto handler) {
      net::post(workers, [this, ex, &work, h = std::move(handler)]() mutable {
        R r = work();
        --queued_blocking;
        net::post(ex,
                  [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
      });
    };
    co_return co_await net::async_initiate<decltype(net::use_awaitable), void(R)>(
        initiate, net::use_awaitable);
  }

  bool overloaded() const { return queued_blocking.load() >= options.max_queued_blocking; }

  template <class Body>
  void common_headers(Exchange& ex, http::response<Body>& res) {
    res.set(http::field::server, "castor");
    res.set("X-Request-Id", ex.request_id);
    res.keep_alive(!ex.close && !draining.load() && ex.req().keep_alive());
  }

  net::awaitable<void> send(Connection& c, Exchange& ex, http::status status, std::string body = {},
                            std::string_view content_type = "application/json",
                            Headers headers = {}) {
    http::response<http::string_body> res{status, ex.req().version()};
    common_headers(ex, res);
    for (auto& [name, value] : headers) {
      res.set(name, value);
    }
    if (!body.empty()) {
      res.set(http::field::content_type, content_type);
    }
    res.body() = std::move(body);
    res.prepare_payload();
    ex.status = static_cast<unsigned>(status);
    ex.bytes_out += res.body().size();
    c.stream.expires_after(kIoTimeout);
    boost::system::error_code ec;
    if (ex.req().method() == http::verb::head) {
      // The header tells what a GET would carry; a HEAD response has no body (RFC 9110 §9.3.2).
      http::response_serializer<http::string_body> sr{res};
      std::tie(ec, std::ignore) = co_await http::async_write_header(c.stream, sr, kAsTuple);
    } else {
      std::tie(ec, std::ignore) = co_await http::async_write(c.stream, res, kAsTuple);
    }
    if (ec) {
      ex.close = true;
    }
    if (!res.keep_alive()) {
      ex.close = true;
    }
  }

  net::awaitable<void> send_error(Connection& c, Exchange& ex, const HttpError& e,
                                  Headers headers = {}) {
    co_await send(c, ex, e.status, error_json(e.code, e.message), "application/json",
                  std::move(headers));
  }

  // ---- server lifecycle -----------------------------------------------------------------------

  Result<std::uint16_t> listen() {
    boost::system::error_code ec;
    auto address = net::ip::make_address(options.host, ec);
    if (ec) {
      return internal_error("LISTEN_ADDR host '" + options.host + "' is not an IP address");
    }
    tcp::endpoint endpoint(address, options.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
      acceptor.set_option(net::socket_base::reuse_address(true), ec);
      acceptor.bind(endpoint, ec);
    }
    if (!ec) {
      acceptor.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      return internal_error("cannot listen on " + options.host + ":" +
                            std::to_string(options.port) + ": " + ec.message());
    }
    return acceptor.local_endpoint().port();
  }

  void run() {
    net::co_spawn(ioc, accept_loop(), net::detached);
    signals.async_wait([this](boost::system::error_code ec, int sig) {
      if (!ec) {
        spdlog::info("signal {}: draining (up to {} s)", sig, options.shutdown_timeout.count());
        net::co_spawn(ioc, drain(), net::detached);
      }
    });
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < options.io_threads; ++i) {
      threads.emplace_back([this] { ioc.run(); });
    }
    ioc.run();
    for (auto& t : threads) {
      t.join();
    }
    workers.join();  // blocking calls in flight finish before their coroutines' frames go away
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
    draining = true;
    uc.readiness.set_draining();
    boost::system::error_code ec;
    acceptor.close(ec);
    signals.cancel();
    const auto deadline = std::chrono::steady_clock::now() + options.shutdown_timeout;
    net::steady_timer tick(ioc);
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

  // ---- connections ----------------------------------------------------------------------------

  net::awaitable<void> session(std::shared_ptr<Connection> conn) {
    Connection& c = *conn;
    for (;;) {
      Exchange ex;
      ex.parser.header_limit(kHeaderLimit);
      ex.parser.body_limit(boost::none);  // the object size limit is enforced while streaming
      c.stream.expires_after(kIdleTimeout);
      auto [ec, n] = co_await http::async_read_header(c.stream, c.buffer, ex.parser, kAsTuple);
      if (ec) {
        if (ec != http::error::end_of_stream && ec != net::error::eof &&
            ec != beast::error::timeout && ec != net::error::operation_aborted &&
            ec != net::error::connection_reset && ec != net::error::bad_descriptor) {
          // Malformed request: answer 400 and close; the parser's state is unusable.
          ex.close = true;
          co_await send_raw_error(c, bad_request("malformed HTTP request: " + ec.message()));
        }
        break;
      }
      c.busy = true;
      const auto start = std::chrono::steady_clock::now();
      co_await serve(c, ex);
      c.busy = false;
      log_request(ex, start);
      if (ex.close || draining.load() || !ex.parser.is_done()) {
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
  net::awaitable<void> send_raw_error(Connection& c, const HttpError& e) {
    http::response<http::string_body> res{e.status, 11};
    res.set(http::field::server, "castor");
    res.set("X-Request-Id", random_request_id());
    res.set(http::field::content_type, "application/json");
    res.keep_alive(false);
    res.body() = error_json(e.code, e.message);
    res.prepare_payload();
    c.stream.expires_after(kIoTimeout);
    co_await http::async_write(c.stream, res, kAsTuple);
  }

  static std::string random_request_id() {
    static std::atomic<std::uint64_t> counter{0};
    static const std::uint64_t seed =
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    char buf[32];
    std::snprintf(buf, sizeof buf, "%08llx%08llx",
                  static_cast<unsigned long long>(seed & 0xffffffff),
                  static_cast<unsigned long long>(++counter));
    return buf;
  }

  void log_request(Exchange& ex, std::chrono::steady_clock::time_point start) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    spdlog::info(
        "request_id={} method={} path={} route={} status={} bytes_in={} bytes_out={} "
        "duration_ms={:.3f}",
        ex.request_id, sv(ex.req().method_string()), ex.target.path, ex.route, ex.status,
        ex.bytes_in, ex.bytes_out, static_cast<double>(us) / 1000.0);
  }

  // ---- routing --------------------------------------------------------------------------------

  net::awaitable<void> serve(Connection& c, Exchange& ex) {
    auto incoming = ex.header("X-Request-Id");
    ex.request_id = incoming && hp::is_sane_request_id(*incoming) ? *incoming : random_request_id();
    auto target = hp::parse_target(sv(ex.req().target()));
    if (!target) {
      co_return co_await send_error(c, ex, from_error(target.error()));
    }
    ex.target = std::move(*target);
    const std::string& path = ex.target.path;
    const http::verb method = ex.req().method();

    if (path == "/health") {
      ex.route = "/health";
      if (method != http::verb::get && method != http::verb::head) {
        co_return co_await method_not_allowed(c, ex, "GET, HEAD");
      }
      co_return co_await send(c, ex, http::status::ok, R"({"status":"ok"})");
    }
    if (path == "/ready" || path == "/health/ready") {
      ex.route = "/ready";
      if (method != http::verb::get && method != http::verb::head) {
        co_return co_await method_not_allowed(c, ex, "GET, HEAD");
      }
      if (auto s = uc.readiness.ready(); !s) {
        co_return co_await send_error(
            c, ex, http_error(http::status::service_unavailable, "not_ready", s.error().message));
      }
      co_return co_await send(c, ex, http::status::ok, R"({"status":"ready"})");
    }
    if (overloaded()) {
      co_return co_await send_error(
          c, ex,
          http_error(http::status::service_unavailable, "overloaded", "server busy, retry later"),
          one_header("Retry-After", "1"));
    }
    if (path == "/v1/objects") {
      ex.route = "/v1/objects";
      if (method == http::verb::post) {
        co_return co_await upload(c, ex);
      }
      if (method == http::verb::get) {
        co_return co_await list(c, ex);
      }
      co_return co_await method_not_allowed(c, ex, "GET, POST");
    }
    constexpr std::string_view kByKey = "/v1/objects/by-key/";
    constexpr std::string_view kById = "/v1/objects/";
    if (path == "/v1/objects/by-key") {
      co_return co_await not_found_route(c, ex);
    }
    if (path.starts_with(kByKey) || path.starts_with(kById)) {
      const bool by_key = path.starts_with(kByKey);
      ex.route = by_key ? "/v1/objects/by-key/{namespace}/{tenant}/{key}" : "/v1/objects/{id}";
      if (!by_key && path.find('/', kById.size()) != std::string::npos) {
        co_return co_await not_found_route(c, ex);
      }
      if (method == http::verb::get || method == http::verb::head) {
        co_return co_await download(c, ex, by_key);
      }
      if (method == http::verb::delete_) {
        co_return co_await remove(c, ex, by_key);
      }
      co_return co_await method_not_allowed(c, ex, "GET, HEAD, DELETE");
    }
    if (path == "/v1/admin/gc") {
      ex.route = "/v1/admin/gc";
      if (method != http::verb::post) {
        co_return co_await method_not_allowed(c, ex, "POST");
      }
      co_return co_await collect_garbage(c, ex);
    }
    co_await not_found_route(c, ex);
  }

  net::awaitable<void> method_not_allowed(Connection& c, Exchange& ex, std::string allowed) {
    co_await send_error(c, ex,
                        http_error(http::status::method_not_allowed, "method_not_allowed",
                                   "method not allowed; allowed: " + allowed),
                        one_header("Allow", allowed));
  }

  net::awaitable<void> not_found_route(Connection& c, Exchange& ex) {
    co_await send_error(c, ex, http_error(http::status::not_found, "not_found", "no such route"));
  }

  // ---- parameters -----------------------------------------------------------------------------

  template <class T>
  static Parsed<T> required(std::optional<std::string> text, const char* what,
                            Result<T> (*parse)(std::string_view)) {
    if (!text) {
      return bad_request(std::string(what) + " is required");
    }
    auto value = parse(*text);
    if (!value) {
      return from_error(value.error());
    }
    return std::move(*value);
  }

  static Parsed<TenantId> tenant_of(Exchange& ex) {
    return required<TenantId>(ex.param("X-Tenant", "tenant_id"),
                              "tenant (X-Tenant header or tenant_id parameter)", TenantId::parse);
  }
  static Parsed<Namespace> namespace_of(Exchange& ex) {
    return required<Namespace>(ex.param("X-Namespace", "namespace"),
                               "namespace (X-Namespace header or namespace parameter)",
                               Namespace::parse);
  }

  // The (namespace, tenant, key) of a by-key path: /v1/objects/by-key/{ns}/{tenant}/{key...}.
  struct KeyPath {
    Namespace ns;
    TenantId tenant;
    ObjectKey key;
  };
  static Parsed<KeyPath> key_path(const std::string& path) {
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
    auto t = TenantId::parse(*tenant);
    auto k = ObjectKey::parse(*key);
    if (!n) {
      return from_error(n.error());
    }
    if (!t) {
      return from_error(t.error());
    }
    if (!k) {
      return from_error(k.error());
    }
    return KeyPath{std::move(*n), std::move(*t), std::move(*k)};
  }

  // ---- handlers -------------------------------------------------------------------------------

  net::awaitable<void> upload(Connection& c, Exchange& ex) {
    auto& req = ex.req();
    if (!ex.parser.content_length() && !ex.parser.chunked()) {
      co_return co_await send_error(
          c, ex,
          http_error(http::status::length_required, "length_required",
                     "send Content-Length or Transfer-Encoding: chunked"));
    }
    auto ns = namespace_of(ex);
    auto tenant = tenant_of(ex);
    if (auto* e = std::get_if<HttpError>(&ns)) {
      co_return co_await send_error(c, ex, *e);
    }
    if (auto* e = std::get_if<HttpError>(&tenant)) {
      co_return co_await send_error(c, ex, *e);
    }
    UploadObject::Request request{.ns = std::get<Namespace>(std::move(ns)),
                                  .tenant = std::get<TenantId>(std::move(tenant)),
                                  .key = std::nullopt,
                                  .storage_class = StorageClass::kHot,
                                  .content_type = {},
                                  .expected_hash = std::nullopt};
    if (auto key = ex.param("X-Key", "key")) {
      auto k = ObjectKey::parse(*key);
      if (!k) {
        co_return co_await send_error(c, ex, from_error(k.error()));
      }
      request.key = std::move(*k);
    }
    if (auto cls = ex.param("X-Storage-Class", "storage_class")) {
      auto sc = parse_storage_class(*cls);
      if (!sc) {
        co_return co_await send_error(c, ex, from_error(sc.error()));
      }
      request.storage_class = *sc;
    }
    if (auto expected = ex.header("X-Content-SHA256")) {
      auto h = ContentHash::parse(*expected);
      if (!h) {
        co_return co_await send_error(
            c, ex, bad_request("X-Content-SHA256 must be 64 hex digits, optionally 'sha256:'"));
      }
      request.expected_hash = std::move(*h);
    }
    request.content_type = ex.header("Content-Type").value_or("");
    std::optional<std::uint64_t> declared;
    if (auto len = ex.parser.content_length()) {
      declared = *len;
    }

    auto begin = [&] { return uc.upload.begin(std::move(request), declared); };
    auto begun = co_await offload(begin);
    if (!begun) {
      co_return co_await send_error(c, ex, from_error(begun.error()));
    }
    std::unique_ptr<UploadObject::Upload> up = std::move(*begun);

    if (beast::iequals(req[http::field::expect], "100-continue")) {
      http::response<http::empty_body> cont{http::status::continue_, req.version()};
      c.stream.expires_after(kIoTimeout);
      co_await http::async_write(c.stream, cont, kAsTuple);
    }

    // Stream the body: fixed-size chunks, hashed and written as they arrive. The read buffer gets
    // room for whole chunks too, or Beast would read the socket in header-sized sips.
    if (c.chunk.size() != kChunkSize) {
      c.chunk.resize(kChunkSize);
    }
    c.buffer.reserve(kChunkSize);
    std::optional<HttpError> failure;
    while (!ex.parser.is_done()) {
      auto& body = ex.parser.get().body();
      body.data = c.chunk.data();
      body.size = c.chunk.size();
      c.stream.expires_after(kIoTimeout);
      auto [ec, n] = co_await http::async_read(c.stream, c.buffer, ex.parser, kAsTuple);
      if (ec == http::error::need_buffer) {
        ec = {};
      }
      const std::size_t got = c.chunk.size() - ex.parser.get().body().size;
      ex.bytes_in += got;
      if (ec) {
        ex.close = true;
        if (ec == http::error::end_of_stream || ec == net::error::eof ||
            ec == beast::error::timeout || ec == net::error::connection_reset ||
            ec == net::error::operation_aborted || ec == http::error::partial_message) {
          failure = http_error(http::status::bad_request, "incomplete_body",
                               "connection closed before the body was complete");
        } else {
          failure = bad_request("malformed request body: " + ec.message());
        }
        break;
      }
      if (got == 0) {
        continue;
      }
      if (auto s = up->write(std::span<const std::byte>(c.chunk.data(), got)); !s) {
        failure = from_error(s.error());
        ex.close = true;
        break;
      }
    }
    if (failure) {
      auto abort = [&] {
        uc.upload.abort(*up);
        return true;
      };
      co_await offload(abort);
      co_return co_await send_error(c, ex, *failure);
    }

    auto commit = [&] { return uc.upload.commit(*up); };
    auto committed = co_await offload(commit);
    if (!committed) {
      co_return co_await send_error(c, ex, from_error(committed.error()));
    }
    const Object& o = *committed;
    co_await send(c, ex, http::status::created, object_json(o), "application/json",
                  created_headers(o));
  }

  net::awaitable<void> download(Connection& c, Exchange& ex, bool by_key) {
    const bool head = ex.req().method() == http::verb::head;
    Result<DownloadObject::Download> found = not_found("no such object");
    if (by_key) {
      auto kp = key_path(ex.target.path);
      if (auto* e = std::get_if<HttpError>(&kp)) {
        co_return co_await send_error(c, ex, *e);
      }
      auto find = [&] {
        const auto& k = std::get<KeyPath>(kp);
        return uc.download.by_key(k.ns, k.tenant, k.key, !head);
      };
      found = co_await offload(find);
    } else {
      auto id = ObjectId::parse(
          std::string_view(ex.target.path).substr(std::string_view("/v1/objects/").size()));
      if (!id) {
        co_return co_await send_error(c, ex, from_error(id.error()));
      }
      auto tenant = tenant_of(ex);
      if (auto* e = std::get_if<HttpError>(&tenant)) {
        co_return co_await send_error(c, ex, *e);
      }
      auto find = [&] { return uc.download.by_id(std::get<TenantId>(tenant), *id, !head); };
      found = co_await offload(find);
    }
    if (!found) {
      co_return co_await send_error(c, ex, from_error(found.error()));
    }
    co_await send_content(c, ex, *found, head);
  }

  // Answers GET/HEAD for a found object: 304, 416, 206 or 200, streaming the content.
  net::awaitable<void> send_content(Connection& c, Exchange& ex, DownloadObject::Download& d,
                                    bool head) {
    const Object& o = d.object;
    const std::string etag = "\"" + o.content_hash()->hex() + "\"";
    const std::uint64_t size = o.size_bytes();

    http::response<http::empty_body> res{http::status::ok, ex.req().version()};
    common_headers(ex, res);
    res.set(http::field::etag, etag);
    res.set("X-Content-Hash", o.content_hash()->hex());
    res.set(http::field::last_modified, hp::http_date(o.created_at()));
    res.set(http::field::accept_ranges, "bytes");
    res.set(http::field::cache_control, "private, immutable");

    if (auto inm = ex.header("If-None-Match"); inm && hp::if_none_match_matches(*inm, etag)) {
      res.result(http::status::not_modified);
      co_await write_header(c, ex, res);
      co_return;
    }
    std::optional<std::string> range = ex.header("Range");
    if (auto if_range = ex.header("If-Range");
        range && if_range && !hp::if_range_matches(*if_range, etag)) {
      range.reset();
    }
    const hp::RangeDecision decision = hp::decide_range(range, size);
    if (decision.kind == hp::RangeDecision::kUnsatisfiable) {
      co_return co_await send_error(
          c, ex,
          http_error(http::status::range_not_satisfiable, "range_not_satisfiable",
                     "range not satisfiable for " + std::to_string(size) + " bytes"),
          one_header("Content-Range", "bytes */" + std::to_string(size)));
    }
    std::uint64_t offset = 0;
    std::uint64_t length = size;
    if (decision.kind == hp::RangeDecision::kPartial) {
      res.result(http::status::partial_content);
      offset = decision.range.first;
      length = decision.range.length();
      res.set(http::field::content_range, "bytes " + std::to_string(decision.range.first) + "-" +
                                              std::to_string(decision.range.last) + "/" +
                                              std::to_string(size));
    }
    res.set(http::field::content_type, o.content_type());
    res.content_length(length);
    if (!co_await write_header(c, ex, res) || head) {
      co_return;
    }
    if (c.chunk.size() != kChunkSize) {
      c.chunk.resize(kChunkSize);
    }
    std::uint64_t left = length;
    while (left > 0) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, kChunkSize));
      auto got = d.content->read_at(offset, std::span<std::byte>(c.chunk.data(), want));
      if (!got || *got == 0) {
        // The header is out: all we can do is cut the connection so the client sees a short body.
        spdlog::error("request_id={} read failed: {}", ex.request_id,
                      got ? "unexpected end of content file" : got.error().message);
        ex.close = true;
        co_return;
      }
      c.stream.expires_after(kIoTimeout);
      auto [ec, n] =
          co_await net::async_write(c.stream, net::buffer(c.chunk.data(), *got), kAsTuple);
      ex.bytes_out += n;
      if (ec) {
        ex.close = true;
        co_return;
      }
      offset += *got;
      left -= *got;
    }
  }

  // Writes a bodyless response header (the content, if any, follows separately). Returns false if
  // the connection failed.
  net::awaitable<bool> write_header(Connection& c, Exchange& ex,
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

  net::awaitable<void> remove(Connection& c, Exchange& ex, bool by_key) {
    Status removed;
    if (by_key) {
      auto kp = key_path(ex.target.path);
      if (auto* e = std::get_if<HttpError>(&kp)) {
        co_return co_await send_error(c, ex, *e);
      }
      auto remove = [&] {
        const auto& k = std::get<KeyPath>(kp);
        return uc.remove.by_key(k.ns, k.tenant, k.key);
      };
      removed = co_await offload(remove);
    } else {
      auto id = ObjectId::parse(
          std::string_view(ex.target.path).substr(std::string_view("/v1/objects/").size()));
      if (!id) {
        co_return co_await send_error(c, ex, from_error(id.error()));
      }
      auto tenant = tenant_of(ex);
      if (auto* e = std::get_if<HttpError>(&tenant)) {
        co_return co_await send_error(c, ex, *e);
      }
      auto remove = [&] { return uc.remove.by_id(std::get<TenantId>(tenant), *id); };
      removed = co_await offload(remove);
    }
    if (!removed) {
      co_return co_await send_error(c, ex, from_error(removed.error()));
    }
    co_await send(c, ex, http::status::no_content);
  }

  net::awaitable<void> list(Connection& c, Exchange& ex) {
    auto ns = namespace_of(ex);
    auto tenant = tenant_of(ex);
    if (auto* e = std::get_if<HttpError>(&ns)) {
      co_return co_await send_error(c, ex, *e);
    }
    if (auto* e = std::get_if<HttpError>(&tenant)) {
      co_return co_await send_error(c, ex, *e);
    }
    std::size_t limit = ListObjects::kDefaultLimit;
    if (auto text = ex.target.get("limit")) {
      std::uint64_t n = 0;
      auto [end, err] = std::from_chars(text->data(), text->data() + text->size(), n);
      if (err != std::errc() || end != text->data() + text->size() || n < 1 ||
          n > ListObjects::kMaxLimit) {
        co_return co_await send_error(c, ex, bad_request("limit must be between 1 and 1000"));
      }
      limit = static_cast<std::size_t>(n);
    }
    const std::string prefix = ex.target.get("prefix").value_or("");
    const std::optional<std::string> cursor = ex.target.get("cursor");
    auto fetch = [&] {
      return uc.list.list(std::get<Namespace>(ns), std::get<TenantId>(tenant), prefix, limit,
                          cursor);
    };
    auto page = co_await offload(fetch);
    if (!page) {
      co_return co_await send_error(c, ex, from_error(page.error()));
    }
    co_await send(c, ex, http::status::ok, list_page_json(*page));
  }

  net::awaitable<void> collect_garbage(Connection& c, Exchange& ex) {
    auto collect = [&] { return uc.gc.run_once(); };
    auto report = co_await offload(collect);
    if (!report) {
      co_return co_await send_error(c, ex, from_error(report.error()));
    }
    co_await send(c, ex, http::status::ok, gc_report_json(*report));
  }
};

HttpServer::HttpServer(Options options, UseCases use_cases)
    : impl_(std::make_unique<Impl>(std::move(options), use_cases)) {}

HttpServer::~HttpServer() = default;

Result<std::uint16_t> HttpServer::listen() { return impl_->listen(); }

void HttpServer::run() { impl_->run(); }

}  // namespace castor
