#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/retry_policy.h"
#include "domain/error.h"

namespace castor::client {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string target{};  // path and query, already percent-encoded: "/v1/blobs/<hex>?size_bytes=3"
  Headers headers{};
  std::string body{};                                // sent when body_file is unset (may be empty)
  std::optional<std::filesystem::path> body_file{};  // streamed from this file, see below
  // The bytes of body_file to send: from body_offset, body_length of them (unset: to the file's
  // current end). A file that ends before them aborts the request with DataLoss.
  std::uint64_t body_offset = 0;
  std::optional<std::uint64_t> body_length{};
  bool expect_continue = false;  // send Expect: 100-continue (the server may answer unread)
};

struct HttpResponse {
  long status = 0;
  Headers headers{};   // the final response's, names in lowercase
  std::string body{};  // the body, unless a sink took a 2xx body (error bodies capped at 64 KiB)
  std::uint64_t bytes_sent = 0;  // request body bytes sent, over every attempt

  // The first header named `name` (lowercase), or "".
  std::string header(std::string_view name) const;
};

// Receives the body of a 2xx response as it arrives.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Called before the first byte of each attempt: start over (truncate).
  virtual Status begin() = 0;
  // Takes the next bytes; an error aborts the transfer (not retried) and is returned by send().
  virtual Status write(std::string_view bytes) = 0;
};

struct HttpClientOptions {
  std::string base_url{};                // "http://host:port", no trailing '/'
  std::optional<std::string> api_key{};  // sent as "Authorization: Bearer"; never logged
  RetryPolicy retry;
  bool verbose = false;  // one stderr line per request and response (method, target, status)
  // At most this many request-body bytes per second on this connection (libcurl's
  // CURLOPT_MAX_SEND_SPEED_LARGE); 0: no limit. Set from CASTORCTL_MAX_SEND_RATE, for tests.
  std::uint64_t max_send_rate = 0;
};

// One libcurl easy handle (a keep-alive connection) with castor's retry policy. Not thread-safe:
// one per worker thread. curl_global_init must have run (main does it).
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();

  // Sends `request`, retrying per the RetryPolicy on connection errors and on 429/503 (honouring
  // Retry-After). Returns the final response whatever its status; Unavailable when the server
  // could not be reached (or kept answering 429/503 is returned as that response); the sink's
  // error if it failed; a usage error if body_file cannot be read, DataLoss if it is shorter than
  // the range to send (it changed meanwhile). `on_progress` gets the body
  // bytes sent or received as they move (negative when an attempt starts over).
  Result<HttpResponse> send(const HttpRequest& request, BodySink* sink = nullptr,
                            const std::function<void(std::int64_t)>& on_progress = {});

  const HttpClientOptions& options() const { return options_; }

 private:
  struct Attempt;
  Result<HttpResponse> perform(const HttpRequest& request, BodySink* sink,
                               const std::function<void(std::int64_t)>& on_progress,
                               bool& retryable);

  HttpClientOptions options_;
  void* curl_;  // CURL*
};

// Percent-encodes `text` for a URL path segment or query value (RFC 3986 unreserved kept);
// `keep_slash` keeps '/' as is (keys in by-key paths).
std::string percent_encode(std::string_view text, bool keep_slash = false);

}  // namespace castor::client
