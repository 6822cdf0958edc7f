// Property-style tests: random requests signed by castor's own signer verify; one changed byte
// anywhere signed fails with SignatureDoesNotMatch. Random aws-chunked bodies decode the same at
// every split position. Seeded, so a failure reproduces.

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "domain/aws_chunked.h"
#include "domain/sigv4.h"
#include "domain/sigv4_canonical.h"
#include "domain/sigv4_signer.h"
#include "domain/sigv4_test_support.h"

namespace castor {
namespace {

using namespace sigv4_test;

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

struct Random {
  std::mt19937 engine;
  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(engine);
  }
  char alnum() { return kAlnum[below(kAlnum.size())]; }
  // Bytes that exercise the encoding: unreserved, reserved, space, '%', '+', UTF-8.
  std::string text(std::size_t max_length) {
    static const std::vector<std::string> kPieces = {"a", "Z", "0", "-", ".",        "_",
                                                     "~", " ", "$", "&", "=",        "+",
                                                     "%", "/", "?", "#", "\xc3\xa9", "\xe2\x82\xac",
                                                     "!", "*"};
    std::string out;
    const std::size_t length = below(max_length + 1);
    for (std::size_t i = 0; i < length; ++i) {
      out += below(2) == 0 ? std::string(1, alnum()) : kPieces[below(kPieces.size())];
    }
    return out;
  }
};

// Positions of alphanumeric characters of `text` in [from, to) that are not part of a %XY escape.
std::vector<std::size_t> plain_alnum_positions(std::string_view text, std::size_t from,
                                               std::size_t to) {
  std::vector<std::size_t> positions;
  for (std::size_t i = from; i < to; ++i) {
    const bool escaped = (i >= 1 && text[i - 1] == '%') || (i >= 2 && text[i - 2] == '%');
    if (!escaped && kAlnum.find(text[i]) != std::string_view::npos) {
      positions.push_back(i);
    }
  }
  return positions;
}

void change_alnum(Random& rng, std::string& text, std::size_t at) {
  char replacement = rng.alnum();
  while (replacement == text[at]) {
    replacement = rng.alnum();
  }
  text[at] = replacement;
}

TEST_CASE("SigV4 property: own signatures verify, any changed signed byte does not", "[unit]") {
  Random rng{std::mt19937(20130524)};
  const Sigv4SigningCredentials creds{std::string(kAccessKeyId), std::string(kSecretKey),
                                      "eu-west-3"};
  const std::vector<std::string> methods = {"GET", "PUT", "HEAD", "DELETE", "POST"};
  for (int iteration = 0; iteration < 300; ++iteration) {
    INFO("iteration " << iteration);
    OwnedRequest r;
    r.method = methods[rng.below(methods.size())];
    r.target = "/" + sigv4_uri_encode(rng.text(12), true);
    for (std::size_t i = rng.below(3); i > 0; --i) {
      r.target += "/" + sigv4_uri_encode(rng.text(10), true);
    }
    std::string query;
    for (std::size_t i = rng.below(4); i > 0; --i) {
      query += (query.empty() ? "" : "&") + std::string(1, rng.alnum()) +
               sigv4_uri_encode(rng.text(6), true);
      if (rng.below(3) != 0) {
        query += "=" + sigv4_uri_encode(rng.text(8), true);
      }
    }
    const std::size_t query_start = r.target.size() + 1;
    const std::size_t query_end = query_start + query.size();
    if (!query.empty()) {
      r.target += "?" + query;
    }
    const bool presigned = rng.below(2) == 0;
    r.headers.push_back({"Host", std::string(1, rng.alnum()) + ".s3.castor.test"});
    for (std::size_t i = rng.below(4); i > 0; --i) {
      r.headers.push_back({"x-amz-meta-" + std::string(1, rng.alnum()) + std::to_string(i),
                           "  " + std::string(1, rng.alnum()) + rng.text(10) + "\t"});
    }
    const std::string date = "20130524T000000Z";
    std::string signature;
    if (presigned) {
      auto target = presign_target(r.view(), creds, date, 3600, crypto());
      REQUIRE(target);
      r.target = *target;
    } else {
      const std::string payload = digest_hex(crypto().sha256(rng.text(20)));
      r.headers.push_back({"x-amz-date", date});
      r.headers.push_back({"x-amz-content-sha256", payload});
      auto value = sign_authorization(r.view(), creds, date, payload, crypto());
      REQUIRE(value);
      r.headers.push_back({"Authorization", *value});
    }
    INFO(r.method << " " << r.target);
    REQUIRE(reason_of(parse_and_verify(r)) == "OK");

    // One change in the method, path, query, a header value or the signature.
    OwnedRequest changed = r;
    const std::size_t what = rng.below(5);
    const std::size_t path_end = std::min(r.target.find('?'), r.target.size());
    const auto path_positions = plain_alnum_positions(r.target, 0, path_end);
    const auto query_positions = plain_alnum_positions(r.target, query_start, query_end);
    if (what == 1 && !path_positions.empty()) {
      change_alnum(rng, changed.target, path_positions[rng.below(path_positions.size())]);
    } else if (what == 2 && !query_positions.empty()) {
      change_alnum(rng, changed.target, query_positions[rng.below(query_positions.size())]);
    } else if (what == 3) {
      std::string& host = changed.headers[0].second;
      change_alnum(rng, host, 0);
    } else if (what == 4 && r.headers.size() > 1 && r.headers[1].first.starts_with("x-amz-meta")) {
      std::string& value = changed.headers[1].second;
      change_alnum(rng, value, 2);  // the first non-blank
    } else if (presigned) {
      const std::size_t at = changed.target.size() - 1 - rng.below(64);
      changed.target[at] = changed.target[at] == '0' ? '1' : '0';
    } else {
      std::string& value = changed.headers.back().second;
      const std::size_t at = value.size() - 1 - rng.below(64);
      value[at] = value[at] == '0' ? '1' : '0';
    }
    INFO("changed to " << changed.method << " " << changed.target);
    CHECK(reason_of(parse_and_verify(changed)) == "SignatureDoesNotMatch");
  }
}

// Encodes `chunks` as a signed aws-chunked body with an optional checksum trailer, chained from
// `verified.seed_signature`.
std::string encode_signed(const Sigv4Verified& verified, const std::vector<std::string>& chunks,
                          const std::string& trailer_line, bool signed_trailer) {
  std::string body;
  std::string previous = verified.seed_signature;
  auto sign = [&](std::string_view data) {
    previous = sigv4_signature(verified.signing_key,
                               chunk_string_to_sign(verified.amz_date, verified.scope, previous,
                                                    digest_hex(crypto().sha256(data))),
                               crypto());
    return previous;
  };
  for (const std::string& data : chunks) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "%zx", data.size());
    body += std::string(hex) + ";chunk-signature=" + sign(data) + "\r\n" + data + "\r\n";
  }
  body += "0;chunk-signature=" + sign("") + "\r\n";
  if (!trailer_line.empty()) {
    body += trailer_line + "\r\n";
  }
  if (signed_trailer) {
    const std::string canonical = trailer_line + "\n";
    body += "x-amz-trailer-signature:" +
            sigv4_signature(verified.signing_key,
                            trailer_string_to_sign(verified.amz_date, verified.scope, previous,
                                                   digest_hex(crypto().sha256(canonical))),
                            crypto()) +
            "\r\n";
  }
  return body + "\r\n";
}

TEST_CASE("aws-chunked property: every split of random bodies decodes the same", "[unit]") {
  Random rng{std::mt19937(66560)};
  Sigv4Verified verified;
  verified.amz_date = "20130524T000000Z";
  verified.scope = "20130524/us-east-1/s3/aws4_request";
  verified.signing_key = sigv4_signing_key(kSecretKey, "20130524", "us-east-1", "s3", crypto());
  verified.seed_signature = std::string(64, 'f');
  for (int iteration = 0; iteration < 12; ++iteration) {
    std::vector<std::string> chunks(1 + rng.below(3));
    std::string payload;
    for (std::string& c : chunks) {
      c = rng.text(40) + "\r\n0\r\n";  // framing-like bytes inside data are data
      payload += c;
    }
    const std::size_t mode = iteration % 3;
    const std::string trailer = mode == 0 ? "" : "x-amz-checksum-crc32:AAAAAA==";
    std::string body;
    if (mode == 2) {
      verified.payload_mode = PayloadMode::kStreamingUnsignedTrailer;
      for (const std::string& c : chunks) {
        char hex[32];
        std::snprintf(hex, sizeof hex, "%zX", c.size());  // uppercase hex is hex too
        body += std::string(hex) + "\r\n" + c + "\r\n";
      }
      body += "0\r\n" + trailer + "\r\n\r\n";
    } else {
      verified.payload_mode =
          mode == 0 ? PayloadMode::kStreamingSigned : PayloadMode::kStreamingSignedTrailer;
      body = encode_signed(verified, chunks, trailer, mode == 1);
    }
    const std::string declared = mode == 0 ? "" : "x-amz-checksum-crc32";
    for (std::size_t a = 0; a <= body.size(); ++a) {
      for (std::size_t b = a; b <= body.size(); b += 1 + (b - a) / 4) {
        auto decoder = AwsChunkedDecoder::create(verified, payload.size(), declared, crypto());
        REQUIRE(decoder);
        std::string out;
        INFO("iteration " << iteration << " cuts " << a << ", " << b);
        REQUIRE(decoder->feed(std::string_view(body).substr(0, a), out));
        REQUIRE(decoder->feed(std::string_view(body).substr(a, b - a), out));
        REQUIRE(decoder->feed(std::string_view(body).substr(b), out));
        REQUIRE(decoder->finish());
        REQUIRE(out == payload);
        REQUIRE(decoder->trailers().size() == (mode == 0 ? 0u : 1u));
      }
    }
  }
}

}  // namespace
}  // namespace castor
