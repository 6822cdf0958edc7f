// S3 multipart uploads end to end (docs/S3.md "Multipart uploads"): CreateMultipartUpload,
// UploadPart, UploadPartCopy, ListParts, ListMultipartUploads, CompleteMultipartUpload and
// AbortMultipartUpload through a real server (minimum part size 1 KiB) and signed requests.
#include <catch2/catch.hpp>

#include "e2e/s3_support.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::unique_name;

constexpr std::size_t kMinPart = 1024;

// One server for this file: the [s3] environment's database and storage, S3_MIN_PART_SIZE=1024.
testing::ServerProcess& small_parts_server() {
  static testing::ServerProcess server = testing::ServerProcess::start(
      s3_server_options(s3_environment(), {{"S3_MIN_PART_SIZE", std::to_string(kMinPart)}}));
  return server;
}

std::string error_code(const testing::HttpResponse& r) {
  return xml_value(r.body, "Code").value_or("<none>");
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }
// An ETag as it appears in castor's XML: quoted, the quotes escaped.
std::string xml_quoted(const std::string& s) { return "&quot;" + s + "&quot;"; }

// The multipart ETag of `parts`, computed here from OpenSSL MD5s.
std::string multipart_etag(const std::vector<std::string>& parts) {
  std::string digests;
  for (const auto& p : parts) {
    const std::string hex = md5_hex(p);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      digests.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
  }
  return md5_hex(digests) + "-" + std::to_string(parts.size());
}

struct Fixture {
  testing::ServerProcess& server = small_parts_server();
  std::string tenant = unique_name("t");
  S3TestClient s3{server.port(), create_s3_credential(server.port(), tenant)};
  std::string bucket = unique_name("b");

  Fixture() { REQUIRE(s3.create_bucket(bucket).status == 200); }

  std::string create(const std::string& key, testing::Headers headers = {}) {
    auto r = s3.send({.method = "POST",
                      .bucket = bucket,
                      .key = key,
                      .query = {{"uploads", ""}},
                      .headers = std::move(headers)});
    REQUIRE(r.status == 200);
    CHECK(xml_value(r.body, "Key") == key);
    CHECK(xml_value(r.body, "Bucket") == bucket);
    auto id = xml_value(r.body, "UploadId");
    REQUIRE(id);
    return *id;
  }

  testing::HttpResponse part(const std::string& key, const std::string& id, int n,
                             std::string body) {
    return s3.send({.method = "PUT",
                    .bucket = bucket,
                    .key = key,
                    .query = {{"partNumber", std::to_string(n)}, {"uploadId", id}},
                    .body = std::move(body)});
  }

  // <CompleteMultipartUpload> of (number, ETag) pairs.
  testing::HttpResponse complete(const std::string& key, const std::string& id,
                                 const std::vector<std::pair<int, std::string>>& parts,
                                 testing::Headers headers = {}) {
    std::string xml = "<CompleteMultipartUpload>";
    for (const auto& [n, etag] : parts) {
      xml += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>" + quoted(etag) +
             "</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    return s3.send({.method = "POST",
                    .bucket = bucket,
                    .key = key,
                    .query = {{"uploadId", id}},
                    .headers = std::move(headers),
                    .body = xml});
  }

  testing::HttpResponse abort(const std::string& key, const std::string& id) {
    return s3.send({.method = "DELETE", .bucket = bucket, .key = key, .query = {{"uploadId", id}}});
  }
};

}  // namespace

TEST_CASE("S3 multipart: three parts complete into one object", "[s3]") {
  Fixture f;
  const std::string id = f.create(
      "big/model.bin", {{"Content-Type", "application/x-model"}, {"x-amz-meta-epoch", "7"}});
  const std::vector<std::string> parts{testing::random_bytes(3000), testing::random_bytes(2048),
                                       testing::random_bytes(17)};
  // Uploaded out of order; part 2 is first uploaded with other bytes, then replaced.
  REQUIRE(f.part("big/model.bin", id, 2, "replaced soon").status == 200);
  for (int n : {3, 1, 2}) {
    auto r = f.part("big/model.bin", id, n, parts[n - 1]);
    REQUIRE(r.status == 200);
    CHECK(r.header("ETag") == quoted(md5_hex(parts[n - 1])));
  }

  auto listed =
      f.s3.send({.bucket = f.bucket, .key = "big/model.bin", .query = {{"uploadId", id}}});
  REQUIRE(listed.status == 200);
  CHECK(xml_count(listed.body, "Part") == 3);
  CHECK(xml_value(listed.body, "ETag") == xml_quoted(md5_hex(parts[0])));
  CHECK(xml_value(listed.body, "Size") == "3000");
  CHECK(xml_value(listed.body, "IsTruncated") == "false");
  auto page =
      f.s3.send({.bucket = f.bucket,
                 .key = "big/model.bin",
                 .query = {{"uploadId", id}, {"max-parts", "2"}, {"part-number-marker", "0"}}});
  REQUIRE(page.status == 200);
  CHECK(xml_count(page.body, "Part") == 2);
  CHECK(xml_value(page.body, "IsTruncated") == "true");
  CHECK(xml_value(page.body, "NextPartNumberMarker") == "2");

  auto done = f.complete("big/model.bin", id,
                         {{1, md5_hex(parts[0])}, {2, md5_hex(parts[1])}, {3, md5_hex(parts[2])}});
  REQUIRE(done.status == 200);
  const std::string etag = multipart_etag(parts);
  CHECK(xml_value(done.body, "ETag") == xml_quoted(etag));
  CHECK(xml_value(done.body, "Key") == "big/model.bin");

  const std::string whole = parts[0] + parts[1] + parts[2];
  auto get = f.s3.get(f.bucket, "big/model.bin");
  REQUIRE(get.status == 200);
  CHECK(get.body == whole);
  CHECK(get.header("ETag") == quoted(etag));
  CHECK(get.header("Content-Type") == "application/x-model");
  CHECK(get.header("x-amz-meta-epoch") == "7");
  auto range = f.s3.get(f.bucket, "big/model.bin", {{"Range", "bytes=2990-3009"}});
  CHECK(range.status == 206);
  CHECK(range.body == whole.substr(2990, 20));

  // The native API sees the same object, named by the SHA-256 of the whole content.
  testing::HttpClient native("127.0.0.1", f.server.port());
  auto n =
      native.request("GET", "/v1/objects/by-key/" + f.bucket + "/" + f.tenant + "/big/model.bin");
  REQUIRE(n.status == 200);
  CHECK(n.body == whole);
  CHECK(n.header("X-Content-Hash").find(testing::sha256_hex(whole)) != std::string::npos);

  SECTION("a retried Complete answers the same result") {
    auto again =
        f.complete("big/model.bin", id,
                   {{1, md5_hex(parts[0])}, {2, md5_hex(parts[1])}, {3, md5_hex(parts[2])}});
    CHECK(again.status == 200);
    CHECK(xml_value(again.body, "ETag") == xml_quoted(etag));
  }
  SECTION("the completed upload takes no more parts and is not listed") {
    auto late = f.part("big/model.bin", id, 4, "late");
    CHECK(late.status == 404);
    CHECK(error_code(late) == "NoSuchUpload");
    auto parts_of =
        f.s3.send({.bucket = f.bucket, .key = "big/model.bin", .query = {{"uploadId", id}}});
    CHECK(parts_of.status == 404);
    CHECK(error_code(parts_of) == "NoSuchUpload");
  }
}

TEST_CASE("S3 multipart: Complete checks the part list", "[s3]") {
  Fixture f;
  const std::string id = f.create("k");
  const std::string small = testing::random_bytes(kMinPart - 1);
  const std::string big = testing::random_bytes(kMinPart);
  REQUIRE(f.part("k", id, 1, small).status == 200);
  REQUIRE(f.part("k", id, 2, big).status == 200);
  REQUIRE(f.part("k", id, 3, small).status == 200);

  auto too_small = f.complete("k", id, {{1, md5_hex(small)}, {2, md5_hex(big)}});
  CHECK(too_small.status == 400);
  CHECK(error_code(too_small) == "EntityTooSmall");
  auto wrong_etag = f.complete("k", id, {{2, md5_hex(small)}});
  CHECK(wrong_etag.status == 400);
  CHECK(error_code(wrong_etag) == "InvalidPart");
  auto unknown = f.complete("k", id, {{9, md5_hex(small)}});
  CHECK(unknown.status == 400);
  CHECK(error_code(unknown) == "InvalidPart");
  auto order = f.complete("k", id, {{3, md5_hex(small)}, {2, md5_hex(big)}});
  CHECK(order.status == 400);
  CHECK(error_code(order) == "InvalidPartOrder");
  CHECK(f.s3.get(f.bucket, "k").status == 404);

  // Parts 2 and 3 (the small one last) make a valid object; part 1 is dropped.
  auto done = f.complete("k", id, {{2, md5_hex(big)}, {3, md5_hex(small)}});
  REQUIRE(done.status == 200);
  CHECK(f.s3.get(f.bucket, "k").body == big + small);
}

TEST_CASE("S3 multipart: abort, unknown uploads, ListMultipartUploads", "[s3]") {
  Fixture f;
  const std::string a1 = f.create("dir/a");
  const std::string a2 = f.create("dir/b");
  const std::string c = f.create("top");
  REQUIRE(f.part("top", c, 1, "content").status == 200);

  auto all = f.s3.send({.bucket = f.bucket, .query = {{"uploads", ""}}});
  REQUIRE(all.status == 200);
  CHECK(xml_count(all.body, "Upload") == 3);
  CHECK(all.body.find("<UploadId>" + a1 + "</UploadId>") != std::string::npos);
  auto folded = f.s3.send({.bucket = f.bucket, .query = {{"uploads", ""}, {"delimiter", "/"}}});
  REQUIRE(folded.status == 200);
  CHECK(xml_count(folded.body, "Upload") == 1);
  CHECK(folded.body.find("<Prefix>dir/</Prefix>") != std::string::npos);
  auto first = f.s3.send({.bucket = f.bucket, .query = {{"uploads", ""}, {"max-uploads", "1"}}});
  REQUIRE(first.status == 200);
  CHECK(xml_count(first.body, "Upload") == 1);
  CHECK(xml_value(first.body, "IsTruncated") == "true");
  CHECK(xml_value(first.body, "NextKeyMarker") == "dir/a");
  CHECK(xml_value(first.body, "NextUploadIdMarker") == a1);

  auto aborted = f.abort("top", c);
  CHECK(aborted.status == 204);
  auto again = f.abort("top", c);
  CHECK(again.status == 404);
  CHECK(error_code(again) == "NoSuchUpload");
  auto late = f.part("top", c, 2, "more");
  CHECK(late.status == 404);
  CHECK(error_code(late) == "NoSuchUpload");
  auto bogus = f.complete("top", "not-an-upload-id", {{1, md5_hex("content")}});
  CHECK(bogus.status == 404);
  CHECK(error_code(bogus) == "NoSuchUpload");
  // Another key's upload id is no upload of this key.
  auto wrong_key = f.abort("dir/b", a1);
  CHECK(wrong_key.status == 404);
  CHECK(error_code(wrong_key) == "NoSuchUpload");
  CHECK(f.abort("dir/a", a1).status == 204);
  CHECK(f.abort("dir/b", a2).status == 204);
  auto none = f.s3.send({.bucket = f.bucket, .query = {{"uploads", ""}}});
  CHECK(xml_count(none.body, "Upload") == 0);
}

TEST_CASE("S3 multipart: UploadPartCopy copies a range of an object", "[s3]") {
  Fixture f;
  const std::string source = testing::random_bytes(5000);
  REQUIRE(f.s3.put(f.bucket, "src", source).status == 200);
  const std::string id = f.create("dst");
  auto copy = f.s3.send({.method = "PUT",
                         .bucket = f.bucket,
                         .key = "dst",
                         .query = {{"partNumber", "1"}, {"uploadId", id}},
                         .headers = {{"x-amz-copy-source", "/" + f.bucket + "/src"},
                                     {"x-amz-copy-source-range", "bytes=1000-2999"}}});
  REQUIRE(copy.status == 200);
  const std::string range = source.substr(1000, 2000);
  CHECK(xml_value(copy.body, "ETag") == xml_quoted(md5_hex(range)));
  REQUIRE(f.part("dst", id, 2, "tail").status == 200);

  auto bad_range = f.s3.send({.method = "PUT",
                              .bucket = f.bucket,
                              .key = "dst",
                              .query = {{"partNumber", "3"}, {"uploadId", id}},
                              .headers = {{"x-amz-copy-source", "/" + f.bucket + "/src"},
                                          {"x-amz-copy-source-range", "bytes=4000-5000"}}});
  CHECK(bad_range.status == 400);
  auto missing = f.s3.send({.method = "PUT",
                            .bucket = f.bucket,
                            .key = "dst",
                            .query = {{"partNumber", "3"}, {"uploadId", id}},
                            .headers = {{"x-amz-copy-source", "/" + f.bucket + "/nope"}}});
  CHECK(missing.status == 404);
  CHECK(error_code(missing) == "NoSuchKey");

  auto done = f.complete("dst", id, {{1, md5_hex(range)}, {2, md5_hex("tail")}});
  REQUIRE(done.status == 200);
  CHECK(f.s3.get(f.bucket, "dst").body == range + "tail");
  CHECK(f.s3.get(f.bucket, "src").body == source);
}

TEST_CASE("S3 multipart: If-None-Match on Complete over an existing key", "[s3]") {
  Fixture f;
  REQUIRE(f.s3.put(f.bucket, "k", "existing").status == 200);
  const std::string id = f.create("k");
  const std::string body = testing::random_bytes(100);
  REQUIRE(f.part("k", id, 1, body).status == 200);

  auto refused = f.complete("k", id, {{1, md5_hex(body)}}, {{"If-None-Match", "*"}});
  CHECK(refused.status == 412);
  CHECK(error_code(refused) == "PreconditionFailed");
  CHECK(f.s3.get(f.bucket, "k").body == "existing");
  // The upload is still open: its parts are listed, and it completes without the condition.
  auto parts = f.s3.send({.bucket = f.bucket, .key = "k", .query = {{"uploadId", id}}});
  CHECK(parts.status == 200);
  CHECK(xml_count(parts.body, "Part") == 1);
  auto stale = f.complete("k", id, {{1, md5_hex(body)}}, {{"If-Match", quoted(md5_hex("other"))}});
  CHECK(stale.status == 412);
  auto done =
      f.complete("k", id, {{1, md5_hex(body)}}, {{"If-Match", quoted(md5_hex("existing"))}});
  REQUIRE(done.status == 200);
  CHECK(f.s3.get(f.bucket, "k").body == body);
}

}  // namespace castor::e2e
