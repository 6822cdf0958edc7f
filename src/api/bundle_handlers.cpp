// The bundle endpoints: POST/GET /v1/bundles, GET/DELETE /v1/bundles/{id} and
// GET /v1/bundles/{id}/download.
#include <charconv>

#include <spdlog/spdlog.h>

#include "api/bundle_json.h"
#include "api/content_response.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

// The tenant a bundle request acts on, once the caller may use the route's scope on it.
Parsed<TenantId> resolve_tenant(ServerCore& s, Exchange& ex) {
  auto tenant = s.tenant_of(ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    return *e;
  }
  if (auto denied = s.authorize(ex, &std::get<TenantId>(tenant), *ex.route->scope)) {
    return *denied;
  }
  return tenant;
}

// The bundle id in /v1/bundles/{id}[/download].
Parsed<BundleId> bundle_id(std::string_view text) {
  auto id = BundleId::parse(text);
  if (!id) {
    return bad_request("a bundle id is a UUID");
  }
  return *id;
}

// Streams the archive as the body of a 200 already prepared in `res`: chunked for HTTP/1.1, until
// the connection closes for HTTP/1.0. Reads run on the disk pool, one chunk ahead of the network.
// An error before the first byte is answered as an error; after it, the connection is cut so the
// client sees an incomplete archive.
Awaitable<void> stream_archive(ServerCore& s, Connection& c, Exchange& ex, ArchiveStream& archive,
                               http::response<http::empty_body>& res) {
  if (c.chunk.size() != kChunkSize) {
    c.chunk.resize(kChunkSize);
  }
  std::vector<std::byte> next(kChunkSize);
  BackgroundCall<Result<std::size_t>> reading(c.stream.get_executor());
  auto read_into = [&](std::vector<std::byte>& buffer) {
    reading.start(s, Pool::kDisk, [&archive, data = buffer.data()] {
      return archive.read(std::span<std::byte>(data, kChunkSize));
    });
  };
  read_into(c.chunk);
  auto got = co_await reading.wait(std::size_t{0});
  if (!got) {
    co_return co_await s.send_error(c, ex, from_error(got.error()));
  }
  const bool chunked = ex.req().version() >= 11;
  if (chunked) {
    res.chunked(true);
  } else {
    res.keep_alive(false);
  }
  if (!co_await s.write_header(c, ex, res)) {
    co_return;
  }
  while (*got > 0) {
    read_into(next);  // the next piece, while this one goes out
    c.stream.expires_after(kIoTimeout);
    const auto data = net::buffer(c.chunk.data(), *got);
    boost::system::error_code ec;
    if (chunked) {
      std::tie(ec, std::ignore) =
          co_await net::async_write(c.stream, http::make_chunk(data), kAsTuple);
    } else {
      std::tie(ec, std::ignore) = co_await net::async_write(c.stream, data, kAsTuple);
    }
    ex.bytes_out += *got;
    if (ec) {
      ex.close = true;
      (void)co_await reading.wait(std::size_t{0});  // the read must end before its buffer goes
      co_return;
    }
    got = co_await reading.wait(std::size_t{0});
    if (!got) {
      spdlog::error("request_id={} archive read failed: {}", ex.request_id, got.error().message);
      ex.close = true;
      co_return;
    }
    std::swap(c.chunk, next);
  }
  if (chunked) {
    c.stream.expires_after(kIoTimeout);
    auto [ec, n] = co_await net::async_write(c.stream, http::make_chunk_last(), kAsTuple);
    if (ec) {
      ex.close = true;
    }
  }
}

}  // namespace

Awaitable<void> handle_create_bundle(ServerCore& s, Connection& c, Exchange& ex,
                                     const PathParams&) {
  auto tenant = resolve_tenant(s, ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  CreateBundle::Request request{.tenant = std::get<TenantId>(tenant),
                                .storage_class = StorageClass::kHot,
                                .files = {},
                                .merkle_root = std::nullopt,
                                .metadata = {}};
  if (auto cls = ex.param("X-Storage-Class", "storage_class")) {
    auto sc = parse_storage_class(*cls);
    if (!sc) {
      co_return co_await s.send_error(c, ex, from_error(sc.error()));
    }
    request.storage_class = *sc;
  }
  auto body = co_await read_bounded_body(c, ex, s.options().max_manifest_bytes);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  // Parsing a manifest of up to MAX_MANIFEST_BYTES takes a while: not on the IO thread.
  auto create = [&]() -> Result<CreateBundle::Outcome> {
    if (auto p = parse_bundle_request(std::get<std::string>(body), request); !p) {
      return std::move(p).error();
    }
    std::get<std::string>(body).clear();
    return s.uc().create_bundle.create(std::move(request));
  };
  auto outcome = co_await s.offload(create);
  if (!outcome) {
    co_return co_await s.send_error(c, ex, from_error(outcome.error()));
  }
  if (!outcome->created) {
    co_return co_await s.send(c, ex, http::status::conflict, missing_blobs_json(outcome->missing));
  }
  const BundleSummary& created = *outcome->created;
  co_await s.send(c, ex, http::status::created, bundle_summary_json(created), "application/json",
                  one_header("Location", "/v1/bundles/" + created.id.to_string()));
}

Awaitable<void> handle_list_bundles(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  auto tenant = resolve_tenant(s, ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  std::size_t limit = ReadBundles::kDefaultLimit;
  if (auto text = ex.target.get("limit")) {
    std::uint64_t n = 0;
    auto [end, err] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (err != std::errc() || end != text->data() + text->size() || n < 1 ||
        n > ReadBundles::kMaxLimit) {
      co_return co_await s.send_error(c, ex, bad_request("limit must be between 1 and 1000"));
    }
    limit = static_cast<std::size_t>(n);
  }
  const std::optional<std::string> cursor = ex.target.get("cursor");
  auto fetch = [&] { return s.uc().read_bundles.list(std::get<TenantId>(tenant), limit, cursor); };
  auto page = co_await s.offload(fetch);
  if (!page) {
    co_return co_await s.send_error(c, ex, from_error(page.error()));
  }
  co_await s.send(c, ex, http::status::ok, bundle_page_json(*page));
}

Awaitable<void> handle_get_bundle(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  auto tenant = resolve_tenant(s, ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto parsed = bundle_id(p.get("id").value_or(""));
  if (auto* e = std::get_if<HttpError>(&parsed)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto fetch = [&]() -> Result<std::string> {
    auto bundle = s.uc().read_bundles.get(std::get<TenantId>(tenant), std::get<BundleId>(parsed));
    if (!bundle) {
      return std::move(bundle).error();
    }
    return bundle_json(*bundle);
  };
  auto json = co_await s.offload(fetch);
  if (!json) {
    co_return co_await s.send_error(c, ex, from_error(json.error()));
  }
  co_await s.send(c, ex, http::status::ok, std::move(*json));
}

Awaitable<void> handle_delete_bundle(ServerCore& s, Connection& c, Exchange& ex,
                                     const PathParams& p) {
  auto tenant = resolve_tenant(s, ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto parsed = bundle_id(p.get("id").value_or(""));
  if (auto* e = std::get_if<HttpError>(&parsed)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto remove = [&] {
    return s.uc().delete_bundle.remove(std::get<TenantId>(tenant), std::get<BundleId>(parsed));
  };
  auto removed = co_await s.offload(remove);
  if (!removed) {
    co_return co_await s.send_error(c, ex, from_error(removed.error()));
  }
  co_await s.send(c, ex, http::status::no_content);
}

Awaitable<void> handle_download_bundle(ServerCore& s, Connection& c, Exchange& ex,
                                       const PathParams& p) {
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await s.send_error(c, ex, ServerCore::overloaded_error());
  }
  auto tenant = resolve_tenant(s, ex);
  if (auto* e = std::get_if<HttpError>(&tenant)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto parsed = bundle_id(p.get("id").value_or(""));
  if (auto* e = std::get_if<HttpError>(&parsed)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  const std::string format_name = ex.target.get("format").value_or("zip");
  ArchiveFormat format = ArchiveFormat::kZip;
  if (format_name == "tar") {
    format = ArchiveFormat::kTar;
  } else if (format_name != "zip") {
    co_return co_await s.send_error(c, ex,
                                    http_error(http::status::unsupported_media_type,
                                               "unsupported_format", "format must be zip or tar"));
  }
  auto open = [&] {
    return s.uc().download_bundle.open(std::get<TenantId>(tenant), std::get<BundleId>(parsed),
                                       format);
  };
  auto opened = co_await s.offload(open);
  if (!opened) {
    co_return co_await s.send_error(c, ex, from_error(opened.error()));
  }
  http::response<http::empty_body> res{http::status::ok, ex.req().version()};
  bool keep_alive = false;
  s.common_headers(ex, res.base(), keep_alive);
  res.keep_alive(keep_alive);
  res.set(http::field::content_type,
          format == ArchiveFormat::kZip ? "application/zip" : "application/x-tar");
  res.set(
      http::field::content_disposition,
      "attachment; filename=\"bundle_" + opened->summary.id.to_string() + "." + format_name + "\"");
  res.set("X-Content-Type-Options", "nosniff");
  co_await stream_archive(s, c, ex, *opened->archive, res);
}

}  // namespace castor::api
