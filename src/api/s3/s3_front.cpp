// The S3 front end's entry: addressing, authentication, dispatch (s3_front.h).
#include "api/s3/s3_front.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "api/s3/s3_call.h"

namespace castor::api::s3 {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

// The first path segments the native API owns (docs/S3.md "Addressing and routing").
constexpr std::string_view kNativeSegments[] = {"v1",      "health",  "ready",
                                                "metrics", "console", "openapi.json"};

// Whether the request carries an S3 signature, or at least means to: an Authorization header
// that is not a native "Bearer" one (AWS4-HMAC-SHA256, or SigV2's "AWS", which castor refuses
// in S3's words), or a presigned URL's X-Amz-* query parameters.
bool s3_signed(Exchange& ex) {
  if (auto authorization = ex.header("Authorization")) {
    constexpr std::string_view kBearer = "bearer ";
    const std::string_view a = *authorization;
    const bool bearer =
        a.size() >= kBearer.size() &&
        std::equal(kBearer.begin(), kBearer.end(), a.begin(), [](char want, char got) {
          return want == (got >= 'A' && got <= 'Z' ? static_cast<char>(got - 'A' + 'a') : got);
        });
    if (!bearer) {
      return true;
    }
  }
  return ex.target.get("X-Amz-Algorithm") || ex.target.get("X-Amz-Credential") ||
         ex.target.get("X-Amz-Signature");
}

std::string_view first_segment(std::string_view path) {
  path.remove_prefix(std::min<std::size_t>(1, path.size()));
  return path.substr(0, path.find('/'));
}

// The Host header without its port, lowercase.
std::string host_of(Exchange& ex) {
  std::string host = ex.header("Host").value_or("");
  if (auto colon = host.rfind(':');
      colon != std::string::npos && host.find(']') == std::string::npos) {
    host.resize(colon);
  }
  for (char& ch : host) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return host;
}

// The bucket a virtual-hosted Host names, if any.
std::optional<std::string> virtual_host_bucket(const ServerCore& s, Exchange& ex) {
  const std::string& domain = s.options().s3_domain;
  if (domain.empty()) {
    return std::nullopt;
  }
  const std::string host = host_of(ex);
  if (host.size() <= domain.size() + 1 || !host.ends_with(domain) ||
      host[host.size() - domain.size() - 1] != '.') {
    return std::nullopt;
  }
  return host.substr(0, host.size() - domain.size() - 1);
}

// Bucket and key from the request's path (and Host). InvalidURI for a bad escape.
Status address(const ServerCore& s, Exchange& ex, S3Call& call) {
  auto path = percent_decode(ex.target.path, /*plus_is_space=*/false);
  if (!path) {
    return Error{ErrorCode::kInvalidArgument, "the path has a bad percent escape", "InvalidURI"};
  }
  std::string_view rest = *path;
  rest.remove_prefix(std::min<std::size_t>(1, rest.size()));  // the leading '/'
  if (auto bucket = virtual_host_bucket(s, ex)) {
    call.bucket = std::move(*bucket);
    call.key = std::string(rest);
  } else {
    const std::size_t slash = rest.find('/');
    call.bucket = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) {
      call.key = std::string(rest.substr(slash + 1));
    }
  }
  call.resource = call.bucket.empty() ? "/" : "/" + call.bucket;
  if (!call.key.empty()) {
    call.resource += "/" + call.key;
  }
  return {};
}

// Which operation a request is (S3 API Reference, by method, addressing and subresource).
using Operation = Awaitable<void> (*)(ServerCore&, Connection&, Exchange&, S3Call);

struct Dispatch {
  Operation op = nullptr;
  Scope scope = Scope::kObjectsRead;
  bool not_implemented = false;  // a known subresource castor does not offer
};

// Subresources castor does not implement (answered 501 NotImplemented, docs/S3.md).
constexpr std::string_view kUnsupported[] = {
    "accelerate",  "analytics",         "cors",    "encryption",   "intelligent-tiering",
    "inventory",   "lifecycle",         "logging", "metrics",      "notification",
    "object-lock", "ownershipControls", "policy",  "policyStatus", "publicAccessBlock",
    "replication", "requestPayment",    "restore", "retention",    "legal-hold",
    "select",      "tagging",           "torrent", "website",      "attributes"};

Dispatch dispatch(http::verb method, const S3Call& call) {
  for (std::string_view sub : kUnsupported) {
    if (call.has(sub)) {
      return {.not_implemented = true};
    }
  }
  const bool acl = call.has("acl");
  if (call.bucket.empty()) {
    if (method == http::verb::get) {
      return {list_buckets, Scope::kObjectsRead};
    }
    return {};
  }
  if (call.key.empty()) {
    switch (method) {
      case http::verb::get:
        if (acl) {
          return {get_acl, Scope::kObjectsRead};
        }
        if (call.has("location")) {
          return {get_bucket_location, Scope::kObjectsRead};
        }
        if (call.has("versioning")) {
          return {get_bucket_versioning, Scope::kObjectsRead};
        }
        if (call.has("uploads")) {
          return {list_multipart_uploads, Scope::kObjectsRead};
        }
        return {list_objects, Scope::kObjectsRead};
      case http::verb::head:
        return {head_bucket, Scope::kObjectsRead};
      case http::verb::put:
        if (acl || call.has("versioning")) {
          return {.not_implemented = true};
        }
        return {create_bucket, Scope::kObjectsWrite};
      case http::verb::delete_:
        return {delete_bucket, Scope::kObjectsDelete};
      case http::verb::post:
        if (call.has("delete")) {
          return {delete_objects, Scope::kObjectsDelete};
        }
        return {};
      default:
        return {};
    }
  }
  const bool upload = call.has("uploadId");
  switch (method) {
    case http::verb::get:
      if (acl) {
        return {get_acl, Scope::kObjectsRead};
      }
      return {upload ? list_parts : get_object, Scope::kObjectsRead};
    case http::verb::head:
      return {get_object, Scope::kObjectsRead};
    case http::verb::put:
      if (acl) {
        return {.not_implemented = true};
      }
      if (upload || call.has("partNumber")) {
        return {upload_part, Scope::kObjectsWrite};
      }
      return {put_object, Scope::kObjectsWrite};
    case http::verb::delete_:
      return {upload ? abort_multipart_upload : delete_object, Scope::kObjectsDelete};
    case http::verb::post:
      if (call.has("uploads")) {
        return {create_multipart_upload, Scope::kObjectsWrite};
      }
      if (upload) {
        return {complete_multipart_upload, Scope::kObjectsWrite};
      }
      return {};
    default:
      return {};
  }
}

// The request as SigV4 sees it; views into `ex`, valid while it lives.
Sigv4Request sigv4_request(Exchange& ex, std::vector<HttpField>& fields) {
  for (const auto& field : ex.req()) {
    fields.push_back({sv(field.name_string()), sv(field.value())});
  }
  return Sigv4Request{sv(ex.req().method_string()), sv(ex.req().target()), fields};
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Authenticates the request (SigV4) and fills call.tenant, call.verified and ex.principal.
// Returns the error to answer with.
Awaitable<std::optional<Error>> authenticate(ServerCore& s, Connection& c, Exchange& ex,
                                             S3Call& call) {
  std::vector<HttpField> fields;
  const Sigv4Request request = sigv4_request(ex, fields);
  auto auth = parse_sigv4_auth(request);
  if (!auth) {
    co_return std::move(auth).error();
  }
  if (!*auth) {
    if (auto limited = s.rate_limit("ip:" + c.remote)) {
      co_return Error{ErrorCode::kUnavailable, "too many requests; retry later", "SlowDown"};
    }
    co_return Error{ErrorCode::kUnauthenticated,
                    "castor's S3 API needs signed requests (AWS Signature Version 4)",
                    "AccessDenied"};
  }
  const Sigv4Auth& signed_by = **auth;
  // A flood of unknown keys from one address stops before it costs database queries.
  if (auto decision = s.uc().limiter.peek("ip:" + c.remote, std::chrono::steady_clock::now());
      !decision.allowed) {
    co_return Error{ErrorCode::kUnavailable, "too many requests; retry later", "SlowDown"};
  }
  const std::string access_key_id = signed_by.credential.access_key_id;
  auto resolve = [&] { return s.uc().s3_credentials.resolve(access_key_id); };
  auto resolved = co_await s.offload(resolve);
  if (!resolved) {
    if (resolved.error().code == ErrorCode::kNotFound) {
      (void)s.rate_limit("ip:" + c.remote);
      co_return invalid_access_key_id();
    }
    spdlog::error("request_id={} S3 credential {}: {}", ex.request_id, access_key_id,
                  resolved.error().message);
    co_return std::move(resolved).error();
  }
  auto verified =
      verify_sigv4(request, signed_by, resolved->secret_key, unix_now(), s.uc().sigv4_crypto);
  if (!verified) {
    (void)s.rate_limit("ip:" + c.remote);
    co_return std::move(verified).error();
  }
  if (auto limited = s.rate_limit("s3:" + access_key_id)) {
    co_return Error{ErrorCode::kUnavailable, "too many requests; retry later", "SlowDown"};
  }
  if (!resolved->principal.tenant) {
    co_return Error{ErrorCode::kPermissionDenied, "S3 credentials are bound to one tenant",
                    "AccessDenied"};
  }
  call.tenant = *resolved->principal.tenant;
  call.verified = std::move(*verified);
  call.query = signed_by.query;
  ex.principal = std::move(resolved->principal);
  ex.tenant = call.tenant.str();
  co_return std::nullopt;
}

}  // namespace

bool is_s3_request(const ServerCore& s, Exchange& ex) {
  if (virtual_host_bucket(s, ex)) {
    return true;
  }
  if (ex.target.path == "/" && !s3_signed(ex)) {
    return false;  // "/" without an S3 signature: the native probe (GET/HEAD, like /health)
  }
  const std::string_view first = first_segment(ex.target.path);
  for (std::string_view native : kNativeSegments) {
    if (first == native) {
      return false;
    }
  }
  return true;
}

Awaitable<void> serve_s3(ServerCore& s, Connection& c, Exchange& ex) {
  S3Call call{.tenant = *TenantId::parse("s3")};
  if (s.overloaded()) {
    co_return co_await send_s3_code(s, c, ex, "", "SlowDown", "the server is busy; retry");
  }
  if (auto addressed = address(s, ex, call); !addressed) {
    co_return co_await send_s3_error(s, c, ex, call, addressed.error(), S3Resource::kObject);
  }
  auto denied = co_await authenticate(s, c, ex, call);
  if (denied) {
    co_return co_await send_s3_error(s, c, ex, call, *denied, S3Resource::kBucket);
  }
  const Dispatch d = dispatch(ex.req().method(), call);
  if (d.not_implemented) {
    co_return co_await send_s3_code(s, c, ex, call.resource, "NotImplemented",
                                    "castor does not implement this S3 feature (docs/S3.md)");
  }
  if (d.op == nullptr) {
    co_return co_await send_s3_code(s, c, ex, call.resource, "MethodNotAllowed",
                                    "The specified method is not allowed against this resource.");
  }
  const bool allowed = co_await s3_authorized(s, c, ex, call, d.scope);
  if (!allowed) {
    co_return;
  }
  co_await d.op(s, c, ex, std::move(call));
}

}  // namespace castor::api::s3
