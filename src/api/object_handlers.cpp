// The object endpoints: upload, download (GET/HEAD, by id or key), delete, list. Each authorises
// the route's scope on the tenant it acts on (Access::kTenantScope in the route table).
#include <charconv>

#include <boost/asio/steady_timer.hpp>

#include <spdlog/spdlog.h>

#include "api/http_date.h"
#include "api/json_views.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace hp = http_params;

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
  if (auto denied = s.authorize(ex, &std::get<TenantId>(tenant), *ex.route->scope)) {
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
  if (auto denied = s.authorize(ex, &ref->tenant, *ex.route->scope)) {
    return *denied;
  }
  return std::move(*ref);
}

// At most one blocking call (an upload's write, a download's read) running on a worker pool while
// the connection's coroutine goes on with the network. Used on the connection's strand only.
template <class R>
class BackgroundCall {
 public:
  explicit BackgroundCall(net::any_io_executor strand) : timer_(std::move(strand)) {}
  BackgroundCall(const BackgroundCall&) = delete;
  BackgroundCall& operator=(const BackgroundCall&) = delete;

  // Runs `work` (returning R) on `pool`. Call wait() first if one may still be running.
  template <class F>
  void start(ServerCore& s, Pool pool, F work) {
    running_ = true;
    s.post(pool, [this, strand = timer_.get_executor(), work = std::move(work)]() mutable {
      R r = work();
      net::post(strand, [this, r = std::move(r)]() mutable {
        result_.emplace(std::move(r));
        running_ = false;
        timer_.cancel();
      });
    });
  }

  // Waits for the running call, if any, and returns its outcome (`idle` when none ran). Must be
  // awaited before this object goes away.
  Awaitable<R> wait(R idle) {
    while (running_) {
      timer_.expires_at(std::chrono::steady_clock::time_point::max());
      co_await timer_.async_wait(kAsTuple);  // woken by cancel() when the call is done
    }
    R r = result_ ? std::move(*result_) : std::move(idle);
    result_.reset();
    co_return r;
  }

 private:
  net::steady_timer timer_;
  bool running_ = false;
  std::optional<R> result_;
};

// Streams the object's content (or one range of it) after a 200/206 header. Chunks are read on
// the disk pool, one ahead of the chunk being sent, so the IO thread never waits on the disk.
Awaitable<void> stream_content(ServerCore& s, Connection& c, Exchange& ex, BlobReader& content,
                               std::uint64_t offset, std::uint64_t length) {
  if (c.chunk.size() != kChunkSize) {
    c.chunk.resize(kChunkSize);
  }
  std::vector<std::byte> next(kChunkSize);
  BackgroundCall<Result<std::size_t>> reading(c.stream.get_executor());
  auto read_into = [&](std::vector<std::byte>& buffer) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(length, kChunkSize));
    reading.start(s, Pool::kDisk, [&content, data = buffer.data(), at = offset, want] {
      return content.read_at(at, std::span<std::byte>(data, want));
    });
  };
  if (length > 0) {
    read_into(c.chunk);  // (none for an empty body: a read must never outlive this frame)
  }
  while (length > 0) {
    auto got = co_await reading.wait(std::size_t{0});
    if (!got || *got == 0 || *got > length) {
      // The header is out: all we can do is cut the connection so the client sees a short body.
      spdlog::error("request_id={} read failed: {}", ex.request_id,
                    got ? "unexpected end of content file" : got.error().message);
      ex.close = true;
      co_return;
    }
    offset += *got;
    length -= *got;
    if (length > 0) {
      read_into(next);  // the next chunk, while this one goes out
    }
    c.stream.expires_after(kIoTimeout);
    auto [ec, n] = co_await net::async_write(c.stream, net::buffer(c.chunk.data(), *got), kAsTuple);
    ex.bytes_out += n;
    if (ec) {
      ex.close = true;
      (void)co_await reading.wait(std::size_t{0});  // the read must end before its buffer goes
      co_return;
    }
    std::swap(c.chunk, next);
  }
}

// Answers GET/HEAD for a found object: 304, 416, 206 or 200 (RFC 9110 sections 13-15).
Awaitable<void> send_content(ServerCore& s, Connection& c, Exchange& ex,
                             DownloadObject::Download& d) {
  const Object& o = d.object;
  const std::string etag = "\"" + o.content_hash()->hex() + "\"";
  const std::uint64_t size = o.size_bytes();

  http::response<http::empty_body> res{http::status::ok, ex.req().version()};
  bool keep_alive = false;
  s.common_headers(ex, res.base(), keep_alive);
  res.keep_alive(keep_alive);
  res.set(http::field::etag, etag);
  res.set("X-Content-Hash", o.content_hash()->hex());
  res.set(http::field::last_modified, hp::http_date(o.created_at()));
  res.set(http::field::accept_ranges, "bytes");
  res.set(http::field::cache_control, "private, immutable");
  // The stored Content-Type is the uploader's word: browsers must not second-guess it into HTML.
  res.set("X-Content-Type-Options", "nosniff");

  if (auto inm = ex.header("If-None-Match"); inm && hp::if_none_match_matches(*inm, etag)) {
    res.result(http::status::not_modified);
    co_await s.write_header(c, ex, res);
    co_return;
  }
  std::optional<std::string> range = ex.header("Range");
  if (auto if_range = ex.header("If-Range");
      range && if_range && !hp::if_range_matches(*if_range, etag)) {
    range.reset();
  }
  const hp::RangeDecision decision = hp::decide_range(range, size);
  if (decision.kind == hp::RangeDecision::kUnsatisfiable) {
    HttpError e = http_error(http::status::range_not_satisfiable, "range_not_satisfiable",
                             "range not satisfiable for " + std::to_string(size) + " bytes");
    e.headers = one_header("Content-Range", "bytes */" + std::to_string(size));
    co_return co_await s.send_error(c, ex, e);
  }
  std::uint64_t offset = 0;
  std::uint64_t length = size;
  if (decision.kind == hp::RangeDecision::kPartial) {
    res.result(http::status::partial_content);
    offset = decision.range.first;
    length = decision.range.length();
    res.set(http::field::content_range, "bytes " + std::to_string(decision.range.first) + "-" +
                                            std::to_string(decision.range.last) + "/" +
                                            std::to_string(size));
  }
  res.set(http::field::content_type, o.content_type());
  res.content_length(length);
  if (co_await s.write_header(c, ex, res) && !ex.head()) {
    co_await stream_content(s, c, ex, *d.content, offset, length);
  }
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
  std::optional<std::uint64_t> declared;
  if (auto len = ex.parser.content_length()) {
    declared = *len;
  }

  auto begin = [&] { return s.uc().upload.begin(std::move(request), declared); };
  auto begun = co_await s.offload(begin);
  if (!begun) {
    co_return co_await s.send_error(c, ex, from_error(begun.error()));
  }
  std::unique_ptr<UploadObject::Upload> up = std::move(*begun);

  if (beast::iequals(req[http::field::expect], "100-continue")) {
    http::response<http::empty_body> cont{http::status::continue_, req.version()};
    c.stream.expires_after(kIoTimeout);
    co_await http::async_write(c.stream, cont, kAsTuple);
  }

  // Stream the body in fixed-size chunks, two buffers deep: while a worker hashes and writes one
  // chunk, this IO thread receives the next into the other.
  std::optional<HttpError> failure;
  std::vector<std::byte> spare(kChunkSize);
  BackgroundCall<Status> pending(c.stream.get_executor());
  while (!ex.parser.is_done()) {
    auto [ec, got] = co_await read_body_chunk(c, ex);
    if (ec) {
      failure = body_error(ec);
      break;
    }
    if (got == 0) {
      continue;
    }
    if (auto w = co_await pending.wait(Status()); !w) {
      failure = from_error(w.error());
      ex.close = true;
      break;
    }
    std::swap(c.chunk, spare);  // the fresh chunk is now `spare`, written in the background
    pending.start(s, Pool::kDisk, [&up, data = spare.data(), got] {
      return up->write(std::span<const std::byte>(data, got));
    });
  }
  if (auto w = co_await pending.wait(Status()); !w && !failure) {
    failure = from_error(w.error());
    ex.close = true;
  }
  if (failure) {
    auto abort = [&] {
      s.uc().upload.abort(*up);
      return true;
    };
    co_await s.offload(abort, Pool::kDisk);
    co_return co_await s.send_error(c, ex, *failure);
  }

  // The fsync of the whole content: on the disk pool, where it cannot hold up database work.
  auto commit = [&] { return s.uc().upload.commit(*up); };
  auto committed = co_await s.offload(commit, Pool::kDisk);
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
  const bool want_content = !ex.head();
  auto find = [&] {
    return r.key ? s.uc().download.by_key(r.key->ns, r.tenant, r.key->key, want_content)
                 : s.uc().download.by_id(r.tenant, *r.id, want_content);
  };
  auto found = co_await s.offload(find);
  if (!found) {
    co_return co_await s.send_error(c, ex, from_error(found.error()));
  }
  co_await send_content(s, c, ex, *found);
}

Awaitable<void> handle_delete(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  auto ref = resolve_object(s, ex, p);
  if (auto* e = std::get_if<HttpError>(&ref)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const ObjectRef& r = std::get<ObjectRef>(ref);
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

Awaitable<void> handle_list(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  auto area = resolve_area(s, ex);
  if (auto* e = std::get_if<HttpError>(&area)) {
    co_return co_await s.send_error(c, ex, *e);
  }
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
  const std::string prefix = ex.target.get("prefix").value_or("");
  const std::optional<std::string> cursor = ex.target.get("cursor");
  auto fetch = [&] {
    const Area& a = std::get<Area>(area);
    return s.uc().list.list(a.ns, a.tenant, prefix, limit, cursor);
  };
  auto page = co_await s.offload(fetch);
  if (!page) {
    co_return co_await s.send_error(c, ex, from_error(page.error()));
  }
  co_await s.send(c, ex, http::status::ok, list_page_json(*page));
}

}  // namespace castor::api
