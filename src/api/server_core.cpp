// The machinery the handlers share (server_core.h): request accessors, error values, body reads,
// responses, authentication and authorisation.
#include "api/server_core.h"

#include <spdlog/spdlog.h>

#include "api/error_response.h"
#include "api/routes.h"
#include "domain/presigned_url.h"

namespace castor::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

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
  if (e.reason == "precondition_failed") {
    out.status = http::status::precondition_failed;  // 412: an If-Match that does not hold
  }
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

HttpError body_error(const boost::system::error_code& ec) {
  if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
      ec == net::error::connection_reset || ec == net::error::operation_aborted ||
      ec == http::error::partial_message) {
    return http_error(http::status::bad_request, "incomplete_body",
                      "connection closed before the body was complete");
  }
  if (ec == http::error::buffer_overflow) {
    // The parser could not consume what the read buffer holds: a chunk-size line with endless
    // extensions, or an endless trailer.
    return bad_request("chunk header or trailer too long");
  }
  return bad_request("malformed request body: " + ec.message());
}

Awaitable<Parsed<std::string>> read_bounded_body(Connection& c, Exchange& ex, std::size_t limit) {
  const auto too_large = [&] {
    ex.close = true;
    return http_error(http::status::payload_too_large, "payload_too_large",
                      "request body over " + std::to_string(limit) + " bytes");
  };
  if (auto length = ex.parser.content_length(); length && *length > limit) {
    co_return too_large();
  }
  std::string body;
  while (!ex.parser.is_done()) {
    auto [ec, got] = co_await read_body_chunk(c, ex);
    if (ec) {
      co_return body_error(ec);
    }
    if (body.size() + got > limit) {
      co_return too_large();
    }
    body.append(reinterpret_cast<const char*>(c.chunk.data()), got);
  }
  co_return body;
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
  // A request whose body was not (completely) read leaves the connection unusable: say so.
  keep_alive = !ex.close && !draining() && ex.req().keep_alive() && ex.parser.is_done();
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
  if (!presented && ex.target.get(std::string(kPresignSignatureParam))) {
    co_return co_await authenticate_presigned(ex, remote);
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

Awaitable<std::optional<HttpError>> ServerCore::authenticate_presigned(Exchange& ex,
                                                                       const std::string& remote) {
  if (ex.route == nullptr || !presignable(sv(ex.req().method_string()), ex.route->pattern)) {
    if (auto limited = rate_limit("ip:" + remote)) {
      co_return limited;
    }
    co_return http_error(http::status::forbidden, "signature_mismatch",
                         "a presigned URL is valid only for GET or HEAD of an object, a blob or "
                         "a bundle's download");
  }
  // Failed signatures cost the address's bucket, like failed credentials.
  if (auto decision = uc_.limiter.peek("ip:" + remote, std::chrono::steady_clock::now());
      !decision.allowed) {
    HttpError e = http_error(http::status::too_many_requests, "rate_limited",
                             "too many requests; retry later");
    e.headers = one_header("Retry-After", std::to_string(decision.retry_after.count()));
    co_return e;
  }
  const std::string target(sv(ex.req().target()));
  auto verify = [&] { return uc_.presigned.verify(target); };
  auto principal = co_await offload(verify);
  if (!principal) {
    if (principal.error().code == ErrorCode::kPermissionDenied ||
        principal.error().code == ErrorCode::kUnauthenticated) {
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
    if (ex.principal && !ex.principal->tenant) {
      return bad_request(
          "tenant is required: this credential is valid for every tenant ('*'), so name one "
          "with the X-Tenant header or the tenant_id parameter");
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

Parsed<StorageClass> ServerCore::storage_class_of(Exchange& ex) {
  auto cls = ex.param("X-Storage-Class", "storage_class");
  if (!cls) {
    return StorageClass::kHot;
  }
  auto sc = parse_storage_class(*cls);
  if (!sc) {
    return from_error(sc.error());
  }
  return *sc;
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

std::optional<HttpError> ServerCore::authorize(Exchange& ex, const TenantId& tenant,
                                               const Namespace& ns, Scope scope) {
  ex.tenant = tenant.str();
  if (Status s = ex.principal->authorize(tenant, ns, scope); !s) {
    return from_error(s.error());
  }
  return std::nullopt;
}

std::optional<HttpError> ServerCore::authorize_before_lookup(Exchange& ex, const TenantId& tenant,
                                                             Scope scope) {
  ex.tenant = tenant.str();
  if (Status s = ex.principal->authorize_before_lookup(tenant, scope); !s) {
    return from_error(s.error());
  }
  return std::nullopt;
}

HttpError ServerCore::not_visible(std::string_view what) {
  return from_error(not_found("no such " + std::string(what)));
}

}  // namespace castor::api
