// The object endpoints: upload, download (GET/HEAD, by id or key), delete, list. Each authorises
// the route's scope on the tenant it acts on (Access::kTenantScope in the route table).
#include <charconv>

#include "api/content_response.h"
#include "api/json_views.h"
#include "api/object_metadata_http.h"
#include "api/retention_headers.h"
#include "api/routes.h"
#include "api/server_core.h"
#include "api/verified_content.h"

namespace castor::api {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

Headers created_headers(const Object& o) {
  Headers h = one_header("Location", "/v1/objects/" + o.id().to_string());
  h.emplace_back("ETag", "\"" + o.content_hash()->hex() + "\"");
  return h;
}

// The (namespace, tenant) an upload or a listing works in.
struct Area {
  Namespace ns;
  TenantId tenant;
};

// The namespace and tenant from the request (the tenant defaulting to the credential's), once the
// caller may use the route's scope on that tenant.
Parsed<Area> resolve_area(ServerCore& s, Exchange& ex) {
  auto ns = s.namespace_of(ex);
  if (auto* e = std::get_if<HttpError>(&ns)) {
    return *e;
  }
  auto tenant = s.tenant_of(ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    return *e;
  }
  if (auto denied =
          s.authorize(ex, std::get<TenantId>(tenant), std::get<Namespace>(ns), *ex.route->scope)) {
    return *denied;
  }
  return Area{std::get<Namespace>(std::move(ns)), std::get<TenantId>(std::move(tenant))};
}

// The object a /v1/objects/{id} or /v1/objects/by-key/{ns}/{tenant}/{key} request names.
struct ObjectRef {
  TenantId tenant;
  std::optional<ObjectId> id;  // by id
  std::optional<KeyPath> key;  // by key
};

// Parses the object's address from the path parameters ({id}, or {rest} by key; and the tenant
// from X-Tenant / tenant_id, or the credential, for ids), and checks that the caller may use the
// route's scope on that tenant.
Parsed<ObjectRef> resolve_object(ServerCore& s, Exchange& ex, const PathParams& p) {
  std::optional<ObjectRef> ref;
  if (auto rest = p.get("rest")) {
    auto kp = parse_key_path(*rest);
    if (!kp) {
      return from_error(kp.error());
    }
    ref.emplace(ObjectRef{kp->tenant, std::nullopt, std::move(*kp)});
  } else {
    auto id = ObjectId::parse(p.get("id").value_or(""));
    if (!id) {
      return from_error(id.error());
    }
    auto tenant = s.tenant_of(ex);
    if (auto* e = std::get_if<HttpError>(&tenant)) {
      return *e;
    }
    ref.emplace(ObjectRef{std::get<TenantId>(std::move(tenant)), *id, std::nullopt});
  }
  // By key the namespace is known now; by id only after the lookup (see handle_download).
  auto denied = ref->key ? s.authorize(ex, ref->tenant, ref->key->ns, *ex.route->scope)
                         : s.authorize_before_lookup(ex, ref->tenant, *ex.route->scope);
  if (denied) {
    return *denied;
  }
  return std::move(*ref);
}

// Answers GET/HEAD for a found object: 304, 416, 206 or 200 (RFC 9110 sections 13-15); with
// `verify` (?verify=true), a 200 re-hashed while sent and ended by trailers (verified_content.h).
Awaitable<void> send_object(ServerCore& s, Connection& c, Exchange& ex, DownloadObject::Download& d,
                            bool verify) {
  const Object& o = d.object;
  auto headers = metadata_headers(o);
  for (auto& h : native_lock_headers(o)) {
    headers.push_back(std::move(h));
  }
  add_content_sandbox(headers, o.content_type());
  ContentHead head{.hash_hex = o.content_hash()->hex(),
                   .size = o.size_bytes(),
                   .content_type = o.content_type(),
                   .last_modified = o.created_at(),
                   .headers = std::move(headers)};
  head.redirect_to = d.redirect_url;
  std::unique_ptr<ContentVerifier> verifier;
  if (verify && !ex.head()) {
    auto made = make_verifier(s, *o.content_hash(), o.size_bytes());
    if (auto* e = std::get_if<HttpError>(&made)) {
      co_return co_await s.send_error(c, ex, *e);
    }
    verifier = std::get<std::unique_ptr<ContentVerifier>>(std::move(made));
    head.verifier = verifier.get();
  }
  co_await send_content(s, c, ex, head, d.content.get());
}

}  // namespace

Awaitable<void> handle_upload(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  auto& req = ex.req();
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await s.send_error(c, ex, ServerCore::overloaded_error());
  }
  auto area = resolve_area(s, ex);
  if (auto* e = std::get_if<HttpError>(&area)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  if (!ex.parser.content_length() && !ex.parser.chunked()) {
    co_return co_await s.send_error(
        c, ex,
        http_error(http::status::length_required, "length_required",
                   "send Content-Length or Transfer-Encoding: chunked"));
  }
  UploadObject::Request request{.ns = std::get<Area>(area).ns,
                                .tenant = std::get<Area>(area).tenant,
                                .key = std::nullopt,
                                .storage_class = StorageClass::kHot,
                                .content_type = ex.header("Content-Type").value_or(""),
                                .expected_hash = std::nullopt};
  if (auto attributes = metadata_from_request(ex); !attributes) {
    co_return co_await s.send_error(c, ex, from_error(attributes.error()));
  } else {
    request.attributes = std::move(*attributes);
  }
  if (auto key = ex.param("X-Key", "key")) {
    auto k = ObjectKey::parse(*key);
    if (!k) {
      co_return co_await s.send_error(c, ex, from_error(k.error()));
    }
    request.key = std::move(*k);
  }
  if (auto cls = ex.param("X-Storage-Class", "storage_class")) {
    auto sc = parse_storage_class(*cls);
    if (!sc) {
      co_return co_await s.send_error(c, ex, from_error(sc.error()));
    }
    request.storage_class = *sc;
  }
  if (auto expected = ex.header("X-Content-SHA256")) {
    auto h = ContentHash::parse(*expected);
    if (!h) {
      co_return co_await s.send_error(
          c, ex, bad_request("X-Content-SHA256 must be 64 hex digits, optionally 'sha256:'"));
    }
    request.expected_hash = std::move(*h);
  }
  {
    auto lock = native_lock_request(ex);
    if (!lock) {
      co_return co_await s.send_error(c, ex, from_error(lock.error()));
    }
    request.retention = lock->retention;
    request.legal_hold = lock->legal_hold;
  }
  std::optional<std::uint64_t> declared;
  if (auto len = ex.parser.content_length()) {
    declared = *len;
  }

  auto begin = [&] { return s.uc().upload.begin(std::move(request), declared); };
  // A small upload's begin() neither blocks nor touches the database: no worker hand-off.
  Result<std::unique_ptr<UploadObject::Upload>> begun = not_found("");
  if (s.uc().upload.is_small(declared)) {
    begun = begin();
  } else {
    begun = co_await s.offload(begin);
  }
  if (!begun) {
    co_return co_await s.send_error(c, ex, from_error(begun.error()));
  }
  std::unique_ptr<UploadObject::Upload> up = std::move(*begun);
  const bool small = up->buffered();

  if (beast::iequals(req[http::field::expect], "100-continue")) {
    http::response<http::empty_body> cont{http::status::continue_, req.version()};
    c.stream.expires_after(kIoTimeout);
    co_await http::async_write(c.stream, cont, kAsTuple);
  }

  // Stream the body in fixed-size chunks, two buffers deep: while a worker hashes and writes one
  // chunk, this IO thread receives the next into the other.
  UploadObject::Upload* upload = up.get();
  auto write = [upload](std::span<const std::byte> data) { return upload->write(data); };
  std::optional<HttpError> failure;
  if (small) {
    failure = co_await receive_small_body(c, ex, write);
  } else {
    failure = co_await receive_body(s, c, ex, write);
  }
  if (failure) {
    auto abort = [&] {
      s.uc().upload.abort(*up);
      return true;
    };
    co_await s.offload(abort, Pool::kDisk);
    co_return co_await s.send_error(c, ex, *failure);
  }

  // The fsync of the whole content: on the disk pool, where it cannot hold up database work. A
  // small upload's commit is one transaction and no disk work of castor's own.
  auto commit = [&] { return s.uc().upload.commit(*up); };
  auto committed = co_await s.offload(commit, small ? Pool::kDatabase : Pool::kDisk);
  if (!committed) {
    co_return co_await s.send_error(c, ex, from_error(committed.error()));
  }
  co_await s.send(c, ex, http::status::created, object_json(*committed), "application/json",
                  created_headers(*committed));
}

Awaitable<void> handle_download(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await s.send_error(c, ex, ServerCore::overloaded_error());
  }
  auto ref = resolve_object(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const ObjectRef& r = std::get<ObjectRef>(ref);
  const auto verify = verify_requested(ex);
  if (auto* e = std::get_if<HttpError>(&verify)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const bool want_content = !ex.head();
  auto find = [&] {
    // A verified read streams through castor, which hashes it; a plain GET may be redirected.
    const bool allow_redirect = want_content && !std::get<bool>(verify);
    return r.key ? s.uc().download.by_key(r.key->ns, r.tenant, r.key->key, want_content,
                                          allow_redirect)
                 : s.uc().download.by_id(r.tenant, *r.id, want_content, allow_redirect);
  };
  auto found = co_await s.offload(find);
  if (!found) {
    co_return co_await s.send_error(c, ex, from_error(found.error()));
  }
  if (!ex.principal->sees(found->object.ns())) {
    co_return co_await s.send_error(c, ex, ServerCore::not_visible("object"));
  }
  co_await send_object(s, c, ex, *found, std::get<bool>(verify));
}

Awaitable<void> handle_delete(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  auto ref = resolve_object(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const ObjectRef& r = std::get<ObjectRef>(ref);
  if (r.id && ex.principal->namespace_restricted()) {
    // A namespace-restricted credential deletes by id only in its namespaces: look first (an
    // object never changes namespace, so the answer holds for the delete).
    auto look = [&] { return s.uc().download.by_id(r.tenant, *r.id, false); };
    auto found = co_await s.offload(look);
    if (!found) {
      co_return co_await s.send_error(c, ex, from_error(found.error()));
    }
    if (!ex.principal->sees(found->object.ns())) {
      co_return co_await s.send_error(c, ex, ServerCore::not_visible("object"));
    }
  }
  auto remove = [&] {
    return r.key ? s.uc().remove.by_key(r.key->ns, r.tenant, r.key->key)
                 : s.uc().remove.by_id(r.tenant, *r.id);
  };
  auto removed = co_await s.offload(remove);
  if (!removed) {
    co_return co_await s.send_error(c, ex, from_error(removed.error()));
  }
  co_await s.send(c, ex, http::status::no_content);
}

// GET /v1/objects: a (namespace, tenant)'s objects in key byte order, or natural order
// (sort=natural), or folded into folders (delimiter=); or, with content_hash=, the tenant's objects
// holding that content in any namespace (docs/SEARCH.md).
Awaitable<void> handle_list(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  std::size_t limit = ListObjects::kDefaultLimit;
  if (auto text = ex.target.get("limit")) {
    std::uint64_t n = 0;
    auto [end, err] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (err != std::errc() || end != text->data() + text->size() || n < 1 ||
        n > ListObjects::kMaxLimit) {
      co_return co_await s.send_error(c, ex, bad_request("limit must be between 1 and 1000"));
    }
    limit = static_cast<std::size_t>(n);
  }
  const std::optional<std::string> cursor = ex.target.get("cursor");
  const std::optional<std::string> sort = ex.target.get("sort");
  const std::optional<std::string> delimiter = ex.target.get("delimiter");
  if (auto hash_text = ex.target.get("content_hash")) {
    auto hash = ContentHash::parse(*hash_text);
    if (!hash) {
      co_return co_await s.send_error(
          c, ex, bad_request("content_hash must be 64 lowercase hex digits (SHA-256)"));
    }
    if (sort || delimiter || ex.target.get("prefix")) {
      co_return co_await s.send_error(
          c, ex, bad_request("content_hash does not combine with sort, delimiter or prefix"));
    }
    auto tenant = s.tenant_of(ex);
    if (auto* e = std::get_if<HttpError>(&tenant)) {
      co_return co_await s.send_error(c, ex, *e);
    }
    if (auto denied = s.authorize(ex, &std::get<TenantId>(tenant), *ex.route->scope)) {
      co_return co_await s.send_error(c, ex, *denied);
    }
    const TenantId t = std::get<TenantId>(tenant);
    const ContentHash h = *hash;
    auto fetch = [&] { return s.uc().list.list_by_content(t, h, limit, cursor); };
    auto page = co_await s.offload(fetch);
    if (!page) {
      co_return co_await s.send_error(c, ex, from_error(page.error()));
    }
    co_return co_await s.send(c, ex, http::status::ok, list_page_json(*page));
  }
  ListObjects::Order order = ListObjects::Order::kBytes;
  if (sort) {
    if (*sort == "natural") {
      order = ListObjects::Order::kNatural;
    } else if (*sort != "key") {
      co_return co_await s.send_error(c, ex, bad_request("sort must be key or natural"));
    }
  }
  if (delimiter && order == ListObjects::Order::kNatural) {
    co_return co_await s.send_error(
        c, ex,
        bad_request("delimiter lists in key byte order: it does not combine with sort=natural"));
  }
  auto area = resolve_area(s, ex);
  if (auto* e = std::get_if<HttpError>(&area)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const std::string prefix = ex.target.get("prefix").value_or("");
  auto fetch = [&] {
    const Area& a = std::get<Area>(area);
    if (delimiter) {
      return s.uc().list.list_folders(a.ns, a.tenant, prefix, *delimiter, limit, cursor);
    }
    return s.uc().list.list(a.ns, a.tenant, prefix, limit, cursor, order);
  };
  auto page = co_await s.offload(fetch);
  if (!page) {
    co_return co_await s.send_error(c, ex, from_error(page.error()));
  }
  co_await s.send(c, ex, http::status::ok, list_page_json(*page));
}

}  // namespace castor::api
