#pragma once
// Internal to src/api: what the HTTP handlers share. Includes Beast; never include it from another
// layer.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/http_server.h"
#include "api/key_path.h"
#include "api/request_params.h"
#include "application/io_thread.h"
#include "domain/principal.h"

namespace castor::api {

struct Route;

inline constexpr std::size_t kChunkSize = 256 * 1024;         // bytes moved per body read/write
inline constexpr auto kIoTimeout = std::chrono::seconds(60);  // one body chunk, either direction
inline constexpr auto kAsTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

template <class T>
using Awaitable = boost::asio::awaitable<T>;

using Headers = std::vector<std::pair<std::string, std::string>>;

// One connection: its stream and read buffer. Shared so that the drain can reach idle ones.
struct Connection {
  explicit Connection(boost::asio::ip::tcp::socket socket);
  boost::beast::tcp_stream stream;
  // At most kReadBufferLimit bytes (api/listener.h); persists across the connection's requests.
  boost::beast::flat_buffer buffer;
  std::vector<std::byte> chunk;  // body bytes; allocated on first use, kChunkSize
  std::string remote;            // client address, for logs and per-IP rate limits
  bool busy = false;             // a request is being served; touched only on the strand
  bool idle_wait = false;        // waiting for a keep-alive request to begin; only on the strand
};

// One request in progress.
struct Exchange {
  boost::beast::http::request_parser<boost::beast::http::buffer_body> parser;
  std::string request_id;
  http_params::Target target;
  // The route (api/routes.h) once matched, for the handler, the metrics and the log line;
  // nullptr while unmatched. For a method the pattern does not allow: its first route.
  const Route* route = nullptr;
  std::optional<Principal> principal;  // set once authenticated
  std::string tenant;                  // the tenant acted on, once known, for the log line
  unsigned status = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  bool close = false;  // close the connection after this response

  const boost::beast::http::request<boost::beast::http::buffer_body>& req() { return parser.get(); }
  bool head() { return req().method() == boost::beast::http::verb::head; }
  // The header's value; nullopt if absent or empty.
  std::optional<std::string> header(std::string_view name);
  // An object parameter from its header, else its query parameter (JustStorage accepts both).
  std::optional<std::string> param(std::string_view header_name, const std::string& query_name);
};

// An HTTP error on its way out: status, JSON code and message, extra headers.
struct HttpError {
  boost::beast::http::status status;
  std::string code;
  std::string message;
  Headers headers = {};
};

HttpError from_error(const Error& e);
HttpError http_error(boost::beast::http::status status, std::string code, std::string message);
HttpError bad_request(std::string message);
// One extra response header (GCC 12 rejects braced string literals inside coroutines).
Headers one_header(std::string name, std::string value);

// A value parsed from a request, or the error to answer with.
template <class T>
using Parsed = std::variant<T, HttpError>;

// Reads the next piece of the request body into c.chunk (at most kChunkSize bytes, allocated on
// first use) and returns how many bytes arrived. On an error the connection is marked to close.
struct BodyChunk {
  boost::system::error_code ec;
  std::size_t size = 0;
};
Awaitable<BodyChunk> read_body_chunk(Connection& c, Exchange& ex);
// The answer to a failed body read (the connection closes after it).
HttpError body_error(const boost::system::error_code& ec);
// Reads a small request body (JSON) whole: at most `limit` bytes, else 413 payload_too_large
// (at once when the Content-Length says so, before reading anything).
Awaitable<Parsed<std::string>> read_bounded_body(Connection& c, Exchange& ex, std::size_t limit);

// Where a blocking call runs. Two bounded pools, so that a flood of one kind cannot starve the
// other: fsyncs of gigabytes, content reads and writes on the disk pool never hold up
// authentication and listings on the database pool.
enum class Pool {
  kDatabase,  // PostgreSQL work (sized like the connection pool)
  kDisk,      // file writes, fsync (with the commit's short transaction), content reads, GC
};

// The machinery handlers use: responses, the worker pools, authorisation.
class ServerCore {
 public:
  ServerCore(HttpServer::Options options, UseCases use_cases);

  const HttpServer::Options& options() const { return options_; }
  UseCases& uc() { return uc_; }
  bool draining() const { return draining_.load(); }
  void set_draining() { draining_ = true; }
  // Whether more calls than max_queued_blocking wait for (or run on) `pool`: the request gets
  // 503 + Retry-After. The router checks the database pool (every request authenticates); the
  // handlers that move content check the disk pool too.
  bool overloaded(Pool pool = Pool::kDatabase) const {
    return queued(pool).load() >= options_.max_queued_blocking;
  }
  boost::asio::thread_pool& workers(Pool pool) {
    return pool == Pool::kDisk ? disk_workers_ : db_workers_;
  }
  // Waits for every blocking call in flight (their frames must outlive them).
  void join_workers() {
    db_workers_.join();
    disk_workers_.join();
  }

  // Runs `work` (blocking) on `pool` and resumes on the calling coroutine's executor with its
  // result. `work` lives in the caller's frame, which stays alive until then. (Named callables
  // only: GCC 12 mishandles temporaries in co_await expressions.)
  template <class F, class R = std::invoke_result_t<F&>>
  Awaitable<R> offload(F& work, Pool pool = Pool::kDatabase) {
    auto ex = co_await boost::asio::this_coro::executor;
    std::atomic<std::size_t>& counter = queued(pool);
    ++counter;
    auto initiate = [&counter, pool, target = &workers(pool), ex, &work](auto handler) {
      boost::asio::post(*target, [&counter, pool, ex, &work, h = std::move(handler)]() mutable {
        R r = run_on(pool, work);
        --counter;
        boost::asio::post(
            ex, [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
      });
    };
    co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(R)>(
        initiate, boost::asio::use_awaitable);
  }
  // Runs `work` (blocking, returning nothing) on `pool`, counted like offload(); for handlers that
  // resume themselves (see the upload's background writes).
  template <class F>
  void post(Pool pool, F work) {
    ++queued(pool);
    boost::asio::post(workers(pool), [this, pool, work = std::move(work)]() mutable {
      run_on(pool, work);
      --queued(pool);
    });
  }
  // The 503 for a full pool.
  static HttpError overloaded_error();

  // Calls `work` on a thread of `pool`; work on the disk pool runs as bulk work (BulkWorkScope),
  // which the PostgreSQL pool keeps from taking its reserved connections.
  template <class F>
  static std::invoke_result_t<F&> run_on(Pool pool, F& work) {
    std::optional<BulkWorkScope> bulk;
    if (pool == Pool::kDisk) {
      bulk.emplace();
    }
    return work();
  }

  // Sends a complete response with a small body (JSON by default). A HEAD gets the header only.
  Awaitable<void> send(Connection& c, Exchange& ex, boost::beast::http::status status,
                       std::string body = {}, std::string_view content_type = "application/json",
                       Headers headers = {});
  Awaitable<void> send_error(Connection& c, Exchange& ex, const HttpError& e);
  // Writes a bodyless response header (content, if any, follows separately). False if the
  // connection failed.
  Awaitable<bool> write_header(Connection& c, Exchange& ex,
                               boost::beast::http::response<boost::beast::http::empty_body>& res);
  // Sets Server, X-Request-Id and keep-alive.
  void common_headers(Exchange& ex, boost::beast::http::fields& fields, bool& keep_alive);

  // Establishes ex.principal from the request's credential (Authorization: Bearer, or
  // X-API-Key) and applies the rate limit: 401 with WWW-Authenticate, 429 with Retry-After, or
  // 503. With authentication disabled, every caller is an anonymous admin (rate-limited by IP).
  Awaitable<std::optional<HttpError>> authenticate(Exchange& ex, const std::string& remote);

  // Establishes ex.principal from a presigned URL (docs/PRESIGNED_URLS.md): a request without a
  // credential whose query carries X-Castor-Signature. 403 signature_mismatch on a route that
  // takes none or for a changed URL, 403 url_expired past its expiry, 401 when its API key was
  // revoked; rate-limited like authenticate().
  Awaitable<std::optional<HttpError>> authenticate_presigned(Exchange& ex,
                                                             const std::string& remote);

  // The tenant a request acts on: its X-Tenant/tenant_id, else the credential's own tenant.
  Parsed<TenantId> tenant_of(Exchange& ex);
  Parsed<Namespace> namespace_of(Exchange& ex);
  // The storage class a request names (X-Storage-Class or storage_class); hot when it names none.
  Parsed<StorageClass> storage_class_of(Exchange& ex);
  // 403 unless ex.principal may use `scope` on `tenant` (or at all, when tenant is null). A
  // namespace-restricted credential is refused on a tenant: use the overloads below where the
  // request names a namespace.
  std::optional<HttpError> authorize(Exchange& ex, const TenantId* tenant, Scope scope);
  // 403 unless ex.principal may use `scope` on namespace `ns` of `tenant`.
  std::optional<HttpError> authorize(Exchange& ex, const TenantId& tenant, const Namespace& ns,
                                     Scope scope);
  // The tenant and scope checks only, for a request on something found by id: the handler MUST
  // then answer not_visible() unless ex.principal->sees() the namespace of what it found.
  std::optional<HttpError> authorize_before_lookup(Exchange& ex, const TenantId& tenant,
                                                   Scope scope);
  // The 404 for a thing in a namespace the credential may not see: the same answer as for one
  // that does not exist (`what`: "object", "upload session").
  static HttpError not_visible(std::string_view what);
  // Takes one token of `key`'s rate-limit bucket ("ip:<address>", "key:<id>", "s3:<akid>"): the
  // 429 to answer when it is empty.
  std::optional<HttpError> rate_limit(const std::string& key);

 private:
  std::atomic<std::size_t>& queued(Pool pool) {
    return pool == Pool::kDisk ? queued_disk_ : queued_db_;
  }
  const std::atomic<std::size_t>& queued(Pool pool) const {
    return pool == Pool::kDisk ? queued_disk_ : queued_db_;
  }

  HttpServer::Options options_;
  UseCases uc_;
  boost::asio::thread_pool db_workers_;
  boost::asio::thread_pool disk_workers_;
  std::atomic<std::size_t> queued_db_{0};    // calls posted to db_workers_ and not yet done
  std::atomic<std::size_t> queued_disk_{0};  // calls posted to disk_workers_ and not yet done
  std::atomic<bool> draining_{false};
};

}  // namespace castor::api
