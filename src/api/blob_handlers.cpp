// The blob endpoints: PUT, GET and HEAD /v1/blobs/{sha256}, POST /v1/blobs/preflight.
#include <charconv>

#include "api/bundle_json.h"
#include "api/content_response.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Preflight bodies: 10,000 quoted "sha256:<hex>" strings fit with room to spare.
constexpr std::size_t kMaxPreflightBody = 1024 * 1024;

// The content a /v1/blobs/... request names, with its tenant and storage class, once the caller
// may use the route's scope on that tenant.
struct BlobRef {
  TenantId tenant;
  StorageClass storage_class;
  std::optional<ContentHash> hash;  // absent for the preflight
};

Parsed<BlobRef> resolve_blob(ServerCore& s, Exchange& ex, const PathParams& p) {
  std::optional<ContentHash> hash;
  if (auto text = p.get("sha256")) {
    auto h = ContentHash::parse(*text);
    if (!h) {
      return bad_request("the path must name a SHA-256: 64 hex digits, optionally 'sha256:'");
    }
    hash = std::move(*h);
  }
  auto tenant = s.tenant_of(ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    return *e;
  }
  auto storage_class = s.storage_class_of(ex);
  if (auto* e = std::get_if<HttpError>(&storage_class)) {
    return *e;
  }
  if (auto denied = s.authorize(ex, &std::get<TenantId>(tenant), *ex.route->scope)) {
    return *denied;
  }
  return BlobRef{std::get<TenantId>(std::move(tenant)), std::get<StorageClass>(storage_class),
                 std::move(hash)};
}

Headers etag_header(const ContentHash& hash) {
  return one_header("ETag", "\"" + hash.hex() + "\"");
}

}  // namespace

Awaitable<void> handle_put_blob(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  auto& req = ex.req();
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await s.send_error(c, ex, ServerCore::overloaded_error());
  }
  auto ref = resolve_blob(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const BlobRef& r = std::get<BlobRef>(ref);
  if (!ex.parser.content_length() && !ex.parser.chunked()) {
    co_return co_await s.send_error(
        c, ex,
        http_error(http::status::length_required, "length_required",
                   "send Content-Length or Transfer-Encoding: chunked"));
  }
  StoreBlob::Request request{
      .tenant = r.tenant, .storage_class = r.storage_class, .hash = *r.hash, .size_bytes = {}};
  if (auto text = ex.target.get("size_bytes")) {
    std::uint64_t n = 0;
    auto [end, err] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (err != std::errc() || end != text->data() + text->size()) {
      co_return co_await s.send_error(c, ex, bad_request("size_bytes must be an integer"));
    }
    request.size_bytes = n;
  }
  std::optional<std::uint64_t> declared;
  if (auto len = ex.parser.content_length()) {
    declared = *len;
  }

  // Content the tenant already holds need not travel again.
  if (beast::iequals(req[http::field::expect], "100-continue")) {
    auto check = [&] { return s.uc().store_blob.held(r.tenant, r.storage_class, *r.hash); };
    auto held = co_await s.offload(check);
    if (!held) {
      co_return co_await s.send_error(c, ex, from_error(held.error()));
    }
    if (*held) {
      const Blob& blob = **held;
      const std::optional<std::uint64_t> claimed =
          request.size_bytes ? request.size_bytes : declared;
      if (claimed && *claimed != blob.size_bytes()) {
        co_return co_await s.send_error(
            c, ex,
            from_error(Error{ErrorCode::kInvalidArgument,
                             "size mismatch: the content has " + std::to_string(blob.size_bytes()) +
                                 " bytes, the request said " + std::to_string(*claimed),
                             "size_mismatch"}));
      }
      co_return co_await s.send(c, ex, http::status::ok, blob_json(blob), "application/json",
                                etag_header(blob.hash()));
    }
  }

  auto begin = [&] { return s.uc().store_blob.begin(std::move(request), declared); };
  auto begun = co_await s.offload(begin, Pool::kDisk);
  if (!begun) {
    co_return co_await s.send_error(c, ex, from_error(begun.error()));
  }
  auto stored = co_await receive_and_commit(s, c, ex, s.uc().store_blob, std::move(*begun));
  if (!stored) {
    co_return;  // answered
  }
  co_await s.send(c, ex, (*stored)->granted ? http::status::created : http::status::ok,
                  blob_json((*stored)->blob), "application/json",
                  etag_header((*stored)->blob.hash()));
}

Awaitable<void> handle_get_blob(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await s.send_error(c, ex, ServerCore::overloaded_error());
  }
  auto ref = resolve_blob(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const BlobRef& r = std::get<BlobRef>(ref);
  const bool want_content = !ex.head();
  auto open = [&] {
    return s.uc().read_blob.open(r.tenant, r.storage_class, *r.hash, want_content);
  };
  auto found = co_await s.offload(open);
  if (!found) {
    co_return co_await s.send_error(c, ex, from_error(found.error()));
  }
  ContentHead head{.hash_hex = r.hash->hex(),
                   .size = found->blob.size_bytes(),
                   .content_type = "application/octet-stream",
                   .last_modified = std::nullopt};
  add_content_sandbox(head.headers, head.content_type);
  co_await send_content(s, c, ex, head, found->content.get());
}

Awaitable<void> handle_preflight(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  auto ref = resolve_blob(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const BlobRef& r = std::get<BlobRef>(ref);
  auto body = co_await read_bounded_body(c, ex, kMaxPreflightBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto hashes = parse_preflight_request(std::get<std::string>(body));
  if (!hashes) {
    co_return co_await s.send_error(c, ex, from_error(hashes.error()));
  }
  auto check = [&] { return s.uc().preflight.missing(r.tenant, r.storage_class, *hashes); };
  auto missing = co_await s.offload(check);
  if (!missing) {
    co_return co_await s.send_error(c, ex, from_error(missing.error()));
  }
  co_await s.send(c, ex, http::status::ok, preflight_json(*missing));
}

}  // namespace castor::api
