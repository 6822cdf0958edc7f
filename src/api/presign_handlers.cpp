// Presigned URLs (docs/PRESIGNED_URLS.md): POST /v1/presign signs a GET/HEAD of one content URL
// for the calling credential (objects:read on the tenant the URL names), and ServerCore
// authenticates requests that carry such a URL instead of a credential.
#include <boost/json.hpp>

#include "api/http_date.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace http = boost::beast::http;

namespace {

constexpr std::size_t kMaxPresignBody = 16 * 1024;  // bytes
constexpr std::string_view kByKeyPrefix = "/v1/objects/by-key/";

struct PresignRequest {
  std::string target;
  std::chrono::seconds expires_in = PresignedUrls::kDefaultExpiry;
};

Result<PresignRequest> parse_presign_request(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) {
    return invalid_argument("the body must be a JSON object");
  }
  const boost::json::object& o = v.as_object();
  PresignRequest r;
  for (const auto& [name, value] : o) {
    if (name == "path") {
      if (!value.is_string()) {
        return invalid_argument("path must be a string");
      }
      r.target = std::string(value.as_string());
    } else if (name == "expires_in_seconds") {
      if (!value.is_int64() && !value.is_uint64()) {
        return invalid_argument("expires_in_seconds must be an integer");
      }
      const std::int64_t n = value.is_int64() ? value.as_int64() : -1;
      if (n < 1 || n > PresignedUrls::kMaxExpiry.count()) {
        return invalid_argument("expires_in_seconds must be between 1 and " +
                                std::to_string(PresignedUrls::kMaxExpiry.count()));
      }
      r.expires_in = std::chrono::seconds(n);
    } else {
      return invalid_argument("unknown field " + std::string(name));
    }
  }
  if (r.target.empty()) {
    return invalid_argument("path is required");
  }
  return r;
}

}  // namespace

bool presignable(std::string_view method, std::string_view pattern) {
  return (method == "GET" || method == "HEAD") &&
         (pattern == "/v1/objects/{id}" || pattern == "/v1/objects/by-key/{rest...}" ||
          pattern == "/v1/blobs/{sha256}" || pattern == "/v1/bundles/{id}/download");
}

Awaitable<void> handle_presign(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  auto body = co_await read_bounded_body(c, ex, kMaxPresignBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto request = parse_presign_request(std::get<std::string>(body));
  if (!request) {
    co_return co_await s.send_error(c, ex, from_error(request.error()));
  }
  // Only a GET of a content route may be signed: the path must be one the router sends there.
  auto target = http_params::parse_target(request->target);
  const HttpError not_signable = bad_request(
      "path must be /v1/objects/<id>?tenant_id=<tenant>, /v1/objects/by-key/<namespace>/<tenant>/"
      "<key>, /v1/blobs/<sha256> or /v1/bundles/<id>/download[?format=zip|tar]");
  if (!target || request->target.find('#') != std::string::npos) {
    co_return co_await s.send_error(c, ex, not_signable);
  }
  PathParams params;
  auto match = RouteTable::get().router().match("GET", target->path, params);
  if (!match || match->route == Router::kNoRoute ||
      !presignable("GET", RouteTable::get().routes()[match->route].pattern)) {
    co_return co_await s.send_error(c, ex, not_signable);
  }
  // The tenant the URL acts on: a by-key path names it; else tenant_id, else the credential's.
  // A by-key path names the namespace too: a namespace-restricted credential is refused here
  // for another one rather than handed a URL that could only answer 403.
  std::optional<TenantId> tenant;
  if (target->path.starts_with(kByKeyPrefix)) {
    auto parsed = parse_key_path(std::string_view(target->path).substr(kByKeyPrefix.size()));
    if (!parsed) {
      co_return co_await s.send_error(c, ex, from_error(parsed.error()));
    }
    if (auto denied = s.authorize(ex, parsed->tenant, parsed->ns, Scope::kObjectsRead)) {
      co_return co_await s.send_error(c, ex, *denied);
    }
    tenant = parsed->tenant;
  } else if (auto named = target->get("tenant_id")) {
    auto t = TenantId::parse(*named);
    if (!t) {
      co_return co_await s.send_error(c, ex, from_error(t.error()));
    }
    tenant = std::move(*t);
  } else if (ex.principal->tenant) {
    tenant = ex.principal->tenant;
  } else {
    co_return co_await s.send_error(
        c, ex,
        bad_request("this credential is valid for every tenant ('*'): the path must name the "
                    "tenant (tenant_id=)"));
  }
  if (auto denied = s.authorize_before_lookup(ex, *tenant, Scope::kObjectsRead)) {
    co_return co_await s.send_error(c, ex, *denied);
  }
  auto signed_url = s.uc().presigned.sign(*ex.principal, request->target, request->expires_in);
  if (!signed_url) {
    co_return co_await s.send_error(c, ex, from_error(signed_url.error()));
  }
  boost::json::object out;
  out["url"] = signed_url->url;
  out["expires_at"] = http_params::rfc3339(
      std::chrono::time_point_cast<std::chrono::microseconds>(signed_url->expires_at));
  co_await s.send(c, ex, http::status::ok, boost::json::serialize(out));
}

}  // namespace castor::api
