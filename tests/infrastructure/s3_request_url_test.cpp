#include "infrastructure/s3/s3_request_url.h"

#include <catch2/catch.hpp>

namespace castor {

TEST_CASE("parse_s3_endpoint accepts http(s)://host[:port] only", "[unit]") {
  auto plain = parse_s3_endpoint("http://127.0.0.1:9000");
  REQUIRE(plain);
  CHECK(plain->scheme == "http");
  CHECK(plain->host == "127.0.0.1");
  CHECK(plain->port == 9000);
  auto tls = parse_s3_endpoint("HTTPS://S3.Example.com/");
  REQUIRE(tls);
  CHECK(tls->scheme == "https");
  CHECK(tls->host == "s3.example.com");
  CHECK_FALSE(tls->port.has_value());
  auto v6 = parse_s3_endpoint("http://[::1]:8080");
  REQUIRE(v6);
  CHECK(v6->host == "[::1]");
  CHECK(v6->port == 8080);
  for (const char* bad :
       {"", "127.0.0.1:9000", "ftp://host", "http://", "http://host:", "http://host:0",
        "http://host:65536", "http://host:9x", "http://host/bucket", "http://user@host",
        "http://host?x=1", "http://ho st", "http://[::1", "http://[zz]"}) {
    INFO(bad);
    auto parsed = parse_s3_endpoint(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("s3_escape_key escapes each segment per SigV4 and keeps '/'", "[unit]") {
  CHECK(s3_escape_key("ab/cd/0123abcdef") == "ab/cd/0123abcdef");
  CHECK(s3_escape_key(".tmp/obj-1_x~y") == ".tmp/obj-1_x~y");
  CHECK(s3_escape_key("a b+c&d=e%f") == "a%20b%2Bc%26d%3De%25f");
  CHECK(s3_escape_key("ü/é") == "%C3%BC/%C3%A9");
  CHECK(s3_escape_key("a//b/") == "a//b/");
}

TEST_CASE("s3_query_string sorts, escapes and writes name=value", "[unit]") {
  CHECK(s3_query_string({}).empty());
  CHECK(s3_query_string({{"uploads", ""}}) == "uploads=");
  CHECK(s3_query_string({{"uploadId", "a/b+c"}, {"partNumber", "2"}}) ==
        "partNumber=2&uploadId=a%2Fb%2Bc");
  CHECK(
      s3_query_string(
          {{"start-after", "p/ab/cd"}, {"prefix", "p/"}, {"max-keys", "3"}, {"list-type", "2"}}) ==
      "list-type=2&max-keys=3&prefix=p%2F&start-after=p%2Fab%2Fcd");
  CHECK(s3_query_string({{"response-content-disposition", "attachment; filename=\"a b\""}}) ==
        "response-content-disposition=attachment%3B%20filename%3D%22a%20b%22");
}

TEST_CASE("S3UrlBuilder: path-style and virtual-hosted URLs", "[unit]") {
  const S3Endpoint local{.scheme = "http", .host = "127.0.0.1", .port = 9000};
  const S3UrlBuilder path(local, "blobs", true);
  CHECK(path.url("ab/cd/x y", false, "") == "http://127.0.0.1:9000/blobs/ab/cd/x%20y");
  CHECK(path.url("", true, "list-type=2") == "http://127.0.0.1:9000/blobs?list-type=2");
  CHECK(path.target("k", false, "uploads=") == "/blobs/k?uploads=");
  CHECK(path.host_header() == "127.0.0.1:9000");
  CHECK(path.origin() == "http://127.0.0.1:9000");
  CHECK(path.endpoint_text() == "http://127.0.0.1:9000");

  const S3Endpoint aws{.scheme = "https", .host = "s3.eu-west-1.amazonaws.com", .port = 443};
  const S3UrlBuilder hosted(aws, "blobs", false);
  CHECK(hosted.url("ab/cd/h", false, "") == "https://blobs.s3.eu-west-1.amazonaws.com/ab/cd/h");
  CHECK(hosted.url("", true, "") == "https://blobs.s3.eu-west-1.amazonaws.com/");
  CHECK(hosted.host_header() == "blobs.s3.eu-west-1.amazonaws.com");
  CHECK(hosted.endpoint_text() == "https://s3.eu-west-1.amazonaws.com:443");
}

}  // namespace castor
