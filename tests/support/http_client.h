#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace castor::testing {

// Orders header names case-insensitively (HTTP field names are case-insensitive).
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpResponse {
  int status = 0;
  Headers headers;  // a repeated field's values are joined with ", "
  std::string body;

  // The value of header `name`, or "" if absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const { return headers.contains(name); }
};

// What came back on a raw connection: every byte until the server closed it or the timeout hit.
struct RawExchange {
  std::string received;
  bool closed_by_server = false;  // EOF or reset seen (false: the timeout expired first)
};

// A small synchronous HTTP/1.1 client for tests. It writes requests itself (so tests can send
// anything, including headers a strict library would refuse) and parses responses with
// Boost.Beast. Connections are kept alive and reused; a request that fails on a reused connection
// before any response byte arrives is retried once on a new connection (the server may have
// closed the idle one), except for streamed requests. Every network operation is bounded by the
// timeout; a timeout or network error throws std::runtime_error. Not thread-safe: use one client
// per thread.
class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request with `body` and Content-Length (omitted when `body` is empty and the
  // method is GET, HEAD or DELETE, or when `headers` already names Content-Length or
  // Transfer-Encoding). A Host header is added unless given.
  HttpResponse request(std::string_view method, std::string_view target,
                       const Headers& headers = {}, std::string_view body = {});

  // Sends `body` with Transfer-Encoding: chunked in chunks of `chunk_size` bytes.
  HttpResponse request_chunked(std::string_view method, std::string_view target,
                               const Headers& headers, std::string_view body,
                               std::size_t chunk_size);

  // How begin() frames the body it announces.
  enum class Framing {
    kContentLength,  // Content-Length: content_length
    kChunked,        // Transfer-Encoding: chunked, one chunk per send()
    kNone,           // neither header is added (the caller's headers, if any, are sent as given)
  };

  // Streams a request: begin() writes the head; send() writes one piece of body; finish() ends a
  // chunked body and reads the response. send() returns false once the server has closed or
  // reset the connection (the rest of the body is dropped; finish() still reads whatever
  // response the server sent before closing). begin() throws if it cannot connect or write.
  // Streamed requests are never retried.
  void begin(std::string_view method, std::string_view target, const Headers& headers,
             Framing framing, std::uint64_t content_length = 0);
  bool send(std::string_view piece);
  HttpResponse finish();

  // Opens a new connection, writes `bytes` as they are, and reads until the server closes the
  // connection or `timeout` expires. Never throws on network errors.
  RawExchange raw(std::string_view bytes, std::chrono::milliseconds timeout);

  // Closes the kept-alive connection, if any.
  void disconnect();

  // How many TCP connections this client has opened (to observe keep-alive).
  int connections_opened() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes everything but unreserved characters (RFC 3986) and, if `keep_slashes`, '/'.
std::string percent_encode(std::string_view text, bool keep_slashes = false);

}  // namespace castor::testing
