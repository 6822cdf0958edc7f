#include "api/listener.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "api/error_response.h"

namespace castor::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Connections answered 503 at the same time, at most; past it, new ones are closed unanswered.
constexpr std::size_t kMaxRefusing = 32;
constexpr auto kRefusalTimeout = std::chrono::seconds(2);
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

// Whether `ec` just means the peer went away or we closed (nothing to answer).
bool quiet_end(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
         ec == net::error::operation_aborted || ec == net::error::connection_reset ||
         ec == net::error::bad_descriptor;
}

}  // namespace

std::string random_request_id() {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t seed =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08llx%08llx", static_cast<unsigned long long>(seed & 0xffffffff),
                static_cast<unsigned long long>(++counter));
  return buf;
}

Connection::Connection(tcp::socket socket) : stream(std::move(socket)), buffer(kReadBufferLimit) {
  boost::system::error_code ec;
  auto endpoint = stream.socket().remote_endpoint(ec);
  remote = ec ? "unknown" : endpoint.address().to_string();
}

Listener::Listener(net::io_context& ioc, std::string name, Limits limits, Serve serve)
    : ioc_(ioc),
      name_(std::move(name)),
      limits_(limits),
      serve_(std::move(serve)),
      acceptor_(ioc) {}

Result<std::uint16_t> Listener::listen(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) {
    return internal_error(name_ + " listen address host '" + host + "' is not an IP address");
  }
  tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return internal_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                          ec.message());
  }
  return acceptor_.local_endpoint().port();
}

void Listener::start() { net::co_spawn(ioc_, accept_loop(), net::detached); }

void Listener::stop_accepting() {
  net::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

std::size_t Listener::open_connections() {
  std::lock_guard lock(mu_);
  return connections_.size();
}

std::size_t Listener::close_idle() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mu_);
    open.assign(connections_.begin(), connections_.end());
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
  return open.size();
}

Awaitable<void> Listener::accept_loop() {
  net::steady_timer backoff(ioc_);
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(net::make_strand(ioc_), kAsTuple);
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
      break;
    }
    if (ec) {
      // Out of file descriptors (EMFILE, ENFILE) or similar: the connection waits in the backlog
      // while we back off, instead of spinning on a listener that stays readable.
      spdlog::warn("{} listener: accept failed: {}; retrying in {} ms", name_, ec.message(),
                   kAcceptBackoff.count());
      backoff.expires_after(kAcceptBackoff);
      co_await backoff.async_wait(kAsTuple);
      continue;
    }
    if (open_connections() >= limits_.max_connections) {
      if (refused_++ % 1000 == 0) {
        spdlog::warn("{} listener: {} connections open (the limit): refusing new ones ({} so far)",
                     name_, limits_.max_connections, refused_.load());
      }
      if (refusing_.load() < kMaxRefusing) {
        auto executor = socket.get_executor();
        net::co_spawn(executor, refuse(std::move(socket)), net::detached);
      }
      continue;  // past kMaxRefusing the socket closes here, unanswered
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto conn = std::make_shared<Connection>(std::move(socket));
    {
      std::lock_guard lock(mu_);
      connections_.insert(conn);
    }
    auto executor = conn->stream.get_executor();
    net::co_spawn(executor, session(conn), net::detached);
  }
}

Awaitable<void> Listener::refuse(tcp::socket socket) {
  ++refusing_;
  static const std::string kResponse = [] {
    const std::string body =
        error_json("too_many_connections", "connection limit reached; retry later");
    return "HTTP/1.1 503 Service Unavailable\r\nServer: castor\r\nContent-Type: "
           "application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(kRefusalTimeout);
  co_await net::async_write(stream, net::buffer(kResponse), kAsTuple);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
  --refusing_;
}

Awaitable<bool> Listener::wait_readable(std::shared_ptr<Connection> conn) {
  Connection& c = *conn;
  // No buffer while idle: the socket's readiness is awaited, not a read, so that an idle
  // connection holds no read buffer. The timer cancels the wait when the idle timeout passes.
  net::steady_timer timer(c.stream.get_executor(), limits_.idle_timeout);
  c.idle_wait = true;
  timer.async_wait([weak = std::weak_ptr<Connection>(conn)](boost::system::error_code ec) {
    auto alive = weak.lock();
    if (!ec && alive && alive->idle_wait) {
      boost::system::error_code ignored;
      alive->stream.socket().cancel(ignored);
    }
  });
  auto [ec] = co_await c.stream.socket().async_wait(tcp::socket::wait_read, kAsTuple);
  c.idle_wait = false;
  timer.cancel();
  co_return !ec;
}

Awaitable<bool> Listener::read_header(Connection& c, Exchange& ex) {
  ex.parser.header_limit(kHeaderLimit);
  ex.parser.body_limit(boost::none);  // the object size limit is enforced while streaming
  // From its first byte (or, on a new connection, from accept), a whole header must arrive within
  // the header timeout, however slowly it trickles in.
  c.stream.expires_after(limits_.header_timeout);
  auto [ec, n] = co_await http::async_read_header(c.stream, c.buffer, ex.parser, kAsTuple);
  if (!ec) {
    co_return true;
  }
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    co_await send_raw_error(
        c, http::status::request_header_fields_too_large, "request_header_too_large",
        "request line and header over " + std::to_string(kHeaderLimit) + " bytes");
  } else if (!quiet_end(ec)) {
    // Malformed request: answer 400 and close; the parser's state is unusable.
    co_await send_raw_error(c, http::status::bad_request, "invalid_argument",
                            "malformed HTTP request: " + ec.message());
  }
  co_return false;
}

Awaitable<void> Listener::session(std::shared_ptr<Connection> conn) {
  Connection& c = *conn;
  for (bool first = true;; first = false) {
    if (!first && c.buffer.size() == 0) {
      // Keep-alive: wait up to the idle timeout for the next request to begin.
      const bool readable = co_await wait_readable(conn);
      if (!readable) {
        break;
      }
    }
    // Allocated per request, so that an idle connection does not hold a parser.
    auto ex = std::make_unique<Exchange>();
    const bool ok = co_await read_header(c, *ex);
    if (!ok) {
      break;
    }
    c.busy = true;
    co_await serve_(c, *ex);
    c.busy = false;
    if (ex->close || !ex->parser.is_done()) {
      // A body we did not read (an early error) cannot be skipped safely: close.
      break;
    }
    if (c.buffer.size() == 0) {
      // Idle between requests: give back the buffers until the next request needs them.
      c.buffer.shrink_to_fit();
      std::vector<std::byte>().swap(c.chunk);
    }
  }
  boost::system::error_code ignored;
  c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  c.stream.close();
  std::lock_guard lock(mu_);
  connections_.erase(conn);
}

Awaitable<void> Listener::send_raw_error(Connection& c, http::status status, std::string code,
                                         std::string message) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::server, "castor");
  res.set("X-Request-Id", random_request_id());
  res.set(http::field::content_type, "application/json");
  res.keep_alive(false);
  res.body() = error_json(code, message);
  res.prepare_payload();
  c.stream.expires_after(kIoTimeout);
  co_await http::async_write(c.stream, res, kAsTuple);
}

}  // namespace castor::api
