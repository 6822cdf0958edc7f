#include "support/http_client.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace castor::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Errors after which a request on a reused keep-alive connection may be retried: the server had
// closed the idle connection before it saw the request.
bool stale_connection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::eof;
}

std::runtime_error network_error(std::string_view what, const beast::error_code& ec) {
  return std::runtime_error(std::string(what) + ": " + ec.message());
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) <
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string HttpResponse::header(std::string_view name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

class HttpClient::Impl {
 public:
  Impl(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
      : host_(std::move(host)), port_(port), timeout_(timeout) {}

  HttpResponse request(std::string_view method, std::string_view target, const Headers& headers,
                       std::string_view body, std::size_t chunk_size) {
    const Framing framing =
        chunk_size > 0 ? Framing::kChunked : default_framing(method, headers, body);
    for (int attempt = 0;; ++attempt) {
      const bool reused = stream_.has_value() && requests_on_connection_ > 0;
      beast::error_code ec = start(method, target, headers, framing, body.size());
      if (!ec) {
        if (framing == Framing::kChunked) {
          for (std::size_t pos = 0; pos < body.size() && !send_ec_; pos += chunk_size) {
            write_piece(body.substr(pos, chunk_size));
          }
        } else {
          write_piece(body);
        }
        HttpResponse response;
        ec = complete(response);
        if (!ec) {
          return response;
        }
      }
      disconnect();
      if (!(reused && attempt == 0 && stale_connection(ec))) {
        throw network_error(std::string(method) + " " + std::string(target), ec);
      }
    }
  }

  void begin(std::string_view method, std::string_view target, const Headers& headers,
             Framing framing, std::uint64_t content_length) {
    if (beast::error_code ec = start(method, target, headers, framing, content_length)) {
      disconnect();
      throw network_error("sending " + std::string(method) + " " + std::string(target), ec);
    }
  }

  bool send(std::string_view piece) {
    write_piece(piece);
    return !send_ec_;
  }

  HttpResponse finish() {
    HttpResponse response;
    if (beast::error_code ec = complete(response)) {
      const beast::error_code send_ec = send_ec_;
      disconnect();
      throw network_error(
          send_ec ? "reading the response (after sending failed: " + send_ec.message() + ")"
                  : std::string("reading the response"),
          ec);
    }
    return response;
  }

  RawExchange raw(std::string_view bytes, std::chrono::milliseconds timeout) {
    RawExchange exchange;
    beast::tcp_stream stream(ioc_);
    if (connect(stream)) {
      exchange.closed_by_server = true;
      return exchange;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    stream.expires_at(deadline);
    run([&](auto handler) { net::async_write(stream, net::buffer(bytes), handler); });
    std::array<char, 16 * 1024> buffer{};
    for (;;) {
      std::size_t received = 0;
      stream.expires_at(deadline);
      const beast::error_code ec = run([&](auto handler) {
        stream.async_read_some(net::buffer(buffer),
                               [&received, handler](beast::error_code e, std::size_t n) mutable {
                                 received = n;
                                 handler(e);
                               });
      });
      exchange.received.append(buffer.data(), received);
      if (ec) {
        exchange.closed_by_server = ec != beast::error::timeout;
        return exchange;
      }
    }
  }

  void disconnect() {
    if (stream_) {
      beast::error_code ignored;
      stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_->close();
      stream_.reset();
    }
    buffer_.clear();
    requests_on_connection_ = 0;
  }

  int connections_opened() const { return connections_opened_; }

 private:
  static Framing default_framing(std::string_view method, const Headers& headers,
                                 std::string_view body) {
    if (headers.contains("Content-Length") || headers.contains("Transfer-Encoding")) {
      return Framing::kNone;
    }
    if (body.empty() && (method == "GET" || method == "HEAD" || method == "DELETE")) {
      return Framing::kNone;
    }
    return Framing::kContentLength;
  }

  // Runs one asynchronous operation to completion. `initiate` receives a completion handler
  // taking an error code (and anything after it). The stream's expiry bounds the operation.
  template <class Initiate>
  beast::error_code run(Initiate&& initiate) {
    beast::error_code result;
    bool done = false;
    initiate([&result, &done](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc_.restart();
    while (!done && ioc_.run_one() > 0) {
    }
    return done ? result : beast::error_code(net::error::operation_aborted);
  }

  beast::error_code connect(beast::tcp_stream& stream) {
    tcp::resolver resolver(ioc_);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (ec) {
      return ec;
    }
    stream.expires_after(timeout_);
    ec = run([&](auto handler) { stream.async_connect(endpoints, handler); });
    if (!ec) {
      ++connections_opened_;
      stream.socket().set_option(tcp::no_delay(true), ec);
    }
    return ec;
  }

  // Connects if needed and writes the request head.
  beast::error_code start(std::string_view method, std::string_view target, const Headers& headers,
                          Framing framing, std::uint64_t content_length) {
    if (!stream_) {
      stream_.emplace(ioc_);
      buffer_.clear();
      if (beast::error_code ec = connect(*stream_)) {
        return ec;
      }
    }
    framing_ = framing;
    head_request_ = method == "HEAD";
    send_ec_ = {};
    std::string head = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
    if (!headers.contains("Host")) {
      head += "Host: " + host_ + ":" + std::to_string(port_) + "\r\n";
    }
    for (const auto& [name, value] : headers) {
      head += name + ": " + value + "\r\n";
    }
    if (framing == Framing::kContentLength) {
      head += "Content-Length: " + std::to_string(content_length) + "\r\n";
    } else if (framing == Framing::kChunked) {
      head += "Transfer-Encoding: chunked\r\n";
    }
    head += "\r\n";
    return write(net::buffer(head));
  }

  template <class Buffers>
  beast::error_code write(const Buffers& buffers) {
    stream_->expires_after(timeout_);
    return run([&](auto handler) { net::async_write(*stream_, buffers, handler); });
  }

  // Writes one piece of body (framed as a chunk if the request is chunked); remembers the first
  // failure and writes nothing after it.
  void write_piece(std::string_view piece) {
    if (send_ec_ || !stream_) {
      return;
    }
    if (framing_ != Framing::kChunked) {
      send_ec_ = write(net::buffer(piece));
      return;
    }
    if (piece.empty()) {
      return;  // an empty chunk would end the body
    }
    char size_line[32];
    const int length = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", piece.size());
    const std::array<net::const_buffer, 3> buffers = {
        net::buffer(size_line, static_cast<std::size_t>(length)), net::buffer(piece),
        net::buffer("\r\n", 2)};
    send_ec_ = write(buffers);
  }

  // Ends the body and reads the response (skipping interim 1xx responses).
  beast::error_code complete(HttpResponse& response) {
    if (!stream_) {
      return send_ec_ ? send_ec_ : beast::error_code(net::error::not_connected);
    }
    if (framing_ == Framing::kChunked && !send_ec_) {
      send_ec_ = write(net::buffer("0\r\n\r\n", 5));
    }
    for (;;) {
      http::response_parser<http::string_body> parser;
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      parser.skip(head_request_);
      stream_->expires_after(timeout_);
      if (beast::error_code ec =
              run([&](auto handler) { http::async_read(*stream_, buffer_, parser, handler); })) {
        return ec;
      }
      auto message = parser.release();
      const int status = static_cast<int>(message.result_int());
      if (status >= 100 && status < 200 && status != 101) {
        continue;
      }
      response.status = status;
      for (const auto& field : message) {
        const std::string name(field.name_string());
        const std::string value(field.value());
        auto [it, inserted] = response.headers.emplace(name, value);
        if (!inserted) {
          it->second += ", " + value;
        }
      }
      response.body = std::move(message.body());
      ++requests_on_connection_;
      if (!message.keep_alive() || send_ec_) {
        disconnect();
      }
      return {};
    }
  }

  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  net::io_context ioc_;
  std::optional<beast::tcp_stream> stream_;  // the kept-alive connection, if open
  beast::flat_buffer buffer_;                // bytes read past the last response
  int requests_on_connection_ = 0;
  int connections_opened_ = 0;
  Framing framing_ = Framing::kNone;  // of the request in progress
  bool head_request_ = false;         // the request in progress is HEAD: no response body
  beast::error_code send_ec_;         // first failure writing the request in progress
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(host), port, timeout)) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpResponse HttpClient::request(std::string_view method, std::string_view target,
                                 const Headers& headers, std::string_view body) {
  return impl_->request(method, target, headers, body, 0);
}

HttpResponse HttpClient::request_chunked(std::string_view method, std::string_view target,
                                         const Headers& headers, std::string_view body,
                                         std::size_t chunk_size) {
  if (chunk_size == 0) {
    throw std::invalid_argument("chunk_size must be positive");
  }
  return impl_->request(method, target, headers, body, chunk_size);
}

void HttpClient::begin(std::string_view method, std::string_view target, const Headers& headers,
                       Framing framing, std::uint64_t content_length) {
  impl_->begin(method, target, headers, framing, content_length);
}

bool HttpClient::send(std::string_view piece) { return impl_->send(piece); }

HttpResponse HttpClient::finish() { return impl_->finish(); }

RawExchange HttpClient::raw(std::string_view bytes, std::chrono::milliseconds timeout) {
  return impl_->raw(bytes, timeout);
}

void HttpClient::disconnect() { impl_->disconnect(); }

int HttpClient::connections_opened() const { return impl_->connections_opened(); }

std::string percent_encode(std::string_view text, bool keep_slashes) {
  static constexpr char kHexDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slashes && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHexDigits[u >> 4]);
      out.push_back(kHexDigits[u & 0xf]);
    }
  }
  return out;
}

}  // namespace castor::testing
