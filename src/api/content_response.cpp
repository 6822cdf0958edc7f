// Sending stored content (content_response.h).
#include "api/content_response.h"

#include <spdlog/spdlog.h>

#include "api/conditional.h"
#include "api/http_date.h"
#include "api/verified_content.h"

namespace castor::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace hp = http_params;

namespace {

// Streams the content (or one range of it) after a 200/206 header. Chunks are read on the disk
// pool, one ahead of the chunk being sent, so the IO thread never waits on the disk.
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

}  // namespace

void add_content_sandbox(Headers& headers, std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) {
    media.remove_suffix(1);
  }
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) {
    media.remove_prefix(1);
  }
  if (!boost::beast::iequals(media, "application/pdf")) {
    headers.emplace_back("Content-Security-Policy", "sandbox");
  }
}

Awaitable<void> send_content(ServerCore& s, Connection& c, Exchange& ex, const ContentHead& head,
                             BlobReader* content) {
  const std::string etag = "\"" + head.etag.value_or(head.hash_hex) + "\"";
  const std::uint64_t size = head.size;

  http::response<http::empty_body> res{http::status::ok, ex.req().version()};
  bool keep_alive = false;
  s.common_headers(ex, res.base(), keep_alive);
  res.keep_alive(keep_alive);
  res.set(http::field::etag, etag);
  res.set("X-Content-Hash", head.hash_hex);
  if (head.last_modified) {
    res.set(http::field::last_modified, hp::http_date(*head.last_modified));
  }
  res.set(http::field::accept_ranges, "bytes");
  if (head.immutable) {
    res.set(http::field::cache_control, "private, immutable");
  }
  // The stored Content-Type is the uploader's word: browsers must not second-guess it into HTML.
  res.set("X-Content-Type-Options", "nosniff");

  for (const auto& [name, value] : head.headers) {
    res.set(name, value);
  }
  // Preconditions (RFC 9110 section 13.2.2) before Range, unless the caller (the S3 front end)
  // evaluated them already. Content without a modification time (blobs) has no date to compare:
  // the two date conditions are ignored for it.
  if (!head.preconditions_evaluated) {
    hp::Preconditions pre{.if_match = ex.header("If-Match"),
                          .if_none_match = ex.header("If-None-Match")};
    if (head.last_modified) {
      pre.if_modified_since = ex.header("If-Modified-Since");
      pre.if_unmodified_since = ex.header("If-Unmodified-Since");
    }
    const hp::Validators current{.etag = head.hash_hex,
                                 .last_modified = head.last_modified.value_or(Timestamp{})};
    switch (hp::evaluate_preconditions(pre, current, /*safe=*/true)) {
      case hp::PreconditionResult::kNotModified:
        res.result(http::status::not_modified);
        co_await s.write_header(c, ex, res);
        co_return;
      case hp::PreconditionResult::kFailed: {
        const HttpError failed =
            http_error(http::status::precondition_failed, "precondition_failed",
                       "a precondition (If-Match or If-Unmodified-Since) does not hold");
        co_return co_await s.send_error(c, ex, failed);
      }
      case hp::PreconditionResult::kProceed:
        break;
    }
  }
  if (head.redirect_to && !ex.head()) {
    res.result(http::status::found);
    res.set(http::field::location, *head.redirect_to);
    // The URL is a short-lived credential of its own: not for caches.
    res.set(http::field::cache_control, "no-store");
    res.erase(http::field::accept_ranges);
    res.content_length(0);
    co_await s.write_header(c, ex, res);
    co_return;
  }
  if (head.verifier != nullptr && !ex.head() && content != nullptr) {
    if (ex.req().version() < 11) {
      const HttpError refused =
          bad_request("verify=true sends trailers, which need HTTP/1.1 chunked framing");
      co_return co_await s.send_error(c, ex, refused);
    }
    if (ex.header("Range")) {
      const HttpError refused =
          http_error(http::status::bad_request, "range_not_verifiable",
                     "verify=true checks the whole content against its hash: drop the Range");
      co_return co_await s.send_error(c, ex, refused);
    }
    res.set(http::field::content_type, head.content_type);
    co_return co_await send_verified(s, c, ex, res, *content, size, *head.verifier);
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
  res.set(http::field::content_type, head.content_type);
  res.content_length(length);
  if (co_await s.write_header(c, ex, res) && !ex.head() && content != nullptr) {
    co_await stream_content(s, c, ex, *content, offset, length);
  }
}

}  // namespace castor::api
