#include "support/fault_proxy.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include <boost/asio.hpp>

namespace castor::testing {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
constexpr auto kNoThrow = net::as_tuple(use_awaitable);

Fault Fault::respond(int status, std::string s3_code, int times) {
  Fault fault;
  fault.kind = Kind::kRespond;
  fault.status = status;
  fault.s3_code = std::move(s3_code);
  fault.times = times;
  return fault;
}

Fault Fault::reset_after(std::size_t bytes, int times) {
  Fault fault;
  fault.kind = Kind::kResetAfter;
  fault.after_bytes = bytes;
  fault.times = times;
  return fault;
}

Fault Fault::truncate(int times) {
  Fault fault;
  fault.kind = Kind::kTruncate;
  fault.times = times;
  return fault;
}

Fault Fault::stall(std::chrono::milliseconds delay, int times) {
  Fault fault;
  fault.kind = Kind::kDelay;
  fault.delay = delay;
  fault.times = times;
  return fault;
}

Fault Fault::only(std::string method, std::string text) && {
  this->method = std::move(method);
  target_contains = std::move(text);
  return std::move(*this);
}

struct FaultProxy::State {
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  std::uint16_t upstream_port = 0;
  std::thread thread;

  mutable std::mutex mutex;
  std::deque<Fault> faults;        // guarded by mutex
  std::vector<std::string> lines;  // guarded by mutex
  std::size_t applied = 0;         // guarded by mutex

  // Records a request and takes the fault that applies to it, if any.
  std::optional<Fault> take_fault(const std::string& line, std::string_view method,
                                  std::string_view target) {
    std::lock_guard lock(mutex);
    lines.push_back(line);
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if ((!it->method.empty() && it->method != method) ||
          (!it->target_contains.empty() && target.find(it->target_contains) == target.npos)) {
        continue;
      }
      Fault fault = *it;
      if (--it->times <= 0) {
        faults.erase(it);
      }
      ++applied;
      return fault;
    }
    return std::nullopt;
  }
};

namespace {

struct RequestHead {
  std::string line;  // the request line
  std::string method;
  std::string target;
  std::string forwarded;  // the head as sent upstream: Connection: close
  std::uint64_t content_length = 0;
  bool expect_continue = false;
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Parses a request head (through the blank line) and rewrites it for upstream.
RequestHead parse_request(std::string_view head) {
  RequestHead request;
  std::size_t at = head.find("\r\n");
  request.line = std::string(head.substr(0, at));
  const std::size_t space = request.line.find(' ');
  request.method = request.line.substr(0, space);
  request.target = request.line.substr(space + 1, request.line.rfind(' ') - space - 1);
  request.forwarded = request.line + "\r\n";
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const std::size_t next = head.find("\r\n", at + 2);
    const std::string_view field = head.substr(at + 2, next - at - 2);
    at = next;
    if (field.empty()) {
      break;
    }
    const std::size_t colon = field.find(':');
    const std::string name = lower(trim(field.substr(0, colon)));
    const std::string_view value = trim(field.substr(colon + 1));
    if (name == "content-length") {
      std::from_chars(value.data(), value.data() + value.size(), request.content_length);
    } else if (name == "expect") {
      request.expect_continue = lower(value) == "100-continue";
    }
    if (name == "connection" || name == "keep-alive") {
      continue;
    }
    request.forwarded.append(field).append("\r\n");
  }
  request.forwarded.append("Connection: close\r\n\r\n");
  return request;
}

std::string error_response(const Fault& fault) {
  const std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" +
                           fault.s3_code + "</Code><Message>injected by FaultProxy</Message>" +
                           "<RequestId>fault</RequestId></Error>";
  return "HTTP/1.1 " + std::to_string(fault.status) +
         " Injected\r\nContent-Type: application/xml\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// Closes `socket` with an RST (SO_LINGER 0).
void reset(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(net::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

// Closes `socket` after the peer saw everything: FIN, then discard input until EOF (bounded).
awaitable<void> close_gracefully(std::shared_ptr<tcp::socket> socket) {
  boost::system::error_code ec;
  socket->shutdown(tcp::socket::shutdown_send, ec);
  net::steady_timer timer(socket->get_executor(), std::chrono::seconds(2));
  timer.async_wait([socket](boost::system::error_code e) {
    if (!e) {
      boost::system::error_code ignored;
      socket->close(ignored);
    }
  });
  char scratch[4096];
  for (;;) {
    auto [read_ec, n] = co_await socket->async_read_some(net::buffer(scratch), kNoThrow);
    if (read_ec) {
      break;
    }
  }
  timer.cancel();
  socket->close(ec);
}

// After a relayed response: FIN to the client, whose socket closes when the request pipe sees
// its EOF, or after 2 s at the latest.
void finish(const std::shared_ptr<tcp::socket>& client) {
  boost::system::error_code ignored;
  client->shutdown(tcp::socket::shutdown_send, ignored);
  auto timer = std::make_shared<net::steady_timer>(client->get_executor(), std::chrono::seconds(2));
  timer->async_wait([client, timer](boost::system::error_code) {
    boost::system::error_code ignored;
    client->close(ignored);
  });
}

// Copies `from` to `to` until EOF or an error, then half-closes `to`.
awaitable<void> pipe(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  char buffer[16384];
  for (;;) {
    auto [ec, n] = co_await from->async_read_some(net::buffer(buffer), kNoThrow);
    if (ec) {
      break;
    }
    auto [write_ec, written] = co_await net::async_write(*to, net::buffer(buffer, n), kNoThrow);
    if (write_ec) {
      break;
    }
  }
  boost::system::error_code ignored;
  to->shutdown(tcp::socket::shutdown_send, ignored);
}

// What relay_response() does to the response (trivial values: GCC 12 miscompiles coroutine
// parameters with non-trivial destructors such as std::optional<Fault>).
enum class Relay { kWhole, kResetAfter, kTruncate };

// Relays the upstream response to the client: whole, reset after `after_bytes`, or truncated.
awaitable<void> relay_response(std::shared_ptr<tcp::socket> upstream,
                               std::shared_ptr<tcp::socket> client, Relay mode,
                               std::size_t after_bytes) {
  std::string head;  // for kTruncate: response bytes until the final head is complete
  std::size_t relayed = 0;
  std::optional<std::uint64_t> body_allowance;  // kTruncate: body bytes still to relay
  char buffer[16384];
  for (;;) {
    auto [ec, n] = co_await upstream->async_read_some(net::buffer(buffer), kNoThrow);
    if (ec) {
      break;
    }
    std::string_view chunk(buffer, n);
    if (mode == Relay::kResetAfter) {
      const std::size_t allowed = std::min<std::size_t>(chunk.size(), after_bytes - relayed);
      co_await net::async_write(*client, net::buffer(chunk.data(), allowed), kNoThrow);
      relayed += allowed;
      if (relayed >= after_bytes) {
        reset(*client);
        upstream->close(ec);
        co_return;
      }
      continue;
    }
    if (mode == Relay::kTruncate) {
      if (!body_allowance) {
        head.append(chunk);
        // Skip interim (1xx) responses; find the final head.
        for (;;) {
          const std::size_t end = head.find("\r\n\r\n");
          if (end == std::string::npos) {
            break;
          }
          const bool interim = head.starts_with("HTTP/1.1 1") || head.starts_with("HTTP/1.0 1");
          if (interim) {
            co_await net::async_write(*client, net::buffer(head.data(), end + 4), kNoThrow);
            head.erase(0, end + 4);
            continue;
          }
          const RequestHead parsed = parse_request(std::string_view(head).substr(0, end + 4));
          body_allowance = parsed.content_length / 2;
          co_await net::async_write(*client, net::buffer(head.data(), end + 4), kNoThrow);
          chunk = std::string_view(head).substr(end + 4);
          break;
        }
        if (!body_allowance) {
          continue;
        }
        const std::size_t take = std::min<std::uint64_t>(chunk.size(), *body_allowance);
        co_await net::async_write(*client, net::buffer(chunk.data(), take), kNoThrow);
        *body_allowance -= take;
      } else {
        const std::size_t take = std::min<std::uint64_t>(chunk.size(), *body_allowance);
        co_await net::async_write(*client, net::buffer(chunk.data(), take), kNoThrow);
        *body_allowance -= take;
      }
      if (body_allowance && *body_allowance == 0) {
        upstream->close(ec);
        finish(client);
        co_return;
      }
      continue;
    }
    auto [write_ec, written] = co_await net::async_write(*client, net::buffer(chunk), kNoThrow);
    if (write_ec) {
      break;
    }
  }
  finish(client);
}

awaitable<void> session(FaultProxy::State* state, std::shared_ptr<tcp::socket> client) {
  std::string buffer;
  auto [ec, n] = co_await net::async_read_until(*client, net::dynamic_buffer(buffer, 65536),
                                                "\r\n\r\n", kNoThrow);
  if (ec) {
    co_return;
  }
  const RequestHead request = parse_request(std::string_view(buffer).substr(0, n));
  std::string rest = buffer.substr(n);  // body bytes read with the head
  std::optional<Fault> fault = state->take_fault(request.line, request.method, request.target);

  if (fault && fault->kind == Fault::Kind::kRespond) {
    if (!request.expect_continue && request.method != "HEAD") {
      // Read the body the client sends anyway, so that closing does not reset the connection
      // before the client has read the answer.
      std::uint64_t left =
          request.content_length - std::min<std::uint64_t>(rest.size(), request.content_length);
      char scratch[16384];
      while (left > 0) {
        auto [read_ec, got] = co_await client->async_read_some(
            net::buffer(scratch, std::min<std::uint64_t>(sizeof scratch, left)), kNoThrow);
        if (read_ec) {
          co_return;
        }
        left -= got;
      }
    }
    const std::string answer = error_response(*fault);
    co_await net::async_write(*client, net::buffer(answer), kNoThrow);
    co_await close_gracefully(client);
    co_return;
  }
  if (fault && fault->kind == Fault::Kind::kDelay) {
    net::steady_timer timer(client->get_executor(), fault->delay);
    co_await timer.async_wait(kNoThrow);
  }

  auto upstream = std::make_shared<tcp::socket>(client->get_executor());
  auto [connect_ec] = co_await upstream->async_connect(
      tcp::endpoint(net::ip::address_v4::loopback(), state->upstream_port), kNoThrow);
  if (connect_ec) {
    reset(*client);
    co_return;
  }
  auto [head_ec, head_n] =
      co_await net::async_write(*upstream, net::buffer(request.forwarded), kNoThrow);
  if (!head_ec && !rest.empty()) {
    co_await net::async_write(*upstream, net::buffer(rest), kNoThrow);
  }
  net::co_spawn(client->get_executor(), pipe(client, upstream), net::detached);
  Relay mode = Relay::kWhole;
  std::size_t after_bytes = 0;
  if (fault && fault->kind == Fault::Kind::kResetAfter) {
    mode = Relay::kResetAfter;
    after_bytes = fault->after_bytes;
  } else if (fault && fault->kind == Fault::Kind::kTruncate) {
    mode = Relay::kTruncate;
  }
  co_await relay_response(upstream, client, mode, after_bytes);
  boost::system::error_code ignored;
  upstream->close(ignored);
}

awaitable<void> accept_loop(FaultProxy::State* state) {
  for (;;) {
    auto socket = std::make_shared<tcp::socket>(state->io);
    auto [ec] = co_await state->acceptor.async_accept(*socket, kNoThrow);
    if (ec) {
      if (ec == net::error::operation_aborted) {
        co_return;
      }
      continue;
    }
    socket->set_option(tcp::no_delay(true), ec);
    net::co_spawn(state->io, session(state, socket), net::detached);
  }
}

}  // namespace

FaultProxy::FaultProxy(std::uint16_t upstream_port) : state_(std::make_unique<State>()) {
  state_->upstream_port = upstream_port;
  const tcp::endpoint local(net::ip::address_v4::loopback(), 0);
  state_->acceptor.open(local.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(local);
  state_->acceptor.listen();
  net::co_spawn(state_->io, accept_loop(state_.get()), net::detached);
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

FaultProxy::~FaultProxy() {
  state_->io.stop();
  state_->thread.join();
}

std::uint16_t FaultProxy::port() const { return state_->acceptor.local_endpoint().port(); }

std::string FaultProxy::endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }

void FaultProxy::inject(Fault fault) {
  std::lock_guard lock(state_->mutex);
  state_->faults.push_back(std::move(fault));
}

void FaultProxy::clear_faults() {
  std::lock_guard lock(state_->mutex);
  state_->faults.clear();
}

std::size_t FaultProxy::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->lines.size();
}

std::size_t FaultProxy::faults_applied() const {
  std::lock_guard lock(state_->mutex);
  return state_->applied;
}

std::vector<std::string> FaultProxy::request_lines() const {
  std::lock_guard lock(state_->mutex);
  return state_->lines;
}

void FaultProxy::reset_counts() {
  std::lock_guard lock(state_->mutex);
  state_->lines.clear();
  state_->applied = 0;
}

}  // namespace castor::testing
