// The S3-compatible API end to end (docs/S3.md): buckets, writes, reads, conditional requests,
// copies, deletes and authentication, through a real server and signed requests.
#include <catch2/catch.hpp>

#include "e2e/s3_support.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::unique_name;

struct Fixture {
  S3Environment& env = s3_environment();
  std::string tenant = unique_name("t");
  S3TestClient s3{env.server.port(), create_s3_credential(env.server.port(), tenant)};
  std::string bucket = unique_name("b");

  Fixture() { REQUIRE(s3.create_bucket(bucket).status == 200); }
};

std::string error_code(const testing::HttpResponse& r) {
  return xml_value(r.body, "Code").value_or("<none>");
}

TEST_CASE("S3: buckets are created, found, listed and deleted per tenant", "[s3]") {
  Fixture f;
  SECTION("a second CreateBucket of the same name is BucketAlreadyOwnedByYou") {
    auto again = f.s3.create_bucket(f.bucket);
    CHECK(again.status == 409);
    CHECK(error_code(again) == "BucketAlreadyOwnedByYou");
  }
  SECTION("HeadBucket, GetBucketLocation, GetBucketVersioning") {
    CHECK(f.s3.send({.method = "HEAD", .bucket = f.bucket}).status == 200);
    CHECK(f.s3.send({.method = "HEAD", .bucket = unique_name("none")}).status == 404);
    auto location = f.s3.send({.bucket = f.bucket, .query = {{"location", ""}}});
    CHECK(location.status == 200);
    CHECK(location.body.find("<LocationConstraint") != std::string::npos);
    auto versioning = f.s3.send({.bucket = f.bucket, .query = {{"versioning", ""}}});
    CHECK(versioning.status == 200);
    CHECK(versioning.body.find("<Status>") == std::string::npos);
  }
  SECTION("ListBuckets lists this tenant's buckets only") {
    Fixture other;
    auto list = f.s3.send({});
    REQUIRE(list.status == 200);
    CHECK(list.body.find("<Name>" + f.bucket + "</Name>") != std::string::npos);
    CHECK(list.body.find("<Name>" + other.bucket + "</Name>") == std::string::npos);
    // The other tenant cannot see or use this tenant's bucket.
    CHECK(other.s3.send({.method = "HEAD", .bucket = f.bucket}).status == 404);
    CHECK(other.s3.put(f.bucket, "k", "x").status == 404);
  }
  SECTION("bad bucket names are InvalidBucketName") {
    for (std::string name : {"ab", "Upper", "a..b", "192.168.1.1", "-dash"}) {
      auto r = f.s3.create_bucket(name);
      CHECK(r.status == 400);
      CHECK(error_code(r) == "InvalidBucketName");
    }
  }
  SECTION("DeleteBucket refuses a bucket with objects, then deletes it empty") {
    REQUIRE(f.s3.put(f.bucket, "k", "content").status == 200);
    auto full = f.s3.send({.method = "DELETE", .bucket = f.bucket});
    CHECK(full.status == 409);
    CHECK(error_code(full) == "BucketNotEmpty");
    REQUIRE(f.s3.remove(f.bucket, "k").status == 204);
    CHECK(f.s3.send({.method = "DELETE", .bucket = f.bucket}).status == 204);
    CHECK(f.s3.send({.method = "HEAD", .bucket = f.bucket}).status == 404);
    auto put = f.s3.put(f.bucket, "k", "content");
    CHECK(put.status == 404);
    CHECK(error_code(put) == "NoSuchBucket");
  }
}

TEST_CASE("S3: PutObject stores content, metadata and headers; GetObject returns them", "[s3]") {
  Fixture f;
  const std::string content = testing::random_bytes(300 * 1024 + 7);
  auto put = f.s3.put(f.bucket, "dir/file.bin", content,
                      {{"Content-Type", "application/x-test"},
                       {"x-amz-meta-Model", "llama"},
                       {"x-amz-meta-run", "42"},
                       {"Content-Disposition", "attachment; filename=\"f.bin\""},
                       {"Cache-Control", "max-age=60"},
                       {"Content-MD5", md5_base64(content)}});
  REQUIRE(put.status == 200);
  CHECK(put.header("ETag") == "\"" + md5_hex(content) + "\"");

  auto get = f.s3.get(f.bucket, "dir/file.bin");
  REQUIRE(get.status == 200);
  CHECK(get.body == content);
  CHECK(get.header("ETag") == "\"" + md5_hex(content) + "\"");
  CHECK(get.header("Content-Type") == "application/x-test");
  CHECK(get.header("x-amz-meta-model") == "llama");
  CHECK(get.header("x-amz-meta-run") == "42");
  CHECK(get.header("Content-Disposition") == "attachment; filename=\"f.bin\"");
  CHECK(get.header("Cache-Control") == "max-age=60");
  CHECK(!get.header("Last-Modified").empty());

  auto head = f.s3.head(f.bucket, "dir/file.bin");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.header("Content-Length") == std::to_string(content.size()));

  SECTION("Range gives 206 with the bytes; an unsatisfiable one is InvalidRange") {
    auto part = f.s3.get(f.bucket, "dir/file.bin", {{"Range", "bytes=100-199"}});
    CHECK(part.status == 206);
    CHECK(part.body == content.substr(100, 100));
    CHECK(part.header("Content-Range") == "bytes 100-199/" + std::to_string(content.size()));
    auto bad = f.s3.get(f.bucket, "dir/file.bin", {{"Range", "bytes=999999999-"}});
    CHECK(bad.status == 416);
    CHECK(error_code(bad) == "InvalidRange");
  }
  SECTION("conditional reads follow RFC 9110's precedence") {
    const std::string etag = "\"" + md5_hex(content) + "\"";
    CHECK(f.s3.get(f.bucket, "dir/file.bin", {{"If-None-Match", etag}}).status == 304);
    CHECK(f.s3.get(f.bucket, "dir/file.bin", {{"If-Match", "\"0000\""}}).status == 412);
    CHECK(f.s3.get(f.bucket, "dir/file.bin", {{"If-Match", etag}}).status == 200);
    // If-Match true wins over a false If-Unmodified-Since.
    CHECK(f.s3.get(f.bucket, "dir/file.bin",
                   {{"If-Match", etag}, {"If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}})
              .status == 200);
    CHECK(
        f.s3.get(f.bucket, "dir/file.bin", {{"If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT"}})
            .status == 304);
  }
  SECTION("response-* overrides") {
    auto r = f.s3.send({.bucket = f.bucket,
                        .key = "dir/file.bin",
                        .query = {{"response-content-type", "text/plain"},
                                  {"response-content-disposition", "inline"}}});
    CHECK(r.status == 200);
    CHECK(r.header("Content-Type") == "text/plain");
    CHECK(r.header("Content-Disposition") == "inline");
  }
  SECTION("a missing key is NoSuchKey, in a missing bucket NoSuchBucket") {
    auto missing = f.s3.get(f.bucket, "nope");
    CHECK(missing.status == 404);
    CHECK(error_code(missing) == "NoSuchKey");
    auto no_bucket = f.s3.get(unique_name("none"), "nope");
    CHECK(no_bucket.status == 404);
    CHECK(error_code(no_bucket) == "NoSuchBucket");
  }
}

TEST_CASE("S3: an object written through S3 is the native object, and the reverse", "[s3]") {
  Fixture f;
  REQUIRE(f.s3.put(f.bucket, "shared/key", "via s3").status == 200);
  testing::HttpClient native("127.0.0.1", f.env.server.port());
  auto got =
      native.request("GET", "/v1/objects/by-key/" + f.bucket + "/" + f.tenant + "/shared/key");
  REQUIRE(got.status == 200);
  CHECK(got.body == "via s3");
  auto up = native.request(
      "POST", "/v1/objects",
      {{"X-Namespace", f.bucket}, {"X-Tenant", f.tenant}, {"X-Key", "native/k"}}, "via native");
  REQUIRE(up.status == 201);
  auto back = f.s3.get(f.bucket, "native/k");
  CHECK(back.status == 200);
  CHECK(back.body == "via native");
  CHECK(back.header("ETag") == "\"" + testing::sha256_hex("via native") + "\"");
}

TEST_CASE("S3: PutObject replaces; conditional writes decide in the commit", "[s3]") {
  Fixture f;
  REQUIRE(f.s3.put(f.bucket, "k", "one").status == 200);
  REQUIRE(f.s3.put(f.bucket, "k", "two").status == 200);
  CHECK(f.s3.get(f.bucket, "k").body == "two");

  auto exists = f.s3.put(f.bucket, "k", "three", {{"If-None-Match", "*"}});
  CHECK(exists.status == 412);
  CHECK(error_code(exists) == "PreconditionFailed");
  CHECK(f.s3.put(f.bucket, "new", "fresh", {{"If-None-Match", "*"}}).status == 200);

  auto stale = f.s3.put(f.bucket, "k", "four", {{"If-Match", "\"" + md5_hex("one") + "\""}});
  CHECK(stale.status == 412);
  CHECK(f.s3.put(f.bucket, "k", "five", {{"If-Match", "\"" + md5_hex("two") + "\""}}).status ==
        200);
  CHECK(f.s3.get(f.bucket, "k").body == "five");
  auto absent = f.s3.put(f.bucket, "absent", "x", {{"If-Match", "\"" + md5_hex("x") + "\""}});
  CHECK(absent.status == 404);
}

TEST_CASE("S3: bad bodies store nothing", "[s3]") {
  Fixture f;
  SECTION("a Content-MD5 that does not match is BadDigest") {
    auto r = f.s3.put(f.bucket, "k", "content", {{"Content-MD5", md5_base64("other")}});
    CHECK(r.status == 400);
    CHECK(error_code(r) == "BadDigest");
  }
  SECTION("a malformed Content-MD5 is InvalidDigest") {
    auto r = f.s3.put(f.bucket, "k", "content", {{"Content-MD5", "nope"}});
    CHECK(r.status == 400);
    CHECK(error_code(r) == "InvalidDigest");
  }
  SECTION("a body that is not the signed payload is XAmzContentSHA256Mismatch") {
    auto r = f.s3.send({.method = "PUT",
                        .bucket = f.bucket,
                        .key = "k",
                        .body = "content",
                        .payload = S3Payload::kWrongHash});
    CHECK(r.status == 400);
    CHECK(error_code(r) == "XAmzContentSHA256Mismatch");
  }
  SECTION("a wrong x-amz-checksum-crc32 is BadDigest") {
    auto r = f.s3.put(f.bucket, "k", "content", {{"x-amz-checksum-crc32", "AAAAAA=="}});
    CHECK(r.status == 400);
    CHECK(error_code(r) == "BadDigest");
  }
  CHECK(f.s3.get(f.bucket, "k").status == 404);
}

TEST_CASE("S3: aws-chunked bodies with a checksum trailer and unsigned payloads", "[s3]") {
  Fixture f;
  const std::string content = testing::random_bytes(200 * 1024 + 3);
  auto chunked = f.s3.send({.method = "PUT",
                            .bucket = f.bucket,
                            .key = "chunked",
                            .headers = {{"x-amz-sdk-checksum-algorithm", "CRC32"}},
                            .body = content,
                            .payload = S3Payload::kChunkedTrailer});
  REQUIRE(chunked.status == 200);
  CHECK(!chunked.header("x-amz-checksum-crc32").empty());
  CHECK(f.s3.get(f.bucket, "chunked").body == content);
  auto with_mode = f.s3.get(f.bucket, "chunked", {{"x-amz-checksum-mode", "ENABLED"}});
  CHECK(with_mode.header("x-amz-checksum-crc32") == chunked.header("x-amz-checksum-crc32"));
  // A range is not the content the checksum is of: no checksum on a 206.
  auto ranged =
      f.s3.get(f.bucket, "chunked", {{"x-amz-checksum-mode", "ENABLED"}, {"Range", "bytes=0-9"}});
  CHECK(ranged.status == 206);
  CHECK(!ranged.has_header("x-amz-checksum-crc32"));

  auto unsigned_put = f.s3.send({.method = "PUT",
                                 .bucket = f.bucket,
                                 .key = "unsigned",
                                 .body = "plain",
                                 .payload = S3Payload::kUnsigned});
  CHECK(unsigned_put.status == 200);
  CHECK(f.s3.get(f.bucket, "unsigned").body == "plain");
}

TEST_CASE("S3: authentication failures are S3 errors", "[s3]") {
  Fixture f;
  SECTION("an unknown access key id") {
    S3TestClient unknown(f.env.server.port(), {"CKUNKNOWNUNKNOWN0000", "secret"});
    auto r = unknown.send({});
    CHECK(r.status == 403);
    CHECK(error_code(r) == "InvalidAccessKeyId");
  }
  SECTION("a wrong secret") {
    auto good = create_s3_credential(f.env.server.port(), f.tenant);
    S3TestClient bad(f.env.server.port(), {good.access_key_id, good.secret_access_key + "x"});
    auto r = bad.send({});
    CHECK(r.status == 403);
    CHECK(error_code(r) == "SignatureDoesNotMatch");
  }
  SECTION("an unsigned request") {
    testing::HttpClient http("127.0.0.1", f.env.server.port());
    auto r = http.request("GET", "/" + f.bucket);
    CHECK(r.status == 403);
    CHECK(error_code(r) == "AccessDenied");
  }
  SECTION("a read-only credential cannot write") {
    S3TestClient reader(f.env.server.port(),
                        create_s3_credential(f.env.server.port(), f.tenant, "objects:read"));
    auto r = reader.put(f.bucket, "k", "x");
    CHECK(r.status == 403);
    CHECK(error_code(r) == "AccessDenied");
  }
  SECTION("presigned URLs work until they expire") {
    REQUIRE(f.s3.put(f.bucket, "shared", "presigned content").status == 200);
    testing::HttpClient http("127.0.0.1", f.env.server.port());
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    auto ok = http.request("GET", f.s3.presigned_get(f.bucket, "shared", 300, now));
    CHECK(ok.status == 200);
    CHECK(ok.body == "presigned content");
    auto expired = http.request("GET", f.s3.presigned_get(f.bucket, "shared", 60, now - 3600));
    CHECK(expired.status == 403);
    CHECK(error_code(expired) == "AccessDenied");
  }
}

TEST_CASE("S3: CopyObject references the source's content", "[s3]") {
  Fixture f;
  REQUIRE(f.s3.put(f.bucket, "src", "copied bytes",
                   {{"x-amz-meta-a", "1"}, {"Content-Type", "text/x-src"}})
              .status == 200);
  const std::string source = "/" + f.bucket + "/src";
  auto copy = f.s3.send({.method = "PUT",
                         .bucket = f.bucket,
                         .key = "dst",
                         .headers = {{"x-amz-copy-source", source}}});
  REQUIRE(copy.status == 200);
  CHECK(xml_value(copy.body, "ETag") == "&quot;" + md5_hex("copied bytes") + "&quot;");
  auto dst = f.s3.get(f.bucket, "dst");
  CHECK(dst.body == "copied bytes");
  CHECK(dst.header("x-amz-meta-a") == "1");
  CHECK(dst.header("Content-Type") == "text/x-src");

  auto replaced = f.s3.send({.method = "PUT",
                             .bucket = f.bucket,
                             .key = "dst2",
                             .headers = {{"x-amz-copy-source", source},
                                         {"x-amz-metadata-directive", "REPLACE"},
                                         {"x-amz-meta-b", "2"}}});
  REQUIRE(replaced.status == 200);
  auto dst2 = f.s3.head(f.bucket, "dst2");
  CHECK(dst2.header("x-amz-meta-b") == "2");
  CHECK(!dst2.has_header("x-amz-meta-a"));

  auto self = f.s3.send({.method = "PUT",
                         .bucket = f.bucket,
                         .key = "src",
                         .headers = {{"x-amz-copy-source", source}}});
  CHECK(self.status == 400);
  CHECK(error_code(self) == "InvalidRequest");

  auto unmet = f.s3.send(
      {.method = "PUT",
       .bucket = f.bucket,
       .key = "dst3",
       .headers = {{"x-amz-copy-source", source}, {"x-amz-copy-source-if-match", "\"ffff\""}}});
  CHECK(unmet.status == 412);
  auto missing = f.s3.send({.method = "PUT",
                            .bucket = f.bucket,
                            .key = "dst4",
                            .headers = {{"x-amz-copy-source", "/" + f.bucket + "/none"}}});
  CHECK(missing.status == 404);
  CHECK(error_code(missing) == "NoSuchKey");
}

TEST_CASE("S3: DeleteObject is idempotent; DeleteObjects reports each key", "[s3]") {
  Fixture f;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(f.s3.put(f.bucket, "k" + std::to_string(i), "x").status == 200);
  }
  CHECK(f.s3.remove(f.bucket, "k0").status == 204);
  CHECK(f.s3.remove(f.bucket, "k0").status == 204);
  CHECK(f.s3.get(f.bucket, "k0").status == 404);

  const std::string body =
      "<Delete><Object><Key>k1</Key></Object><Object><Key>k2</Key></Object>"
      "<Object><Key>never</Key></Object></Delete>";
  auto r =
      f.s3.send({.method = "POST", .bucket = f.bucket, .query = {{"delete", ""}}, .body = body});
  REQUIRE(r.status == 200);
  CHECK(xml_count(r.body, "Deleted") == 3);
  CHECK(f.s3.get(f.bucket, "k1").status == 404);
  CHECK(f.s3.get(f.bucket, "k2").status == 404);

  auto quiet = f.s3.send({.method = "POST",
                          .bucket = f.bucket,
                          .query = {{"delete", ""}},
                          .body = "<Delete><Quiet>true</Quiet><Object><Key>x</Key></Object>"
                                  "</Delete>"});
  REQUIRE(quiet.status == 200);
  CHECK(xml_count(quiet.body, "Deleted") == 0);
  auto malformed = f.s3.send(
      {.method = "POST", .bucket = f.bucket, .query = {{"delete", ""}}, .body = "<Delete>"});
  CHECK(malformed.status == 400);
  CHECK(error_code(malformed) == "MalformedXML");
}

TEST_CASE("S3: what castor does not implement answers NotImplemented", "[s3]") {
  Fixture f;
  auto r = f.s3.send({.bucket = f.bucket, .query = {{"lifecycle", ""}}});
  CHECK(r.status == 501);
  CHECK(error_code(r) == "NotImplemented");
  auto acl = f.s3.send({.bucket = f.bucket, .query = {{"acl", ""}}});
  CHECK(acl.status == 200);
  CHECK(acl.body.find("FULL_CONTROL") != std::string::npos);
}

}  // namespace
}  // namespace castor::e2e
