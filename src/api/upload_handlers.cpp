// The upload-session endpoints (docs/BLOBS_AND_BUNDLES.md, "Upload sessions"): POST/GET
// /v1/uploads, GET/DELETE /v1/uploads/{id}, PUT /v1/uploads/{id}/parts/{n} and
// POST /v1/uploads/{id}/complete.
#include "api/content_response.h"
#include "api/request_params.h"
#include "api/routes.h"
#include "api/server_core.h"
#include "api/upload_json.h"

namespace castor::api {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Request bodies of create and complete: 10,000 part numbers fit with room to spare.
constexpr std::size_t kMaxUploadRequestBody = 256 * 1024;

// What a request says about the namespace it works in, for authorisation.
enum class NsScope {
  kNamed,  // `ns` (or, unset, no namespace: refused to a namespace-restricted credential)
  kById,   // learnt from the session after the lookup (check_session_visible)
};

// The tenant the request acts on, once the caller may use the route's scope on it (and on `ns`,
// see NsScope). `named` is a tenant_id from the body, which must agree with X-Tenant/tenant_id
// when both are given.
Parsed<TenantId> resolve_tenant(ServerCore& s, Exchange& ex,
                                const std::optional<TenantId>& named = std::nullopt,
                                const std::optional<Namespace>& ns = std::nullopt,
                                NsScope how = NsScope::kNamed) {
  Parsed<TenantId> tenant =
      named && !ex.param("X-Tenant", "tenant_id") ? Parsed<TenantId>(*named) : s.tenant_of(ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    return *e;
  }
  if (named && *named != std::get<TenantId>(tenant)) {
    return bad_request("tenant_id in the body and the X-Tenant header disagree");
  }
  ex.tenant = std::get<TenantId>(tenant).str();
  const TenantId& t = std::get<TenantId>(tenant);
  const Scope scope = *ex.route->scope;
  auto denied = how == NsScope::kById ? s.authorize_before_lookup(ex, t, scope)
                : ns                  ? s.authorize(ex, t, *ns, scope)
                                      : s.authorize(ex, &t, scope);
  if (denied) {
    return *denied;
  }
  return tenant;
}

// For a namespace-restricted credential: 404 unless session `r` completes into an object in one
// of its namespaces (a session without a namespace makes a blob, which such a credential may not
// touch). One extra lookup, for restricted credentials only.
Awaitable<std::optional<HttpError>> check_session_visible(ServerCore& s, Exchange& ex,
                                                          TenantId tenant, UploadId id) {
  if (!ex.principal->namespace_restricted()) {
    co_return std::nullopt;
  }
  auto get = [&] { return s.uc().read_uploads.get(tenant, id); };
  auto view = co_await s.offload(get);
  if (!view) {
    co_return from_error(view.error());
  }
  const std::optional<Namespace>& ns = view->session.fields().ns;
  if (!ns || !ex.principal->sees(*ns)) {
    co_return ServerCore::not_visible("upload session");
  }
  co_return std::nullopt;
}

// The session of /v1/uploads/{id}/... and the tenant it is asked for.
struct UploadRef {
  TenantId tenant;
  UploadId id;
};

Parsed<UploadRef> resolve_upload(ServerCore& s, Exchange& ex, const PathParams& p) {
  auto id = UploadId::parse(p.get("id").value_or(""));
  if (!id) {
    return bad_request("an upload id is a UUID");
  }
  auto tenant = resolve_tenant(s, ex, std::nullopt, std::nullopt, NsScope::kById);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    return *e;
  }
  return UploadRef{std::get<TenantId>(std::move(tenant)), *id};
}

// The filters of GET /v1/uploads (docs/BLOBS_AND_BUNDLES.md), each optional.
Parsed<UploadFilter> parse_upload_filter(Exchange& ex, TenantId tenant) {
  UploadFilter filter{.tenant = std::move(tenant),
                      .sha256 = {},
                      .ns = {},
                      .key = {},
                      .storage_class = {},
                      .limit = 100};
  if (auto v = ex.target.get("sha256")) {
    auto h = ContentHash::parse(*v);
    if (!h) {
      return bad_request("sha256 must be 64 hex digits");
    }
    filter.sha256 = *h;
  }
  if (auto v = ex.target.get("namespace")) {
    auto ns = Namespace::parse(*v);
    if (!ns) {
      return from_error(ns.error());
    }
    filter.ns = *ns;
  }
  if (auto v = ex.target.get("key")) {
    auto key = ObjectKey::parse(*v);
    if (!key) {
      return from_error(key.error());
    }
    filter.key = *key;
  }
  if (auto v = ex.target.get("storage_class")) {
    auto sc = parse_storage_class(*v);
    if (!sc) {
      return from_error(sc.error());
    }
    filter.storage_class = *sc;
  }
  if (auto v = ex.target.get("limit")) {
    auto n = http_params::parse_digits(*v);
    if (!n || *n < 1 || *n > 1000) {
      return bad_request("limit must be an integer from 1 to 1000");
    }
    filter.limit = *n;
  }
  return filter;
}

std::uint64_t part_size_hint(ServerCore& s) { return s.uc().upload_limits.part_size_hint; }

}  // namespace

Awaitable<void> handle_create_upload(ServerCore& s, Connection& c, Exchange& ex,
                                     const PathParams&) {
  auto body = co_await read_bounded_body(c, ex, kMaxUploadRequestBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto parsed = parse_upload_request(std::get<std::string>(body));
  if (!parsed) {
    co_return co_await s.send_error(c, ex, from_error(parsed.error()));
  }
  CreateUpload::Request& request = parsed->fields;
  if (parsed->storage_class) {
    request.storage_class = *parsed->storage_class;
  } else {
    auto storage_class = s.storage_class_of(ex);
    if (auto* e = std::get_if<HttpError>(&storage_class)) {
      co_return co_await s.send_error(c, ex, *e);
    }
    request.storage_class = std::get<StorageClass>(storage_class);
  }
  auto tenant = resolve_tenant(s, ex, parsed->tenant, request.ns);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  request.tenant = std::get<TenantId>(tenant);
  auto create = [&] { return s.uc().create_upload.run(request); };
  auto created = co_await s.offload(create);
  if (!created) {
    co_return co_await s.send_error(c, ex, from_error(created.error()));
  }
  const std::vector<UploadPart> none;
  co_await s.send(c, ex, http::status::created,
                  upload_json(*created, {.part_size_hint = part_size_hint(s), .parts = &none}),
                  "application/json",
                  one_header("Location", "/v1/uploads/" + created->id().to_string()));
}

Awaitable<void> handle_list_uploads(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  // A namespace-restricted credential lists one of its namespaces (namespace=), never them all.
  std::optional<Namespace> listed;
  if (auto v = ex.target.get("namespace")) {
    if (auto ns = Namespace::parse(*v)) {
      listed = std::move(*ns);
    }
  }
  auto tenant = resolve_tenant(s, ex, std::nullopt, listed);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto filter = parse_upload_filter(ex, std::get<TenantId>(tenant));
  if (auto* e = std::get_if<HttpError>(&filter)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto list = [&] { return s.uc().read_uploads.list(std::get<UploadFilter>(filter)); };
  auto found = co_await s.offload(list);
  if (!found) {
    co_return co_await s.send_error(c, ex, from_error(found.error()));
  }
  co_await s.send(c, ex, http::status::ok, upload_list_json(*found, part_size_hint(s)));
}

Awaitable<void> handle_get_upload(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  auto ref = resolve_upload(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const UploadRef& r = std::get<UploadRef>(ref);
  auto get = [&] { return s.uc().read_uploads.get(r.tenant, r.id); };
  auto view = co_await s.offload(get);
  if (!view) {
    co_return co_await s.send_error(c, ex, from_error(view.error()));
  }
  if (ex.principal->namespace_restricted() &&
      (!view->session.fields().ns || !ex.principal->sees(*view->session.fields().ns))) {
    co_return co_await s.send_error(c, ex, ServerCore::not_visible("upload session"));
  }
  co_await s.send(
      c, ex, http::status::ok,
      upload_json(view->session, {.part_size_hint = part_size_hint(s), .parts = &view->parts}));
}

Awaitable<void> handle_put_upload_part(ServerCore& s, Connection& c, Exchange& ex,
                                       const PathParams& p) {
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await s.send_error(c, ex, ServerCore::overloaded_error());
  }
  auto ref = resolve_upload(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const UploadRef& r = std::get<UploadRef>(ref);
  const std::optional<HttpError> hidden = co_await check_session_visible(s, ex, r.tenant, r.id);
  if (hidden) {
    co_return co_await s.send_error(c, ex, *hidden);
  }
  auto number = http_params::parse_digits(p.get("n").value_or(""));
  if (!number || !check_part_number(*number)) {
    co_return co_await s.send_error(
        c, ex, bad_request("part numbers run from 1 to " + std::to_string(kMaxUploadParts)));
  }
  if (!ex.parser.content_length() && !ex.parser.chunked()) {
    co_return co_await s.send_error(
        c, ex,
        http_error(http::status::length_required, "length_required",
                   "send Content-Length or Transfer-Encoding: chunked"));
  }
  StoreUploadPart::Request request{.tenant = r.tenant,
                                   .upload = r.id,
                                   .number = static_cast<std::uint32_t>(*number),
                                   .expected = {}};
  if (auto given = ex.header("X-Content-SHA256")) {
    auto h = ContentHash::parse(*given);
    if (!h) {
      co_return co_await s.send_error(c, ex, bad_request("X-Content-SHA256 must be 64 hex digits"));
    }
    request.expected = *h;
  }
  std::optional<std::uint64_t> declared;
  if (auto len = ex.parser.content_length()) {
    declared = *len;
  }
  auto begin = [&] { return s.uc().store_upload_part.begin(std::move(request), declared); };
  auto begun = co_await s.offload(begin, Pool::kDisk);
  if (!begun) {
    co_return co_await s.send_error(c, ex, from_error(begun.error()));
  }
  auto stored = co_await receive_and_commit(s, c, ex, s.uc().store_upload_part, std::move(*begun));
  if (!stored) {
    co_return;  // answered
  }
  co_await s.send(c, ex, http::status::ok, upload_part_json(**stored), "application/json",
                  one_header("ETag", "\"" + (*stored)->hash.hex() + "\""));
}

Awaitable<void> handle_complete_upload(ServerCore& s, Connection& c, Exchange& ex,
                                       const PathParams& p) {
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await s.send_error(c, ex, ServerCore::overloaded_error());
  }
  auto ref = resolve_upload(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const UploadRef& r = std::get<UploadRef>(ref);
  const std::optional<HttpError> hidden = co_await check_session_visible(s, ex, r.tenant, r.id);
  if (hidden) {
    co_return co_await s.send_error(c, ex, *hidden);
  }
  auto body = co_await read_bounded_body(c, ex, kMaxUploadRequestBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto chosen = parse_complete_request(std::get<std::string>(body));
  if (!chosen) {
    co_return co_await s.send_error(c, ex, from_error(chosen.error()));
  }
  // Reads every part once: the disk pool.
  auto complete = [&] { return s.uc().complete_upload.run(r.tenant, r.id, std::move(*chosen)); };
  auto done = co_await s.offload(complete, Pool::kDisk);
  if (!done) {
    co_return co_await s.send_error(c, ex, from_error(done.error()));
  }
  const std::vector<UploadPart> none;
  const Object* object = done->object ? &*done->object : nullptr;
  Headers headers;
  if (object != nullptr) {
    headers = one_header("Location", "/v1/objects/" + object->id().to_string());
  }
  co_await s.send(
      c, ex, done->created ? http::status::created : http::status::ok,
      upload_json(done->session,
                  {.part_size_hint = part_size_hint(s), .parts = &none, .object = object}),
      "application/json", std::move(headers));
}

Awaitable<void> handle_abort_upload(ServerCore& s, Connection& c, Exchange& ex,
                                    const PathParams& p) {
  auto ref = resolve_upload(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const UploadRef& r = std::get<UploadRef>(ref);
  const std::optional<HttpError> hidden = co_await check_session_visible(s, ex, r.tenant, r.id);
  if (hidden) {
    co_return co_await s.send_error(c, ex, *hidden);
  }
  auto abort = [&] { return s.uc().abort_upload.run(r.tenant, r.id); };
  auto done = co_await s.offload(abort);
  if (!done) {
    co_return co_await s.send_error(c, ex, from_error(done.error()));
  }
  co_await s.send(c, ex, http::status::no_content);
}

}  // namespace castor::api
