// PATCH /v1/objects/{id}/metadata (docs/METADATA.md): changes a COMMITTED object's user metadata,
// Content-Type and Content-Disposition; the content stays. Scope objects:write on the object's
// tenant (Access::kTenantScope), like DELETE.
#include "api/conditional.h"
#include "api/json_views.h"
#include "api/object_metadata_http.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace http = boost::beast::http;

namespace {

// A PATCH body: the metadata (at most 16 KiB of JSON) with room for whitespace and the other
// members.
constexpr std::size_t kMaxPatchBody = 64 * 1024;

}  // namespace

Awaitable<void> handle_patch_metadata(ServerCore& s, Connection& c, Exchange& ex,
                                      const PathParams& p) {
  auto id = ObjectId::parse(p.get("id").value_or(""));
  if (!id) {
    co_return co_await s.send_error(c, ex, from_error(id.error()));
  }
  auto tenant = s.tenant_of(ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  if (auto denied = s.authorize(ex, &std::get<TenantId>(tenant), *ex.route->scope)) {
    co_return co_await s.send_error(c, ex, *denied);
  }
  auto body = co_await read_bounded_body(c, ex, kMaxPatchBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  UpdateObjectMetadata::Request request{.tenant = std::get<TenantId>(tenant), .id = *id};
  if (auto parsed = parse_metadata_patch(std::get<std::string>(body), request); !parsed) {
    co_return co_await s.send_error(c, ex, from_error(parsed.error()));
  }
  // If-Match (RFC 9110 section 13.1.1) against the object's ETag, which names its content: it
  // holds while the object is the one the caller read.
  if (auto if_match = ex.header("If-Match")) {
    request.precondition = [tags = std::move(*if_match)](const Object& o) {
      return http_params::etag_list_matches(tags, o.etag(), /*strong=*/true);
    };
  }
  auto update = [&] { return s.uc().update_metadata.run(request); };
  auto updated = co_await s.offload(update);
  if (!updated) {
    co_return co_await s.send_error(c, ex, from_error(updated.error()));
  }
  co_await s.send(c, ex, http::status::ok, object_json(*updated));
}

}  // namespace castor::api
