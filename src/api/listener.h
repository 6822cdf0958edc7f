#pragma once
// Internal to src/api: one listening socket and the connections it accepted. Includes Beast; never
// include it from another layer.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "api/server_core.h"

namespace castor::api {

// Request line + header fields of one request, bytes (431 past it).
inline constexpr std::size_t kHeaderLimit = 16 * 1024;
// The most a connection's read buffer may hold: one body chunk plus one header's worth. Whatever a
// client sends that the parser cannot consume within this (a chunk-size line with an endless
// extension, an endless trailer) ends the request with 400 and the connection.
inline constexpr std::size_t kReadBufferLimit = kChunkSize + kHeaderLimit;

// A fresh id for a response that has no request to take one from.
std::string random_request_id();

// Accepts connections on one address and runs one session coroutine per connection (on its own
// strand): each reads request headers within the header timeout and hands every request to
// `serve`. Past `max_connections` open connections, a new one gets a 503 and is closed. Accept
// errors (EMFILE, ENFILE...) back off 100 ms instead of spinning. Thread-safe.
class Listener {
 public:
  struct Limits {
    std::size_t max_connections = 1024;
    std::chrono::seconds header_timeout{10};  // from the first byte (or accept) to the header's end
    std::chrono::seconds idle_timeout{75};    // keep-alive wait for the next request's first byte
  };
  // Serves one request whose header has been read. Sets ex.close to end the connection after it.
  using Serve = std::function<Awaitable<void>(Connection&, Exchange&)>;

  Listener(boost::asio::io_context& ioc, std::string name, Limits limits, Serve serve);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds and listens; returns the bound port. Internal error naming the address if it cannot.
  Result<std::uint16_t> listen(const std::string& host, std::uint16_t port);
  // Starts accepting (after listen()).
  void start();
  // Stops accepting; open connections stay.
  void stop_accepting();
  // Closes every connection not serving a request, and returns how many are still open.
  std::size_t close_idle();

 private:
  Awaitable<void> accept_loop();
  Awaitable<void> session(std::shared_ptr<Connection> conn);
  Awaitable<void> refuse(boost::asio::ip::tcp::socket socket);
  // Waits, holding no buffer, until the connection has bytes to read: true, or false when the idle
  // timeout passed or the connection failed or was closed.
  Awaitable<bool> wait_readable(std::shared_ptr<Connection> conn);
  // Reads the next request's header into ex, within the header timeout from now. False when the
  // connection is to end (after answering 400/431 if the request was malformed).
  Awaitable<bool> read_header(Connection& c, Exchange& ex);
  Awaitable<void> send_raw_error(Connection& c, boost::beast::http::status status, std::string code,
                                 std::string message);
  std::size_t open_connections();

  boost::asio::io_context& ioc_;
  std::string name_;  // for logs: "api", "metrics"
  Limits limits_;
  Serve serve_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::mutex mu_;
  std::set<std::shared_ptr<Connection>> connections_;  // guarded by mu_
  std::atomic<std::size_t> refusing_{0};               // 503s being written
  std::atomic<std::uint64_t> refused_{0};              // connections refused since start
};

}  // namespace castor::api
