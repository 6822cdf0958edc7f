// libFuzzer target: the aws-chunked decoder on arbitrary bodies. The first byte picks the mode
// and the x-amz-trailer declared, the next two a split position; the rest is the body. Decoding
// must never crash, and feeding the body in two pieces must give exactly what one piece gives:
// the same status, the same payload bytes, the same trailers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/aws_chunked.h"
#include "domain/sigv4_canonical.h"
#include "fuzz_check.h"
#include "infrastructure/openssl_hmac.h"

namespace {

using namespace castor;

struct Outcome {
  std::string reason;
  std::string payload;
  std::string trailers;
};

Outcome decode(const Sigv4Verified& verified, std::string_view declared, std::string_view body,
               std::size_t split, const Sigv4Crypto& crypto) {
  auto decoder = AwsChunkedDecoder::create(verified, std::nullopt, declared, crypto);
  CASTOR_FUZZ_CHECK(decoder);
  Outcome outcome;
  Status status = decoder->feed(body.substr(0, split), outcome.payload);
  if (status) {
    status = decoder->feed(body.substr(split), outcome.payload);
  }
  if (status) {
    status = decoder->finish();
  }
  outcome.reason = status ? "OK" : status.error().reason;
  for (const AwsTrailer& t : decoder->trailers()) {
    outcome.trailers += t.name + ":" + t.value + "\n";
  }
  CASTOR_FUZZ_CHECK(decoder->decoded_bytes() == outcome.payload.size());
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const OpensslSigv4Crypto crypto;
  if (size < 3) {
    return 0;
  }
  Sigv4Verified verified;
  const PayloadMode modes[] = {PayloadMode::kStreamingSigned, PayloadMode::kStreamingSignedTrailer,
                               PayloadMode::kStreamingUnsignedTrailer};
  verified.payload_mode = modes[data[0] % 3];
  verified.amz_date = "20130524T000000Z";
  verified.scope = "20130524/us-east-1/s3/aws4_request";
  verified.signing_key = sigv4_signing_key("secret", "20130524", "us-east-1", "s3", crypto);
  verified.seed_signature = std::string(64, '0');
  const std::string_view declared =
      verified.payload_mode != PayloadMode::kStreamingSigned && (data[0] & 4) != 0
          ? "x-amz-checksum-crc32"
          : "";
  const std::string_view body(reinterpret_cast<const char*>(data) + 3, size - 3);
  const std::size_t split = (static_cast<std::size_t>(data[1]) << 8 | data[2]) % (body.size() + 1);

  const Outcome whole = decode(verified, declared, body, body.size(), crypto);
  const Outcome pieces = decode(verified, declared, body, split, crypto);
  // The same bytes in the same order: the same verdict, and the same bytes emitted before it.
  CASTOR_FUZZ_CHECK(whole.reason == pieces.reason);
  CASTOR_FUZZ_CHECK(whole.payload == pieces.payload);
  CASTOR_FUZZ_CHECK(whole.trailers == pieces.trailers);
  return 0;
}
