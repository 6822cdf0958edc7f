#include "client/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <new>
#include <random>
#include <thread>

#include "client/exit_code.h"

namespace castor::client {
namespace {

constexpr std::size_t kMaxErrorBody = 64 * 1024;
// Request bodies are read from the file and sent in pieces of this size (libcurl's default,
// 64 KiB, costs a push of many files 8 times the read and send calls: ~10 % more client CPU).
constexpr long kUploadBufferSize = 512 * 1024;

double jitter() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

bool retryable_curl_code(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

std::string percent_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

// The state of one attempt, reached from libcurl's callbacks.
struct HttpClient::Attempt {
  HttpResponse response;
  BodySink* sink = nullptr;
  const std::function<void(std::int64_t)>* on_progress = nullptr;
  std::FILE* file = nullptr;       // body_file, when set
  std::uint64_t file_left = 0;     // bytes of body_file still to send
  std::string_view string_body{};  // otherwise the body still to send
  std::int64_t moved = 0;          // body bytes sent or received in this attempt (progress)
  bool sink_started = false;
  std::optional<Error> error;  // the sink's or the body file's error, which aborted the transfer
  CURL* curl = nullptr;

  void progress(std::int64_t delta) {
    moved += delta;
    if (on_progress != nullptr && *on_progress) {
      (*on_progress)(delta);
    }
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Attempt*>(user);
    std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
      self->response.headers.clear();  // a new (interim or final) response
      return size * count;
    }
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' ||
                                value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
      }
      self->response.headers.emplace_back(lowercase(line.substr(0, colon)), std::string(value));
    }
    return size * count;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Attempt*>(user);
    const std::string_view bytes(data, size * count);
    long status = 0;
    curl_easy_getinfo(self->curl, CURLINFO_RESPONSE_CODE, &status);
    if (self->sink != nullptr && status >= 200 && status < 300) {
      if (!self->sink_started) {
        self->sink_started = true;
        if (Status s = self->sink->begin(); !s) {
          self->error = s.error();
          return 0;
        }
      }
      if (Status s = self->sink->write(bytes); !s) {
        self->error = s.error();
        return 0;
      }
      self->progress(static_cast<std::int64_t>(bytes.size()));
      return bytes.size();
    }
    if (self->response.body.size() < kMaxErrorBody || (status >= 200 && status < 300)) {
      self->response.body.append(bytes);
    }
    return bytes.size();
  }

  static std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Attempt*>(user);
    const std::size_t capacity = size * count;
    std::size_t n = 0;
    if (self->file != nullptr) {
      const auto want =
          static_cast<std::size_t>(std::min<std::uint64_t>(capacity, self->file_left));
      n = want == 0 ? 0 : std::fread(buffer, 1, want, self->file);
      if (n == 0 && want != 0) {
        self->error = std::ferror(self->file) != 0
                          ? usage_error("cannot read the file being uploaded")
                          : Error{ErrorCode::kDataLoss, "the file being uploaded became shorter"};
        return CURL_READFUNC_ABORT;
      }
      self->file_left -= n;
    } else {
      n = std::min(capacity, self->string_body.size());
      std::memcpy(buffer, self->string_body.data(), n);
      self->string_body.remove_prefix(n);
    }
    self->progress(static_cast<std::int64_t>(n));
    return n;
  }
};

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), curl_(curl_easy_init()) {
  if (curl_ == nullptr) {
    throw std::bad_alloc();
  }
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<HttpResponse> HttpClient::perform(const HttpRequest& request, BodySink* sink,
                                         const std::function<void(std::int64_t)>& on_progress,
                                         bool& retryable) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);
  Attempt attempt;
  attempt.sink = sink;
  attempt.on_progress = &on_progress;
  attempt.curl = curl;

  const std::string url = options_.base_url + request.target;
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);  // abort a transfer stalled for 60 s
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "castorctl/0.1");
  if (options_.max_send_rate > 0) {
    curl_easy_setopt(curl, CURLOPT_MAX_SEND_SPEED_LARGE,
                     static_cast<curl_off_t>(options_.max_send_rate));
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Attempt::on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &attempt);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Attempt::on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &attempt);

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  if (options_.api_key) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + *options_.api_key).c_str());
  }
  std::uint64_t body_size = 0;
  const bool has_body = request.body_file.has_value() || !request.body.empty() ||
                        request.method == "POST" || request.method == "PUT";
  if (request.body_file) {
    attempt.file = std::fopen(request.body_file->c_str(), "rb");
    if (attempt.file == nullptr) {
      curl_slist_free_all(headers);
      return usage_error("cannot read " + request.body_file->string() + ": " +
                         std::strerror(errno));
    }
    std::fseek(attempt.file, 0, SEEK_END);
    const auto file_size = static_cast<std::uint64_t>(::ftello(attempt.file));
    const std::uint64_t offset = std::min(request.body_offset, file_size);
    body_size = request.body_length.value_or(file_size - offset);
    ::fseeko(attempt.file, static_cast<off_t>(offset), SEEK_SET);
    attempt.file_left = body_size;
  } else {
    attempt.string_body = request.body;
    body_size = request.body.size();
  }
  if (has_body) {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body_size));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &Attempt::on_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &attempt);
    curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, kUploadBufferSize);
    headers =
        curl_slist_append(headers, request.expect_continue ? "Expect: 100-continue" : "Expect:");
    curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 2000L);
  }
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" || has_body) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  if (options_.verbose) {
    std::fprintf(stderr, "> %s %s\n", request.method.c_str(), url.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (attempt.file != nullptr) {
    std::fclose(attempt.file);
  }
  curl_off_t sent = 0;
  curl_easy_getinfo(curl, CURLINFO_SIZE_UPLOAD_T, &sent);
  attempt.response.bytes_sent = static_cast<std::uint64_t>(sent);
  if (attempt.error) {
    return *attempt.error;
  }
  if (code != CURLE_OK) {
    retryable = retryable_curl_code(code);
    if (attempt.moved != 0) {
      attempt.progress(-attempt.moved);
    }
    const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    if (options_.verbose) {
      std::fprintf(stderr, "< %s\n", detail.c_str());
    }
    return Error{ErrorCode::kUnavailable, request.method + " " + options_.base_url + ": " + detail};
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &attempt.response.status);
  if (options_.verbose) {
    std::fprintf(stderr, "< %ld (%s)\n", attempt.response.status,
                 attempt.response.header("x-request-id").c_str());
  }
  retryable = RetryPolicy::retryable_status(attempt.response.status);
  if (retryable && attempt.moved != 0) {
    attempt.progress(-attempt.moved);
  }
  return std::move(attempt.response);
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request, BodySink* sink,
                                      const std::function<void(std::int64_t)>& on_progress) {
  std::uint64_t bytes_sent = 0;
  for (int attempt = 0;; ++attempt) {
    bool retryable = false;
    Result<HttpResponse> result = perform(request, sink, on_progress, retryable);
    if (result) {
      bytes_sent += result->bytes_sent;
      result->bytes_sent = bytes_sent;
    }
    if (!retryable || attempt >= options_.retry.max_retries) {
      return result;
    }
    std::optional<std::chrono::milliseconds> retry_after;
    if (result) {
      retry_after = parse_retry_after(result->header("retry-after"));
    }
    const auto delay = options_.retry.delay(attempt, retry_after, jitter());
    if (options_.verbose) {
      std::fprintf(stderr, "  retrying in %lld ms\n", static_cast<long long>(delay.count()));
    }
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace castor::client
