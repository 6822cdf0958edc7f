// What the S3 handlers share (s3_call.h).
#include "api/s3/s3_call.h"

#include <spdlog/spdlog.h>

namespace castor::api::s3 {

namespace http = boost::beast::http;

std::optional<std::string> S3Call::param(std::string_view name) const {
  for (const auto& q : query) {
    if (q.name == name) {
      return q.value;
    }
  }
  return std::nullopt;
}

Result<Namespace> S3Call::ns() const {
  auto ns = Namespace::parse(bucket);
  if (!ns) {
    return Error{ErrorCode::kNotFound, "The specified bucket does not exist", "NoSuchBucket"};
  }
  return ns;
}

S3Owner owner_of(const S3Call& call) { return {call.tenant.str(), call.tenant.str()}; }

Awaitable<void> send_xml(ServerCore& s, Connection& c, Exchange& ex, std::string xml,
                         http::status status, Headers headers) {
  headers.emplace_back("x-amz-request-id", ex.request_id);
  co_await s.send(c, ex, status, std::move(xml), "application/xml", std::move(headers));
}

Awaitable<void> send_s3_code(ServerCore& s, Connection& c, Exchange& ex, std::string resource,
                             std::string code, std::string message) {
  const S3ErrorInfo* info = find_s3_error(code);
  const auto status = static_cast<http::status>(info != nullptr ? info->http_status : 500);
  Headers headers;
  if (status == http::status::service_unavailable) {
    headers.emplace_back("Retry-After", "1");
  }
  std::string xml = s3_error_xml(code, message, resource, ex.request_id);
  co_await send_xml(s, c, ex, std::move(xml), status, std::move(headers));
}

Awaitable<void> send_s3_error(ServerCore& s, Connection& c, Exchange& ex, const S3Call& call,
                              const Error& e, S3Resource resource) {
  const S3ErrorAnswer answer = s3_error_for(e, resource);
  if (answer.info->http_status >= 500) {
    spdlog::error("request_id={} S3 {}: {}", ex.request_id, answer.info->code, e.message);
  }
  co_await send_s3_code(s, c, ex, call.resource, std::string(answer.info->code), answer.message);
}

Awaitable<bool> s3_authorized(ServerCore& s, Connection& c, Exchange& ex, const S3Call& call,
                              Scope scope) {
  // A bucket is a namespace: a namespace-restricted credential reaches only its own. Without a
  // bucket (ListBuckets) or with a name that is no namespace (NoSuchBucket follows), the tenant
  // and scope decide, and ListBuckets shows only the credential's namespaces.
  Status allowed = Error{ErrorCode::kPermissionDenied, "no credential"};
  if (ex.principal) {
    auto ns = call.bucket.empty() ? Result<Namespace>(not_found("")) : call.ns();
    allowed = ns ? ex.principal->authorize(call.tenant, *ns, scope)
                 : ex.principal->authorize_before_lookup(call.tenant, scope);
  }
  if (allowed) {
    co_return true;
  }
  co_await send_s3_code(s, c, ex, call.resource, "AccessDenied", allowed.error().message);
  co_return false;
}

}  // namespace castor::api::s3
