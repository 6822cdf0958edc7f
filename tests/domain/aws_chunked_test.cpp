#include "domain/aws_chunked.h"

#include <cstdio>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "domain/sigv4_canonical.h"
#include "domain/sigv4_signer.h"
#include "domain/sigv4_test_support.h"

namespace castor {
namespace {

using namespace sigv4_test;

const std::string kSignedHeaders =
    "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
    "x-amz-decoded-content-length;x-amz-storage-class";

// The request of AWS's chunked upload example ("Transferring Payload in Multiple Chunks"), or of
// its trailer variant ("Signature calculations for trailing headers").
OwnedRequest chunked_example(bool trailer) {
  OwnedRequest r{"PUT",
                 "/examplebucket/chunkObject.txt",
                 {{"Host", "s3.amazonaws.com"},
                  {"x-amz-date", "20130524T000000Z"},
                  {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                  {"Content-Encoding", "aws-chunked"},
                  {"x-amz-decoded-content-length", "66560"}}};
  std::string signed_headers = kSignedHeaders;
  std::string seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  if (trailer) {
    r.headers.push_back({"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"});
    r.headers.push_back({"x-amz-trailer", "x-amz-checksum-crc32c"});
    signed_headers.replace(signed_headers.find("content-length;"), 15, "");
    signed_headers += ";x-amz-trailer";
    seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
  } else {
    r.headers.push_back({"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"});
    r.headers.push_back({"Content-Length", "66824"});
  }
  r.headers.push_back(
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
       "SignedHeaders=" +
           signed_headers + ",Signature=" + seed});
  return r;
}

std::string chunk(std::size_t size, std::string_view signature) {
  char hex[32];
  std::snprintf(hex, sizeof hex, "%zx", size);
  return std::string(hex) + ";chunk-signature=" + std::string(signature) + "\r\n" +
         std::string(size, 'a') + "\r\n";
}

// The example bodies, byte for byte: 66824 and 66946 bytes.
std::string chunked_body() {
  return chunk(65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648") +
         chunk(1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497") +
         "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n"
         "\r\n";
}

std::string trailer_body() {
  return chunk(65536, "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2") +
         chunk(1024, "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7") +
         "0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n"
         "x-amz-checksum-crc32c:sOO8/Q==\r\n"
         "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
         "\r\n\r\n";
}

Sigv4Verified verified_example(bool trailer) {
  auto verified = parse_and_verify(chunked_example(trailer));
  REQUIRE(reason_of(verified) == "OK");
  return *verified;
}

AwsChunkedDecoder decoder_for(const Sigv4Verified& verified,
                              std::optional<std::uint64_t> length = 66560,
                              std::string_view trailer = "") {
  auto decoder = AwsChunkedDecoder::create(verified, length, trailer, crypto());
  REQUIRE(reason_of(decoder) == "OK");
  return std::move(*decoder);
}

// Feeds `body` in pieces cut at `cuts` (ascending offsets), then finishes; returns the reason.
std::string decode(AwsChunkedDecoder& decoder, std::string_view body, std::string& out,
                   std::vector<std::size_t> cuts = {}) {
  std::size_t at = 0;
  cuts.push_back(body.size());
  for (std::size_t cut : cuts) {
    if (auto status = decoder.feed(body.substr(at, cut - at), out); !status) {
      return status.error().reason;
    }
    at = cut;
  }
  return reason_of(decoder.finish());
}

TEST_CASE("aws-chunked decodes AWS's example with its seed and chunk signatures", "[unit]") {
  const Sigv4Verified verified = verified_example(false);
  CHECK(verified.payload_mode == PayloadMode::kStreamingSigned);
  const std::string body = chunked_body();
  REQUIRE(body.size() == 66824);
  AwsChunkedDecoder decoder = decoder_for(verified);
  std::string out;
  CHECK(decode(decoder, body, out) == "OK");
  CHECK(out == std::string(66560, 'a'));
  CHECK(decoder.complete());
  CHECK(decoder.decoded_bytes() == 66560);
  CHECK(decoder.trailers().empty());
  // The string to sign of the first chunk, as the example shows it.
  CHECK(chunk_string_to_sign(verified.amz_date, verified.scope, verified.seed_signature,
                             digest_hex(crypto().sha256(std::string(65536, 'a')))) ==
        "AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a");
}

TEST_CASE("aws-chunked decodes AWS's trailer example and reports the checksum", "[unit]") {
  const Sigv4Verified verified = verified_example(true);
  CHECK(verified.payload_mode == PayloadMode::kStreamingSignedTrailer);
  const std::string body = trailer_body();
  REQUIRE(body.size() == 66946);
  AwsChunkedDecoder decoder = decoder_for(verified, 66560, "x-amz-checksum-crc32c");
  std::string out;
  CHECK(decode(decoder, body, out) == "OK");
  CHECK(out.size() == 66560);
  REQUIRE(decoder.trailers().size() == 1);
  CHECK(decoder.trailers()[0].name == "x-amz-checksum-crc32c");
  CHECK(decoder.trailers()[0].value == "sOO8/Q==");

  // A changed checksum breaks the trailer signature; a missing signature is malformed.
  std::string changed = body;
  changed.replace(changed.find("sOO8"), 4, "sOO9");
  AwsChunkedDecoder d2 = decoder_for(verified, 66560, "x-amz-checksum-crc32c");
  CHECK(decode(d2, changed, out) == "SignatureDoesNotMatch");
  std::string unsigned_trailer = body;
  unsigned_trailer.erase(unsigned_trailer.find("x-amz-trailer-signature"), 90);
  AwsChunkedDecoder d3 = decoder_for(verified, 66560, "x-amz-checksum-crc32c");
  CHECK(decode(d3, unsigned_trailer, out) == "MalformedTrailerError");
  // Undeclared, or declared but absent.
  AwsChunkedDecoder d4 = decoder_for(verified, 66560, "");
  CHECK(decode(d4, body, out) == "MalformedTrailerError");
  AwsChunkedDecoder d5 = decoder_for(verified, 66560, "x-amz-checksum-crc32c,x-amz-checksum-sha1");
  CHECK(decode(d5, body, out) == "MalformedTrailerError");
}

TEST_CASE("aws-chunked decodes the same however the body is sliced", "[unit]") {
  const Sigv4Verified verified = verified_example(false);
  const std::string body = chunked_body();
  // Every split position of the framing (the first header, both chunk boundaries, the end) and
  // every 61st inside the data; then one byte at a time.
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    const bool framing = i < 100 || (i > 65600 && i < 65720) || (i > 66720 && i < 66830);
    if (framing || i % 61 == 0) {
      positions.push_back(i);
    }
  }
  for (std::size_t cut : positions) {
    AwsChunkedDecoder decoder = decoder_for(verified);
    std::string out;
    INFO("cut at " << cut);
    REQUIRE(decode(decoder, body, out, {cut}) == "OK");
    REQUIRE(out.size() == 66560);
  }
  AwsChunkedDecoder decoder = decoder_for(verified);
  std::string out;
  for (char c : body) {
    REQUIRE(decoder.feed(std::string_view(&c, 1), out));
  }
  CHECK(decoder.finish());
  CHECK(out == std::string(66560, 'a'));
}

TEST_CASE("aws-chunked rejects a bad chunk signature or changed data", "[unit]") {
  const Sigv4Verified verified = verified_example(false);
  std::string out;
  std::string body = chunked_body();
  body[body.find("ad80c730")] = 'b';
  AwsChunkedDecoder d1 = decoder_for(verified);
  CHECK(decode(d1, body, out) == "SignatureDoesNotMatch");
  body = chunked_body();
  body[70000 - 4000] = 'b';  // a byte of the second chunk's data
  AwsChunkedDecoder d2 = decoder_for(verified);
  CHECK(decode(d2, body, out) == "SignatureDoesNotMatch");
  // The final empty chunk is signed too.
  body = chunked_body();
  body[body.find("b6c6ea8a")] = 'c';
  AwsChunkedDecoder d3 = decoder_for(verified);
  CHECK(decode(d3, body, out) == "SignatureDoesNotMatch");
  // Errors stick.
  CHECK(d3.feed("x", out).error().reason == "SignatureDoesNotMatch");
  CHECK(d3.finish().error().reason == "SignatureDoesNotMatch");
  // Reordered chunks fail: each signature chains from the previous one.
  Sigv4Verified other_seed = verified;
  other_seed.seed_signature = std::string(64, '0');
  AwsChunkedDecoder d4 = decoder_for(other_seed);
  CHECK(decode(d4, chunked_body(), out) == "SignatureDoesNotMatch");
}

TEST_CASE("aws-chunked checks x-amz-decoded-content-length", "[unit]") {
  const Sigv4Verified verified = verified_example(false);
  std::string out;
  AwsChunkedDecoder shorter = decoder_for(verified, 66559);
  CHECK(decode(shorter, chunked_body(), out) == "IncompleteBody");
  CHECK(shorter.decoded_bytes() == 65536);  // the second chunk's header already failed
  AwsChunkedDecoder longer = decoder_for(verified, 66561);
  CHECK(decode(longer, chunked_body(), out) == "IncompleteBody");
  AwsChunkedDecoder unchecked = decoder_for(verified, std::nullopt);
  CHECK(decode(unchecked, chunked_body(), out) == "OK");
}

TEST_CASE("aws-chunked rejects every truncation but the last CRLF", "[unit]") {
  const Sigv4Verified verified = verified_example(false);
  const std::string body = chunked_body();
  for (std::size_t length = 0; length < body.size(); ++length) {
    const bool framing = length < 100 || (length > 65600 && length < 65720) || length > 66720;
    if (!framing && length % 97 != 0) {
      continue;
    }
    AwsChunkedDecoder decoder = decoder_for(verified, std::nullopt);
    std::string out;
    INFO("length " << length);
    const std::string reason = decode(decoder, body.substr(0, length), out);
    // Only the final CRLF may be missing (some SDKs omit it).
    CHECK(reason == (length == body.size() - 2 ? "OK" : "IncompleteBody"));
  }
}

TEST_CASE("aws-chunked rejects malformed framing without buffering it", "[unit]") {
  const Sigv4Verified verified = verified_example(false);
  const std::string sig = ";chunk-signature=" + std::string(64, 'a');
  auto reason = [&](std::string body) {
    AwsChunkedDecoder decoder = decoder_for(verified, std::nullopt);
    std::string out;
    return decode(decoder, body, out);
  };
  CHECK(reason("") == "IncompleteBody");
  CHECK(reason("x" + sig + "\r\n") == "IncompleteBody");
  CHECK(reason(sig + "\r\n") == "IncompleteBody");
  CHECK(reason("10000000000000000" + sig + "\r\n") == "IncompleteBody");  // 17 hex digits
  CHECK(reason("1 " + sig + "\r\n") == "IncompleteBody");
  CHECK(reason("1\r\n") == "IncompleteBody");  // signed mode needs the signature
  CHECK(reason("1" + sig + "x\r\n") == "IncompleteBody");
  CHECK(reason("1" + sig + "\n") == "IncompleteBody");  // LF without CR
  CHECK(reason("1" + sig + "\r\r\n") == "IncompleteBody");
  CHECK(reason("1" + sig + "\r\na\n\n") == "IncompleteBody");  // data not followed by CRLF
  CHECK(reason(chunked_body() + "0") == "IncompleteBody");     // data after the end
  CHECK(reason(chunked_body().substr(0, 66822) + "x-amz-checksum-crc32:AAAAAA==\r\n\r\n") ==
        "MalformedTrailerError");  // trailers need a -TRAILER mode

  // An endless header line fails at 4 KiB, whatever the slicing.
  AwsChunkedDecoder decoder = decoder_for(verified, std::nullopt);
  std::string out;
  const std::string ones(1000, '1');
  Status status;
  int fed = 0;
  while (status && fed < 1000) {
    status = decoder.feed(ones, out);
    ++fed;
  }
  CHECK(fed == 5);
  CHECK(status.error().reason == "IncompleteBody");
  AwsChunkedDecoder exact = decoder_for(verified, std::nullopt);
  CHECK(exact.feed(std::string(kAwsChunkedMaxHeaderLine, '1'), out));
  CHECK(exact.feed("\r", out));
  CHECK(exact.feed("\n", out).error().reason == "IncompleteBody");  // a valid limit, bad hex
}

TEST_CASE("aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER from signature to trailer", "[unit]") {
  // What aws-cli and boto3 send by default since they compute CRC checksums: a header-signed
  // request, unsigned chunks, and the checksum in a trailer.
  OwnedRequest r{"PUT",
                 "/bucket/hello.txt",
                 {{"Host", "localhost:9000"},
                  {"x-amz-date", "20130524T000000Z"},
                  {"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
                  {"Content-Encoding", "aws-chunked"},
                  {"x-amz-decoded-content-length", "11"},
                  {"x-amz-trailer", "x-amz-checksum-crc32"}}};
  const Sigv4SigningCredentials creds{std::string(kAccessKeyId), std::string(kSecretKey), "garage"};
  auto value = sign_authorization(r.view(), creds, "20130524T000000Z",
                                  "STREAMING-UNSIGNED-PAYLOAD-TRAILER", crypto());
  REQUIRE(value);
  r.headers.push_back({"Authorization", *value});
  auto verified = parse_and_verify(r);
  REQUIRE(reason_of(verified) == "OK");
  CHECK(verified->payload_mode == PayloadMode::kStreamingUnsignedTrailer);
  auto decoder = AwsChunkedDecoder::create(*verified, 11, "x-amz-checksum-crc32", crypto());
  REQUIRE(decoder);
  std::string out;
  CHECK(decode(*decoder, "6\r\nhello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n",
               out) == "OK");
  CHECK(out == "hello world");
  REQUIRE(decoder->trailers().size() == 1);
  CHECK(decoder->trailers()[0].value == "DUoRhQ==");
  // Without a trailer declared, the JS SDK ends the body right after "0\r\n".
  auto bare = AwsChunkedDecoder::create(*verified, 11, "", crypto());
  REQUIRE(bare);
  out.clear();
  CHECK(decode(*bare, "b\r\nhello world\r\n0\r\n", out) == "OK");
  CHECK(out == "hello world");
}

TEST_CASE("aws-chunked limits the trailer section to 16 KiB", "[unit]") {
  Sigv4Verified verified;
  verified.payload_mode = PayloadMode::kStreamingUnsignedTrailer;
  auto decoder = AwsChunkedDecoder::create(verified, 3, "x-amz-checksum-sha256", crypto());
  REQUIRE(decoder);
  std::string out;
  const std::string body =
      "3\r\nabc\r\n0\r\nx-amz-checksum-sha256:" + std::string(kAwsChunkedMaxTrailerBytes, 'A') +
      "\r\n\r\n";
  CHECK(decode(*decoder, body, out) == "MalformedTrailerError");
}

TEST_CASE("aws-chunked create() refuses what it cannot decode", "[unit]") {
  Sigv4Verified verified;
  verified.payload_mode = PayloadMode::kUnsigned;
  CHECK(reason_of(AwsChunkedDecoder::create(verified, 1, "", crypto())) == "InvalidArgument");
  verified.payload_mode = PayloadMode::kStreamingUnsignedTrailer;
  CHECK(reason_of(AwsChunkedDecoder::create(verified, 1, "x-amz-checksum-md5", crypto())) ==
        "InvalidRequest");
  CHECK(reason_of(AwsChunkedDecoder::create(
            verified, 1, "x-amz-checksum-crc32, x-amz-checksum-crc32", crypto())) ==
        "InvalidRequest");
  CHECK(reason_of(AwsChunkedDecoder::create(
            verified, 1, " X-Amz-Checksum-CRC64NVME , x-amz-checksum-sha1", crypto())) == "OK");
  verified.payload_mode = PayloadMode::kStreamingSigned;
  CHECK(reason_of(AwsChunkedDecoder::create(verified, 1, "x-amz-checksum-crc32", crypto())) ==
        "InvalidRequest");
}

}  // namespace
}  // namespace castor
