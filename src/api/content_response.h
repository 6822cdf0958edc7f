#pragma once
// Internal to src/api: moving content through a connection, shared by the object, blob and bundle
// handlers. Includes Beast; never include it from another layer.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "api/server_core.h"
#include "application/objects/content_verifier.h"
#include "application/ports/blob_store.h"

namespace castor::api {

// At most one blocking call (an upload's write, a download's read) running on a worker pool while
// the connection's coroutine goes on with the network. Used on the connection's strand only.
template <class R>
class BackgroundCall {
 public:
  explicit BackgroundCall(boost::asio::any_io_executor strand) : timer_(std::move(strand)) {}
  BackgroundCall(const BackgroundCall&) = delete;
  BackgroundCall& operator=(const BackgroundCall&) = delete;

  // Runs `work` (returning R) on `pool`. Call wait() first if one may still be running.
  template <class F>
  void start(ServerCore& s, Pool pool, F work) {
    running_ = true;
    s.post(pool, [this, strand = timer_.get_executor(), work = std::move(work)]() mutable {
      R r = work();
      boost::asio::post(strand, [this, r = std::move(r)]() mutable {
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
  boost::asio::steady_timer timer_;
  bool running_ = false;
  std::optional<R> result_;
};

// Streams the request body into `write` (a callable taking std::span<const std::byte> and
// returning Status, run on the disk pool) in fixed-size chunks, two buffers deep: while a worker
// writes one chunk, the IO thread receives the next. Returns the error to answer with, if any
// (the connection is then marked to close).
template <class Write>
Awaitable<std::optional<HttpError>> receive_body(ServerCore& s, Connection& c, Exchange& ex,
                                                 Write write) {
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
    pending.start(s, Pool::kDisk, [&write, data = spare.data(), got] {
      return write(std::span<const std::byte>(data, got));
    });
  }
  if (auto w = co_await pending.wait(Status()); !w && !failure) {
    failure = from_error(w.error());
    ex.close = true;
  }
  co_return failure;
}

// Streams the body of a small upload (UploadObject::Upload::buffered(): `write` only copies into
// memory and never blocks) into `write` on the IO thread, chunk by chunk as it arrives: no worker
// hand-off and no second buffer. Returns the error to answer with, if any (the connection is then
// marked to close).
template <class Write>
Awaitable<std::optional<HttpError>> receive_small_body(Connection& c, Exchange& ex, Write write) {
  while (!ex.parser.is_done()) {
    auto [ec, got] = co_await read_body_chunk(c, ex);
    if (ec) {
      co_return body_error(ec);
    }
    if (got == 0) {
      continue;
    }
    if (Status w = write(std::span<const std::byte>(c.chunk.data(), got)); !w) {
      ex.close = true;
      co_return from_error(w.error());
    }
  }
  co_return std::nullopt;
}

// The body of a PUT that stores content through a two-phase use case (StoreBlob,
// StoreUploadPart: an `Upload` with write(), and the use case's commit() and abort()): answers
// Expect: 100-continue, streams the body into `upload` (receive_body), then commits it on the disk
// pool. On any failure the upload is aborted, the error is answered, and nullopt is returned;
// otherwise the commit's Result, which holds a value.
template <class UseCase, class Upload,
          class Committed = std::invoke_result_t<decltype(&UseCase::commit), UseCase&, Upload&>>
Awaitable<std::optional<Committed>> receive_and_commit(ServerCore& s, Connection& c, Exchange& ex,
                                                       UseCase& use_case,
                                                       std::unique_ptr<Upload> up) {
  auto& req = ex.req();
  if (boost::beast::iequals(req[boost::beast::http::field::expect], "100-continue")) {
    boost::beast::http::response<boost::beast::http::empty_body> cont{
        boost::beast::http::status::continue_, req.version()};
    c.stream.expires_after(kIoTimeout);
    co_await boost::beast::http::async_write(c.stream, cont, kAsTuple);
  }
  Upload* upload = up.get();
  auto failure = co_await receive_body(
      s, c, ex, [upload](std::span<const std::byte> data) { return upload->write(data); });
  if (failure) {
    auto abort = [&] {
      use_case.abort(*up);
      return true;
    };
    co_await s.offload(abort, Pool::kDisk);
    co_await s.send_error(c, ex, *failure);
    co_return std::nullopt;
  }
  auto commit = [&] { return use_case.commit(*up); };
  Committed committed = co_await s.offload(commit, Pool::kDisk);
  if (!committed) {
    co_await s.send_error(c, ex, from_error(committed.error()));
    co_return std::nullopt;
  }
  co_return std::optional<Committed>(std::move(committed));
}

// Adds `Content-Security-Policy: sandbox` to the headers of native content (objects and blobs,
// presigned or not) unless `content_type` is application/pdf: an HTML or SVG object opened from a
// link then runs in an opaque origin without scripts, so it can never reach the web console's
// session on the same origin. (Chromium does not render a PDF inside a sandbox.)
void add_content_sandbox(Headers& headers, std::string_view content_type);

// What a GET/HEAD of stored content answers with, besides the bytes.
struct ContentHead {
  std::string hash_hex;  // the ETag (quoted) and X-Content-Hash
  std::uint64_t size = 0;
  std::string content_type;
  std::optional<Timestamp> last_modified;
  // The S3 front end's: the ETag when it is not the hash (bare), headers set after the standard
  // ones (replacing any of the same name), no immutable Cache-Control (an S3 key can be
  // overwritten), and preconditions already evaluated by the caller.
  std::optional<std::string> etag = {};
  Headers headers = {};
  bool immutable = true;
  bool preconditions_evaluated = false;
  // A verified read (?verify=true, api/verified_content.h): a 200 is sent chunked, its bytes
  // re-hashed by this verifier, and ends with trailers; a Range is refused with 400 (a part
  // cannot be checked against the whole content's hash). Ignored for HEAD. Null: a plain read.
  ContentVerifier* verifier = nullptr;
  // A redirected download (<CLASS>_REDIRECT_DOWNLOADS, docs/OPERATIONS.md "Storage backends"):
  // after the preconditions, a GET answers 302 Found with this Location (RFC 9110 section
  // 15.4.3); the client fetches the bytes, and its Range, from there. Ignored for HEAD.
  std::optional<std::string> redirect_to = {};
};

// Answers GET/HEAD for found content: 412 (If-Match, If-Unmodified-Since), 304 (If-None-Match,
// If-Modified-Since; dates only when `head` has a last_modified), 416, 206 (Range, If-Range) or
// 200 (RFC 9110 sections 13-15, preconditions in the order of section 13.2.2), then streams the
// bytes from `content` (null for HEAD) with reads on the disk pool, one chunk ahead of the network
// (verified, chunked and with trailers when `head.verifier` is set).
Awaitable<void> send_content(ServerCore& s, Connection& c, Exchange& ex, const ContentHead& head,
                             BlobReader* content);

}  // namespace castor::api
