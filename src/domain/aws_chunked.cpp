#include "domain/aws_chunked.h"

#include <algorithm>
#include <utility>

#include "domain/hex.h"
#include "domain/sigv4_canonical.h"

namespace castor {
namespace {

constexpr std::string_view kChunkSignature = ";chunk-signature=";
constexpr std::string_view kTrailerSignature = "x-amz-trailer-signature";

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

Error framing(std::string message) {
  return sigv4_error(s3_error::kIncompleteBody, "aws-chunked body: " + std::move(message));
}

Error trailer_error(std::string message) {
  return sigv4_error(s3_error::kMalformedTrailerError,
                     "aws-chunked trailer: " + std::move(message));
}

Error bad_signature(std::string_view what) {
  return sigv4_error(s3_error::kSignatureDoesNotMatch,
                     "The " + std::string(what) +
                         " signature we calculated does not match the "
                         "signature you provided.");
}

enum class Phase { kChunkHeader, kChunkData, kDataCr, kDataLf, kTrailerLine, kDone };

}  // namespace

bool is_checksum_trailer_name(std::string_view name) {
  return name == "x-amz-checksum-crc32" || name == "x-amz-checksum-crc32c" ||
         name == "x-amz-checksum-crc64nvme" || name == "x-amz-checksum-sha1" ||
         name == "x-amz-checksum-sha256";
}

struct AwsChunkedDecoder::State {
  const Sigv4Crypto* crypto = nullptr;
  bool signed_chunks = false;
  bool trailers_allowed = false;
  bool signed_trailer = false;
  Sha256Digest signing_key{};
  std::string amz_date;
  std::string scope;
  std::string previous_signature;  // lowercase hex
  std::optional<std::uint64_t> declared_length;
  std::vector<std::string> declared_trailers;

  std::unique_ptr<Sha256Hasher> hasher;
  Phase phase = Phase::kChunkHeader;
  std::string line;             // the header or trailer line being read, without CRLF
  std::string chunk_signature;  // the signature announced for the chunk being read
  std::uint64_t chunk_remaining = 0;
  std::uint64_t decoded = 0;
  std::size_t trailer_bytes = 0;
  std::vector<AwsTrailer> trailers;
  std::string canonical_trailers;  // "name:value\n" per trailer, for the trailer signature
  std::optional<std::string> trailer_signature;
  std::optional<Error> error;

  Status fail(Error e) {
    error = std::move(e);
    return *error;
  }

  // Checks the chunk just read (its data hashed into `hasher`) against chunk_signature.
  Status verify_chunk() {
    if (!signed_chunks) {
      return {};
    }
    const std::string data_hash = digest_hex(hasher->finish());
    const Sha256Digest expected =
        crypto->hmac_sha256(digest_bytes(signing_key),
                            chunk_string_to_sign(amz_date, scope, previous_signature, data_hash));
    if (!signature_matches(expected, chunk_signature)) {
      return fail(bad_signature("chunk"));
    }
    previous_signature = digest_hex(expected);
    return {};
  }

  Status on_header_line() {
    const std::size_t semi = line.find(';');
    const std::string_view size_hex = std::string_view(line).substr(0, semi);
    const std::string_view extension =
        semi == std::string::npos ? std::string_view{} : std::string_view(line).substr(semi);
    if (size_hex.empty() || size_hex.size() > 16) {
      return fail(framing("a chunk size must be 1 to 16 hex digits"));
    }
    std::uint64_t size = 0;
    for (char c : size_hex) {
      auto digit = hex_digit(c);
      if (!digit) {
        return fail(framing("a chunk size must be 1 to 16 hex digits"));
      }
      size = size << 4 | *digit;
    }
    if (signed_chunks) {
      if (!extension.starts_with(kChunkSignature) ||
          extension.size() != kChunkSignature.size() + 64) {
        return fail(framing("a chunk header must end in ;chunk-signature=<64 hex digits>"));
      }
      chunk_signature = std::string(extension.substr(kChunkSignature.size()));
    } else if (!extension.empty() && extension.front() != ';') {
      return fail(framing("a chunk size must be followed by CRLF or ';'"));
    }
    if (declared_length && size > *declared_length - decoded) {
      return fail(framing("the chunks exceed x-amz-decoded-content-length"));
    }
    if (size == 0) {
      if (auto status = verify_chunk(); !status) {
        return status;
      }
      phase = Phase::kTrailerLine;
      return {};
    }
    chunk_remaining = size;
    phase = Phase::kChunkData;
    return {};
  }

  Status on_trailer_line() {
    if (line.empty()) {
      if (auto status = end_of_trailers(); !status) {
        return status;
      }
      phase = Phase::kDone;
      return {};
    }
    if (!trailers_allowed) {
      return fail(trailer_error("trailers are only allowed with a -TRAILER x-amz-content-sha256"));
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) {
      return fail(trailer_error("a trailer line must be name:value"));
    }
    std::string name = lowercase(trim_blanks(std::string_view(line).substr(0, colon)));
    const std::string_view value = trim_blanks(std::string_view(line).substr(colon + 1));
    if (trailer_signature) {
      return fail(trailer_error("x-amz-trailer-signature must be the last trailer"));
    }
    if (name == kTrailerSignature) {
      if (!signed_trailer) {
        return fail(trailer_error("x-amz-trailer-signature in an unsigned mode"));
      }
      trailer_signature = std::string(value);
      return {};
    }
    if (std::find(declared_trailers.begin(), declared_trailers.end(), name) ==
        declared_trailers.end()) {
      return fail(trailer_error("the trailer " + name.substr(0, 64) +
                                " was not declared in x-amz-trailer"));
    }
    for (const AwsTrailer& t : trailers) {
      if (t.name == name) {
        return fail(trailer_error("the trailer " + name + " is repeated"));
      }
    }
    canonical_trailers.append(name).append(":").append(value).append("\n");
    trailers.push_back({std::move(name), std::string(value)});
    return {};
  }

  Status end_of_trailers() {
    if (trailers.size() != declared_trailers.size()) {
      return fail(trailer_error("a trailer declared in x-amz-trailer is missing"));
    }
    if (signed_trailer) {
      if (!trailer_signature) {
        return fail(trailer_error("x-amz-trailer-signature is missing"));
      }
      const std::string hash = digest_hex(crypto->sha256(canonical_trailers));
      const Sha256Digest expected =
          crypto->hmac_sha256(digest_bytes(signing_key),
                              trailer_string_to_sign(amz_date, scope, previous_signature, hash));
      if (!signature_matches(expected, *trailer_signature)) {
        return fail(bad_signature("trailer"));
      }
    }
    if (declared_length && decoded != *declared_length) {
      return fail(framing("the payload is shorter than x-amz-decoded-content-length"));
    }
    return {};
  }

  // Reads header or trailer line bytes from input[i..]; on a complete line, handles it.
  Status read_line(std::string_view input, std::size_t& i) {
    const bool trailer = phase == Phase::kTrailerLine;
    const std::size_t limit =
        trailer ? kAwsChunkedMaxTrailerBytes - std::min(trailer_bytes, kAwsChunkedMaxTrailerBytes)
                : kAwsChunkedMaxHeaderLine;
    const std::size_t newline = input.find('\n', i);
    const std::size_t end = newline == std::string_view::npos ? input.size() : newline;
    // +1: the CR before the LF is still in `line`.
    if (line.size() + (end - i) > limit + 1) {
      return fail(trailer ? trailer_error("the trailers exceed 16 KiB")
                          : framing("a chunk header line exceeds 4096 bytes"));
    }
    line.append(input.substr(i, end - i));
    i = end;
    if (newline == std::string_view::npos) {
      return {};
    }
    ++i;
    if (line.empty() || line.back() != '\r') {
      return fail(framing("a line must end in CRLF"));
    }
    line.pop_back();
    if (line.find('\r') != std::string::npos) {
      return fail(framing("a bare CR inside a line"));
    }
    if (trailer) {
      trailer_bytes += line.size() + 2;
    }
    Status status = trailer ? on_trailer_line() : on_header_line();
    line.clear();
    return status;
  }
};

AwsChunkedDecoder::AwsChunkedDecoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
AwsChunkedDecoder::AwsChunkedDecoder(AwsChunkedDecoder&&) noexcept = default;
AwsChunkedDecoder& AwsChunkedDecoder::operator=(AwsChunkedDecoder&&) noexcept = default;
AwsChunkedDecoder::~AwsChunkedDecoder() = default;

Result<AwsChunkedDecoder> AwsChunkedDecoder::create(
    const Sigv4Verified& verified, std::optional<std::uint64_t> decoded_content_length,
    std::string_view x_amz_trailer, const Sigv4Crypto& crypto) {
  if (!is_streaming(verified.payload_mode)) {
    return sigv4_error(s3_error::kInvalidArgument,
                       "an aws-chunked body needs a STREAMING-* x-amz-content-sha256");
  }
  auto state = std::make_unique<State>();
  state->crypto = &crypto;
  state->signed_chunks = verified.payload_mode != PayloadMode::kStreamingUnsignedTrailer;
  state->signed_trailer = verified.payload_mode == PayloadMode::kStreamingSignedTrailer;
  state->trailers_allowed = verified.payload_mode != PayloadMode::kStreamingSigned;
  state->signing_key = verified.signing_key;
  state->amz_date = verified.amz_date;
  state->scope = verified.scope;
  state->previous_signature = verified.seed_signature;
  state->declared_length = decoded_content_length;
  state->hasher = crypto.new_sha256();
  while (!trim_blanks(x_amz_trailer).empty()) {
    const std::size_t comma = x_amz_trailer.find(',');
    std::string name = lowercase(trim_blanks(x_amz_trailer.substr(0, comma)));
    x_amz_trailer = comma == std::string_view::npos ? "" : x_amz_trailer.substr(comma + 1);
    if (!is_checksum_trailer_name(name) ||
        std::find(state->declared_trailers.begin(), state->declared_trailers.end(), name) !=
            state->declared_trailers.end()) {
      return sigv4_error(s3_error::kInvalidRequest,
                         "The value specified in the x-amz-trailer header is not supported");
    }
    state->declared_trailers.push_back(std::move(name));
  }
  if (!state->trailers_allowed && !state->declared_trailers.empty()) {
    return sigv4_error(s3_error::kInvalidRequest,
                       "x-amz-trailer needs a -TRAILER x-amz-content-sha256");
  }
  return AwsChunkedDecoder(std::move(state));
}

Status AwsChunkedDecoder::feed(std::string_view input, std::string& out) {
  State& s = *state_;
  if (s.error) {
    return *s.error;
  }
  std::size_t i = 0;
  while (i < input.size()) {
    switch (s.phase) {
      case Phase::kChunkHeader:
      case Phase::kTrailerLine:
        if (auto status = s.read_line(input, i); !status) {
          return status;
        }
        break;
      case Phase::kChunkData: {
        const std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(s.chunk_remaining, input.size() - i));
        const std::string_view piece = input.substr(i, take);
        if (s.signed_chunks) {
          s.hasher->update(piece);
        }
        out.append(piece);
        s.decoded += take;
        s.chunk_remaining -= take;
        i += take;
        if (s.chunk_remaining == 0) {
          s.phase = Phase::kDataCr;
        }
        break;
      }
      case Phase::kDataCr:
        if (input[i++] != '\r') {
          return s.fail(framing("chunk data must be followed by CRLF"));
        }
        s.phase = Phase::kDataLf;
        break;
      case Phase::kDataLf:
        if (input[i++] != '\n') {
          return s.fail(framing("chunk data must be followed by CRLF"));
        }
        if (auto status = s.verify_chunk(); !status) {
          return status;
        }
        s.phase = Phase::kChunkHeader;
        break;
      case Phase::kDone:
        return s.fail(framing("data after the end of the body"));
    }
  }
  return {};
}

Status AwsChunkedDecoder::finish() {
  State& s = *state_;
  if (s.error) {
    return *s.error;
  }
  if (s.phase == Phase::kDone) {
    return {};
  }
  if (s.phase == Phase::kTrailerLine && s.line.empty()) {
    // The final CRLF is missing, nothing else: accepted (see the header).
    if (auto status = s.end_of_trailers(); !status) {
      return status;
    }
    s.phase = Phase::kDone;
    return {};
  }
  return s.fail(framing("the request body terminated unexpectedly"));
}

bool AwsChunkedDecoder::complete() const { return state_->phase == Phase::kDone; }
std::uint64_t AwsChunkedDecoder::decoded_bytes() const { return state_->decoded; }
const std::vector<AwsTrailer>& AwsChunkedDecoder::trailers() const { return state_->trailers; }

}  // namespace castor
