// Receiving the body of an S3 write (s3_body.h).
#include "api/s3/s3_body.h"

#include <charconv>
#include <cstring>

#include "domain/base64.h"
#include "domain/hex.h"

namespace castor::api::s3 {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

Error s3_invalid(std::string message, const char* reason) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), reason};
}

constexpr std::string_view kChecksumPrefix = "x-amz-checksum-";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

Result<std::unique_ptr<S3Body>> S3Body::create(ServerCore& s, Exchange& ex, const S3Call& call) {
  std::unique_ptr<S3Body> body(new S3Body());
  const Sigv4Verified& verified = call.verified;
  auto md5 = s.uc().checksummers.create(ChecksumAlgorithm::kMd5);
  if (!md5) {
    return std::move(md5).error();
  }
  body->md5_ = std::move(*md5);

  if (is_streaming(verified.payload_mode)) {
    std::optional<std::uint64_t> decoded;
    if (auto header = ex.header("x-amz-decoded-content-length")) {
      decoded = parse_u64(*header);
      if (!decoded) {
        return s3_invalid("x-amz-decoded-content-length is not a number", "InvalidArgument");
      }
    }
    auto decoder = AwsChunkedDecoder::create(
        verified, decoded, ex.header("x-amz-trailer").value_or(""), s.uc().sigv4_crypto);
    if (!decoder) {
      return std::move(decoder).error();
    }
    body->decoder_.emplace(std::move(*decoder));
    body->declared_size_ = decoded;
  } else if (ex.req().has_content_length()) {
    body->declared_size_ = ex.parser.content_length().value_or(0);
  } else if (!ex.parser.chunked()) {
    body->declared_size_ = 0;  // no body at all
  }
  if (verified.payload_mode == PayloadMode::kSha256) {
    body->expected_sha256_ = verified.payload_sha256;
  }

  if (auto content_md5 = ex.header("Content-MD5")) {
    auto bytes = base64_decode(*content_md5);
    if (!bytes || bytes->size() != 16) {
      return s3_invalid("The Content-MD5 you specified is not valid.", "InvalidDigest");
    }
    body->content_md5_ = std::move(*bytes);
  }

  // One flexible checksum: sent as a header, announced as a trailer, or only named.
  std::optional<ChecksumAlgorithm> algorithm;
  for (const auto& field : ex.req()) {
    const std::string name = lower({field.name_string().data(), field.name_string().size()});
    if (!name.starts_with(kChecksumPrefix)) {
      continue;
    }
    auto named = parse_checksum_algorithm(name.substr(kChecksumPrefix.size()));
    if (!named || *named == ChecksumAlgorithm::kMd5) {
      continue;  // x-amz-checksum-mode, -algorithm, -type: not a checksum value
    }
    if (algorithm) {
      return s3_invalid(
          "Expecting a single x-amz-checksum- header. Multiple checksum Types are "
          "not allowed.",
          "InvalidRequest");
    }
    const std::string value(field.value().data(), field.value().size());
    auto decoded = base64_decode(value);
    if (!decoded || decoded->size() != checksum_size(*named)) {
      return s3_invalid("Value for " + name + " header is invalid.", "InvalidRequest");
    }
    algorithm = named;
    body->expected_checksum_ = value;
  }
  if (!algorithm) {
    std::string announced = lower(ex.header("x-amz-trailer").value_or(""));
    if (announced.starts_with(kChecksumPrefix)) {
      algorithm = parse_checksum_algorithm(announced.substr(kChecksumPrefix.size()));
    }
  }
  if (!algorithm) {
    auto named = ex.header("x-amz-sdk-checksum-algorithm");
    if (!named) {
      named = ex.header("x-amz-checksum-algorithm");
    }
    if (named) {
      algorithm = parse_checksum_algorithm(*named);
      if (!algorithm || *algorithm == ChecksumAlgorithm::kMd5) {
        return s3_invalid("Checksum algorithm " + named->substr(0, 32) + " is not supported",
                          "InvalidRequest");
      }
    }
  }
  if (algorithm) {
    auto checksummer = s.uc().checksummers.create(*algorithm);
    if (!checksummer) {
      return std::move(checksummer).error();
    }
    body->checksum_ = std::move(*checksummer);
  }
  return body;
}

Status S3Body::digest(std::span<const std::byte> raw, std::string& out) {
  const std::size_t before = out.size();
  const std::string_view bytes(reinterpret_cast<const char*>(raw.data()), raw.size());
  if (decoder_) {
    if (auto s = decoder_->feed(bytes, out); !s) {
      return s;
    }
  } else {
    out.append(bytes);
  }
  const std::string_view content = std::string_view(out).substr(before);
  md5_->update(content);
  if (checksum_) {
    checksum_->update(content);
  }
  received_ += content.size();
  return {};
}

Status S3Body::finish() {
  if (decoder_) {
    if (auto s = decoder_->finish(); !s) {
      return s;
    }
    if (checksum_ && !expected_checksum_) {
      const std::string trailer =
          std::string(kChecksumPrefix) + lower(checksum_name(checksum_->algorithm()));
      for (const AwsTrailer& t : decoder_->trailers()) {
        if (t.name == trailer) {
          expected_checksum_ = t.value;
        }
      }
    }
  }
  if (declared_size_ && received_ != *declared_size_) {
    return s3_invalid(
        "You did not provide the number of bytes specified by the Content-Length "
        "HTTP header.",
        "IncompleteBody");
  }
  if (content_md5_ && md5() != *content_md5_) {
    return s3_invalid("The Content-MD5 you specified did not match what we received.", "BadDigest");
  }
  if (checksum_ && expected_checksum_) {
    const std::vector<std::uint8_t> digest = checksum_->digest();
    if (base64_encode(digest) != *expected_checksum_) {
      return s3_invalid("The " + std::string(checksum_name(checksum_->algorithm())) +
                            " you specified did not match the calculated checksum.",
                        "BadDigest");
    }
  }
  return {};
}

std::optional<ContentHash> expected_content_hash(const S3Body& body) {
  if (auto sha = body.expected_sha256()) {
    if (auto hash = ContentHash::parse(*sha)) {
      return std::move(*hash);
    }
  }
  return std::nullopt;
}

std::vector<std::uint8_t> S3Body::md5() const { return md5_->digest(); }

std::string S3Body::md5_hex() const { return to_hex(md5()); }

ObjectAttributes::Pairs S3Body::checksums() const {
  ObjectAttributes::Pairs out;
  if (checksum_) {
    out.emplace_back(lower(checksum_name(checksum_->algorithm())),
                     base64_encode(checksum_->digest()));
  }
  return out;
}

namespace {

// The two stages behind the network (s3_body.h): digest (worker) then write (worker).
struct Pipeline {
  Pipeline(ServerCore& s, Connection& c, S3Body& body,
           std::function<Status(std::span<const std::byte>)>& write)
      : s(s),
        body(body),
        write(write),
        digesting(c.stream.get_executor()),
        writing(c.stream.get_executor()) {}

  ServerCore& s;
  S3Body& body;
  std::function<Status(std::span<const std::byte>)>& write;
  std::vector<std::byte> raw = std::vector<std::byte>(kChunkSize);  // the piece being digested
  std::string decoded[2];  // the piece being written, and the one being digested into
  int next = 0;            // the decoded buffer the next digest fills
  bool pending = false;    // decoded[1 - next] holds a digested piece not yet written
  BackgroundCall<Status> digesting;
  BackgroundCall<Status> writing;
  std::optional<Error> failure;

  // Waits for the digest in flight and the write in flight, then hands the digested piece to the
  // writer. False (failure set) if either failed.
  Awaitable<bool> flush() {
    Status d = co_await digesting.wait(Status());
    if (!d) {
      failure = std::move(d).error();
      co_return false;
    }
    Status w = co_await writing.wait(Status());
    if (!w) {
      failure = std::move(w).error();
      co_return false;
    }
    if (pending) {
      std::string& piece = decoded[1 - next];
      if (!piece.empty()) {
        writing.start(s, Pool::kDisk, [this, &piece] {
          return write(std::span<const std::byte>(reinterpret_cast<const std::byte*>(piece.data()),
                                                  piece.size()));
        });
      }
      pending = false;
    }
    co_return true;
  }

  // Starts digesting `got` bytes of `raw` into the free decoded buffer.
  void digest(std::size_t got) {
    std::string& target = decoded[next];
    target.clear();
    digesting.start(s, Pool::kDisk, [this, &target, got] {
      return body.digest(std::span<const std::byte>(raw.data(), got), target);
    });
    pending = true;
    next = 1 - next;
  }

  // Lets both stages end: nothing may run on the buffers once the pipeline goes away.
  Awaitable<void> settle() {
    (void)co_await digesting.wait(Status());
    (void)co_await writing.wait(Status());
  }
};

}  // namespace

Awaitable<std::optional<Error>> receive_s3_body(
    ServerCore& s, Connection& c, Exchange& ex, S3Body& body,
    std::function<Status(std::span<const std::byte>)> write) {
  auto& req = ex.req();
  if (beast::iequals(req[http::field::expect], "100-continue")) {
    http::response<http::empty_body> cont{http::status::continue_, req.version()};
    c.stream.expires_after(kIoTimeout);
    co_await http::async_write(c.stream, cont, kAsTuple);
  }
  Pipeline p(s, c, body, write);
  while (!ex.parser.is_done()) {
    auto [ec, got] = co_await read_body_chunk(c, ex);
    if (ec) {
      p.failure =
          s3_invalid("the request body could not be read: " + ec.message(), "IncompleteBody");
      break;
    }
    if (got == 0) {
      continue;
    }
    const bool ok = co_await p.flush();
    if (!ok) {
      break;
    }
    std::swap(c.chunk, p.raw);  // the piece just received is digested from p.raw
    p.digest(got);
  }
  if (!p.failure) {
    const bool ok = co_await p.flush();  // the last piece to the writer
    if (ok) {
      (void)co_await p.flush();  // and its write
    }
  }
  co_await p.settle();
  if (!p.failure) {
    if (auto f = body.finish(); !f) {
      p.failure = std::move(f).error();
    }
  }
  if (p.failure) {
    ex.close = true;
  }
  co_return p.failure;
}

}  // namespace castor::api::s3
