// Tiering (docs/TIERING.md): POST /v1/objects/{id}/storage-class moves an object's content to
// another storage class. The caller needs objects:write on the object's tenant.
#include <string>

#include <boost/json.hpp>

#include "api/json_views.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace http = boost::beast::http;

namespace {

// The body is one small JSON object: {"storage_class": "hot" | "cold"}.
constexpr std::size_t kMaxBodyBytes = 4096;

Result<StorageClass> parse_move_request(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) {
    return invalid_argument("the body must be a JSON object: {\"storage_class\": \"cold\"}");
  }
  const boost::json::value* cls = v.as_object().if_contains("storage_class");
  if (cls == nullptr || !cls->is_string()) {
    return invalid_argument("storage_class must be given, as \"hot\" or \"cold\"");
  }
  return parse_storage_class(std::string_view(cls->as_string()));
}

}  // namespace

Awaitable<void> handle_move_storage_class(ServerCore& s, Connection& c, Exchange& ex,
                                          const PathParams& p) {
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await s.send_error(c, ex, ServerCore::overloaded_error());
  }
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
  auto body = co_await read_bounded_body(c, ex, kMaxBodyBytes);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto target = parse_move_request(std::get<std::string>(body));
  if (!target) {
    co_return co_await s.send_error(c, ex, from_error(target.error()));
  }
  const MoveStorageClass::Request request{
      .tenant = std::get<TenantId>(tenant), .id = *id, .storage_class = *target};
  // Copying the content and its fsync: disk work.
  auto move = [&] { return s.uc().move_storage_class.run(request); };
  auto moved = co_await s.offload(move, Pool::kDisk);
  if (!moved) {
    co_return co_await s.send_error(c, ex, from_error(moved.error()));
  }
  co_await s.send(c, ex, http::status::ok, object_json(*moved));
}

}  // namespace castor::api
