#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"
#include "domain/sigv4.h"
#include "domain/sigv4_crypto.h"

namespace castor {

// The aws-chunked body encoding of S3 uploads, decoded incrementally: S3 API Reference "Signature
// Calculations for the Authorization Header: Transferring Payload in Multiple Chunks (Chunked
// Upload)" and "Signature calculations for trailing headers (chunked uploads)". The wire format:
//
//   signed modes:  hex-size ";chunk-signature=" 64-hex CRLF data CRLF ... "0;chunk-signature=" sig
//                  CRLF [trailers] CRLF
//   unsigned:      hex-size CRLF data CRLF ... "0" CRLF [trailers] CRLF
//   trailers:      "x-amz-checksum-crc32c:sOO8/Q==" CRLF, and in the signed -TRAILER mode
//                  "x-amz-trailer-signature:" 64-hex CRLF last
//
// Each chunk signature chains from the previous one, the first from the request's seed signature;
// the trailer signature from the final (empty) chunk's.

// The most bytes of one chunk header line (without its CRLF), and of the whole trailer section.
inline constexpr std::size_t kAwsChunkedMaxHeaderLine = 4096;
inline constexpr std::size_t kAwsChunkedMaxTrailerBytes = 16 * 1024;

// A trailing header: name lowercase ("x-amz-checksum-crc32c"), value with blanks trimmed (base64
// of the checksum, not checked here).
struct AwsTrailer {
  std::string name;
  std::string value;
};

// The checksum trailers S3 accepts in x-amz-trailer.
bool is_checksum_trailer_name(std::string_view lowercase_name);

// Decodes one aws-chunked body. Not thread-safe; one per request. Movable, not copyable.
//
// Payload bytes are emitted as they arrive, before the signature of their chunk (which follows
// the data) is checked: the caller must treat the body as untrusted until finish() returns OK,
// and discard what it wrote on any error. Memory is bounded: at most one header line or the
// trailer section is buffered, never chunk data.
//
// Errors (Error::reason, all sticky: every later call returns the first error):
//   IncompleteBody: malformed framing (bad hex size, missing CRLF, bare CR or LF, a chunk
//     extension other than one chunk-signature in the signed modes, a header line over 4096
//     bytes), data after the end, a body that ends early, or payload bytes other than
//     x-amz-decoded-content-length (a chunk that would exceed it fails at its header);
//   SignatureDoesNotMatch: a chunk or trailer signature that does not verify;
//   MalformedTrailerError: a trailer in a mode without trailers, a trailer not declared in
//     x-amz-trailer or given twice, a declared trailer missing, a line without ':', a missing
//     x-amz-trailer-signature in the signed -TRAILER mode, trailers over 16 KiB.
class AwsChunkedDecoder {
 public:
  // A decoder for the body of a request verified by verify_sigv4() whose payload mode is one of
  // the streaming modes. `decoded_content_length` is x-amz-decoded-content-length (nullopt: not
  // checked); `x_amz_trailer` the x-amz-trailer header ("" if absent): a comma-separated list of
  // checksum trailer names. `crypto` must outlive the decoder. Errors: InvalidArgument (reason
  // InvalidArgument) for a non-streaming mode; InvalidRequest for an unsupported trailer name, or
  // x-amz-trailer in a mode without trailers.
  static Result<AwsChunkedDecoder> create(const Sigv4Verified& verified,
                                          std::optional<std::uint64_t> decoded_content_length,
                                          std::string_view x_amz_trailer,
                                          const Sigv4Crypto& crypto);

  AwsChunkedDecoder(AwsChunkedDecoder&&) noexcept;
  AwsChunkedDecoder& operator=(AwsChunkedDecoder&&) noexcept;
  ~AwsChunkedDecoder();

  // Consumes all of `input` (any slice of the body; a header line may be split anywhere) and
  // appends the payload bytes it contains to `out`.
  Status feed(std::string_view input, std::string& out);

  // Ends the body: OK if the final chunk and the trailer section were complete (the last CRLF
  // after the trailers may be missing, as some SDKs omit it) and every check passed.
  Status finish();

  // Whether the final CRLF has been seen (finish() would succeed).
  bool complete() const;
  // Payload bytes emitted so far.
  std::uint64_t decoded_bytes() const;
  // The trailers received (x-amz-trailer-signature excluded), in order; the caller verifies the
  // checksum they carry against the payload.
  const std::vector<AwsTrailer>& trailers() const;

 private:
  struct State;
  explicit AwsChunkedDecoder(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace castor
