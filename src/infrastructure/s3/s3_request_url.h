#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/error.h"

namespace castor {

// One query parameter of an S3 request, unescaped ("list-type", "2").
using S3QueryParam = std::pair<std::string, std::string>;

// The parts of an S3 endpoint URL, "http(s)://host[:port]" (<CLASS>_S3_ENDPOINT).
struct S3Endpoint {
  std::string scheme;  // "http" or "https"
  std::string host;    // a name, an IPv4 address, or an IPv6 address in brackets ("[::1]")
  std::optional<std::uint16_t> port;  // as written; nullopt: the scheme's default
};

// Parses an endpoint URL: http or https (either case), a host, an optional port (1 .. 65535), an
// optional trailing '/', nothing else (no path, query, fragment or user info). InvalidArgument
// naming what is wrong otherwise.
Result<S3Endpoint> parse_s3_endpoint(std::string_view url);

// The escaped path of `key` as SigV4 canonicalises it for S3 ("Create a canonical request",
// UriEncode with '/' kept): every byte but A-Z a-z 0-9 - . _ ~ and '/' becomes %XY (uppercase).
// S3 neither normalises nor double-encodes the path, so this is both what is sent and what is
// signed.
std::string s3_escape_key(std::string_view key);

// The query string of `params`, each name and value UriEncoded ('/' too), sorted by name then
// value, every parameter written as "name=value" (also with an empty value: curl 7.88's SigV4
// signs a bare "uploads" as "uploads", S3 expects "uploads="). Since it is already in canonical
// order and form, the signer's canonical query string equals it. Empty for no parameters.
std::string s3_query_string(std::vector<S3QueryParam> params);

// Builds the URLs of one bucket of one endpoint, path-style ({endpoint}/{bucket}/{key}) or
// virtual-hosted ({bucket}.{host}/{key}) (S3 User Guide, "Virtual hosting of buckets").
// Immutable and thread-safe.
class S3UrlBuilder {
 public:
  S3UrlBuilder(S3Endpoint endpoint, std::string bucket, bool path_style);

  // The full URL of `key` ("" with `bucket_level`: the bucket itself) with `query`
  // (s3_query_string form, may be empty).
  std::string url(std::string_view key, bool bucket_level, std::string_view query) const;
  // The origin-form request-target of the same: path and, when `query` is not empty, '?' query.
  std::string target(std::string_view key, bool bucket_level, std::string_view query) const;
  // The Host header curl sends for these URLs: the host, plus ":port" unless the port is the
  // scheme's default (80, 443) or not given.
  std::string host_header() const;
  // The scheme and authority of these URLs ("http://bucket.host:9000"): what precedes target().
  std::string origin() const;
  // "http://host:port" as configured, for messages.
  std::string endpoint_text() const;
  const std::string& bucket() const { return bucket_; }

 private:
  S3Endpoint endpoint_;
  std::string bucket_;
  bool path_style_;
};

}  // namespace castor
