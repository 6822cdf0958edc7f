// Verified reads (verified_content.h).
#include "api/verified_content.h"

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "api/content_response.h"

namespace castor::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

// "<size in hex>\r\n": the start of one chunk (RFC 9112 section 7.1).
std::string chunk_header(std::size_t size) {
  char text[24];
  const int n = std::snprintf(text, sizeof text, "%zx\r\n", size);
  return std::string(text, static_cast<std::size_t>(n));
}

void count_damage(ServerCore& s, Exchange& ex, const std::string& what) {
  s.uc().metrics.integrity_errors(1);
  spdlog::error("request_id={} integrity error in a verified read: {}", ex.request_id, what);
}

}  // namespace

Parsed<bool> verify_requested(Exchange& ex) {
  const std::optional<std::string> value = ex.target.get("verify");
  if (!value || *value == "false" || *value == "0") {
    return false;
  }
  if (*value == "true" || *value == "1") {
    return true;
  }
  return bad_request("verify must be true or false");
}

Parsed<std::unique_ptr<ContentVerifier>> make_verifier(ServerCore& s, const ContentHash& expected,
                                                       std::uint64_t size) {
  auto verifier = ContentVerifier::create(s.uc().checksummers, expected, size);
  if (!verifier) {
    return from_error(verifier.error());
  }
  return std::move(*verifier);
}

Awaitable<void> send_verified(ServerCore& s, Connection& c, Exchange& ex,
                              http::response<http::empty_body>& res, BlobReader& content,
                              std::uint64_t size, ContentVerifier& verifier) {
  res.erase(http::field::content_length);
  res.set(http::field::transfer_encoding, "chunked");
  res.set(http::field::trailer,
          std::string(kContentSha256Trailer) + ", " + std::string(kVerifiedTrailer));
  const bool sent = co_await s.write_header(c, ex, res);
  if (!sent) {
    co_return;
  }
  if (c.chunk.size() != kChunkSize) {
    c.chunk.resize(kChunkSize);
  }
  std::vector<std::byte> next(kChunkSize);
  BackgroundCall<Result<std::size_t>> reading(c.stream.get_executor());
  std::uint64_t offset = 0;
  std::uint64_t left = size;
  // Reads the next chunk into `buffer` and hashes it, on the disk pool.
  auto read_into = [&](std::vector<std::byte>& buffer) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, kChunkSize));
    reading.start(s, Pool::kDisk, [&content, &verifier, data = buffer.data(), at = offset, want] {
      auto n = content.read_at(at, std::span<std::byte>(data, want));
      if (n && *n > 0) {
        verifier.update(std::span<const std::byte>(data, *n));
      }
      return n;
    });
  };
  if (left > 0) {
    read_into(c.chunk);
  }
  while (left > 0) {
    auto got = co_await reading.wait(std::size_t{0});
    if (!got || *got == 0 || *got > left) {
      // The header is out: cut the connection so the client sees an incomplete body.
      count_damage(s, ex,
                   "content " + verifier.expected().hex() + ": " +
                       (got ? "ends after " + std::to_string(offset) + " of " +
                                  std::to_string(size) + " bytes"
                            : got.error().message));
      ex.close = true;
      co_return;
    }
    offset += *got;
    left -= *got;
    if (left > 0) {
      read_into(next);  // the next chunk, while this one goes out
    }
    const std::string head = chunk_header(*got);
    const std::array<net::const_buffer, 3> framed = {
        net::buffer(head), net::buffer(c.chunk.data(), *got), net::buffer("\r\n", 2)};
    c.stream.expires_after(kIoTimeout);
    auto [ec, n] = co_await net::async_write(c.stream, framed, kAsTuple);
    ex.bytes_out += n;
    if (ec) {
      ex.close = true;
      (void)co_await reading.wait(std::size_t{0});  // the read must end before its buffer goes
      co_return;
    }
    std::swap(c.chunk, next);
  }
  const ContentVerifier::Verdict verdict = verifier.finish();
  if (!verdict.intact) {
    count_damage(s, ex,
                 "content " + verifier.expected().hex() + " of " + std::to_string(size) +
                     " bytes reads back as " + verdict.actual.hex());
  }
  const std::string last = "0\r\n" + std::string(kContentSha256Trailer) + ": " +
                           verdict.actual.hex() + "\r\n" + std::string(kVerifiedTrailer) + ": " +
                           (verdict.intact ? "true" : "false") + "\r\n\r\n";
  const net::const_buffer trailer = net::buffer(last);
  c.stream.expires_after(kIoTimeout);
  auto [ec, n] = co_await net::async_write(c.stream, trailer, kAsTuple);
  ex.bytes_out += n;
  if (ec) {
    ex.close = true;
  }
}

}  // namespace castor::api
