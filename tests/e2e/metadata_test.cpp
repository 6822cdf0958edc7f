// Object metadata end to end (docs/METADATA.md): X-Meta-* and X-Metadata on upload, the object
// JSON, X-Meta-* and Content-Disposition on GET/HEAD, PATCH merge/replace/removal with If-Match,
// every limit's 400, upload sessions, and the S3 round trip both ways.
#include <string>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/s3_support.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

// The raw text of the object JSON from "content_disposition" on: what these tests compare exactly.
std::string tail_of(const std::string& object_json) {
  const auto at = object_json.find("\"content_disposition\"");
  REQUIRE(at != std::string::npos);
  return object_json.substr(at);
}

HttpResponse patch(HttpClient& client, const std::string& id, const std::string& tenant,
                   const std::string& body, Headers extra = {}) {
  extra["X-Tenant"] = tenant;
  extra["Content-Type"] = "application/json";
  return client.request("PATCH", "/v1/objects/" + id + "/metadata", extra, body);
}

struct Uploaded {
  std::string tenant = testing::unique_name("meta");
  std::string id;
  std::string json;
};

// Uploads "weights" under key "w.bin" with the metadata the first tests read back.
Uploaded upload_with_metadata(HttpClient& client) {
  Uploaded u;
  const HttpResponse r = post_object(
      client, {.tenant = u.tenant, .key = "w.bin"}, "weights",
      {{"X-Meta-Model", "llama"},
       {"X-Meta-Size-Class", "big, really"},
       {"X-Metadata", R"({"info": {"params": 7e9, "family": "llama"}, "tags": ["a", "b"]})"},
       {"Content-Disposition", "attachment; filename=\"w.bin\""},
       {"Content-Type", "application/x-weights"}});
  REQUIRE(r.status == 201);
  u.id = string_field(parse_object(r.body), "id");
  u.json = r.body;
  return u;
}

const std::string kStoredTail =
    R"("content_disposition":"attachment; filename=\"w.bin\"",)"
    R"("metadata":{"info":{"family":"llama","params":7000000000},"model":"llama",)"
    R"("size-class":"big, really","tags":["a","b"]}})";

}  // namespace

TEST_CASE("metadata: upload headers come back in the object JSON and as GET/HEAD headers",
          "[metadata]") {
  HttpClient client = shared_server().server.client();
  const Uploaded u = upload_with_metadata(client);
  CHECK(tail_of(u.json) == kStoredTail);

  for (const char* method : {"GET", "HEAD"}) {
    INFO(method);
    const HttpResponse got = by_id(client, method, u.id, u.tenant);
    REQUIRE(got.status == 200);
    CHECK(got.body == (std::string(method) == "GET" ? "weights" : ""));
    CHECK(got.header("Content-Type") == "application/x-weights");
    CHECK(got.header("Content-Disposition") == "attachment; filename=\"w.bin\"");
    CHECK(got.header("X-Meta-model") == "llama");
    CHECK(got.header("X-Meta-size-class") == "big, really");
    CHECK(got.header("X-Meta-info") == R"({"family":"llama","params":7000000000})");
    CHECK(got.header("X-Meta-tags") == R"(["a","b"])");
  }
  const HttpResponse by_key = client.request("HEAD", by_key_target("e2e", u.tenant, "w.bin"));
  REQUIRE(by_key.status == 200);
  CHECK(by_key.header("X-Meta-model") == "llama");
  CHECK(by_key.header("Content-Disposition") == "attachment; filename=\"w.bin\"");

  const HttpResponse list =
      client.request("GET", "/v1/objects", {{"X-Namespace", "e2e"}, {"X-Tenant", u.tenant}});
  REQUIRE(list.status == 200);
  CHECK(list.body.find(kStoredTail) != std::string::npos);

  // An object without metadata shows {} and null.
  const HttpResponse plain = post_object(client, {.tenant = u.tenant}, "plain");
  REQUIRE(plain.status == 201);
  CHECK(tail_of(plain.body) == R"("content_disposition":null,"metadata":{}})");
}

TEST_CASE("metadata: PATCH merges, replaces and removes; content and ETag stay", "[metadata]") {
  HttpClient client = shared_server().server.client();
  const Uploaded u = upload_with_metadata(client);
  const std::string etag = "\"" + testing::sha256_hex("weights") + "\"";
  const std::string updated_before = string_field(parse_object(u.json), "updated_at");

  SECTION("merge: a member replaced, one removed by null, one added; nested objects merge") {
    const HttpResponse r = patch(
        client, u.id, u.tenant,
        R"({"metadata": {"model": "mistral", "tags": null, "info": {"family": null, "q": 4}},)"
        R"( "content_type": "application/octet-stream"})",
        {{"If-Match", etag}});
    REQUIRE(r.status == 200);
    const std::string expected =
        R"("content_disposition":"attachment; filename=\"w.bin\"",)"
        R"("metadata":{"info":{"params":7000000000,"q":4},"model":"mistral",)"
        R"("size-class":"big, really"}})";
    CHECK(tail_of(r.body) == expected);
    const auto o = parse_object(r.body);
    CHECK(string_field(o, "content_type") == "application/octet-stream");
    CHECK(string_field(o, "content_hash") == "sha256:" + testing::sha256_hex("weights"));
    CHECK(string_field(o, "created_at") == string_field(parse_object(u.json), "created_at"));
    CHECK(string_field(o, "updated_at") != updated_before);
    const HttpResponse got = by_id(client, "GET", u.id, u.tenant);
    REQUIRE(got.status == 200);
    CHECK(got.body == "weights");
    CHECK(got.header("ETag") == etag);
    CHECK(got.header("Content-Type") == "application/octet-stream");
    CHECK(got.header("X-Meta-model") == "mistral");
    CHECK_FALSE(got.has_header("X-Meta-tags"));
    const HttpResponse listed =
        client.request("GET", "/v1/objects", {{"X-Namespace", "e2e"}, {"X-Tenant", u.tenant}});
    CHECK(listed.body.find(expected) != std::string::npos);
  }
  SECTION("replace: the metadata becomes the patch; Content-Disposition removed by null") {
    const HttpResponse r =
        patch(client, u.id, u.tenant,
              R"({"mode": "replace", "metadata": {"only": true}, "content_disposition": null})");
    REQUIRE(r.status == 200);
    CHECK(tail_of(r.body) == R"("content_disposition":null,"metadata":{"only":true}})");
    const HttpResponse got = by_id(client, "HEAD", u.id, u.tenant);
    CHECK(got.header("X-Meta-only") == "true");
    CHECK_FALSE(got.has_header("X-Meta-model"));
    CHECK_FALSE(got.has_header("Content-Disposition"));
  }
  SECTION("If-Match that does not hold: 412, nothing changes") {
    const HttpResponse r = patch(client, u.id, u.tenant, R"({"metadata": {"model": "x"}})",
                                 {{"If-Match", "\"" + std::string(64, '0') + "\""}});
    require_error(r, 412, "precondition_failed");
    CHECK(by_id(client, "HEAD", u.id, u.tenant).header("X-Meta-model") == "llama");
  }
  SECTION("another tenant's object, a deleted one, an unknown id: 404") {
    require_error(patch(client, u.id, testing::unique_name("other"), R"({"metadata":{}})"), 404,
                  "not_found");
    require_error(
        patch(client, "00000000-0000-4000-8000-000000000000", u.tenant, R"({"metadata":{}})"), 404,
        "not_found");
    REQUIRE(by_id(client, "DELETE", u.id, u.tenant).status == 204);
    require_error(patch(client, u.id, u.tenant, R"({"metadata":{}})"), 404, "not_found");
  }
}

TEST_CASE("metadata: every limit is a 400 with its reason, and nothing is stored", "[metadata]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("metalimit");
  auto refused = [&](const Headers& headers, std::string_view reason) {
    const HttpResponse r = post_object(client, {.tenant = tenant}, "x", headers);
    require_error(r, 400, reason);
  };
  // X-Meta-*: 2 KiB of names and values. "n" + 2047 bytes fits; one more byte does not.
  REQUIRE(
      post_object(client, {.tenant = tenant}, "x", {{"X-Meta-n", std::string(2047, 'v')}}).status ==
      201);
  refused({{"X-Meta-n", std::string(2048, 'v')}}, "metadata_too_large");
  refused({{"X-Meta-a", std::string(1024, 'v')}, {"X-Meta-b", std::string(1023, 'v')}},
          "metadata_too_large");
  // Names: [a-z0-9-_], 1 to 128 bytes (header names are case-insensitive, so lowercased).
  refused({{"X-Meta-a.b", "v"}}, "invalid_metadata");
  refused({{"X-Meta-" + std::string(129, 'n'), "v"}}, "invalid_metadata");
  refused({{"X-Metadata", R"({"a b": 1})"}}, "invalid_metadata");
  refused({{"X-Metadata", R"({"A": 1})"}}, "invalid_metadata");
  // X-Metadata must be a JSON object.
  refused({{"X-Metadata", "[1, 2]"}}, "invalid_metadata");
  refused({{"X-Metadata", "{\"a\": 1"}}, "invalid_metadata");
  refused({{"X-Metadata", R"({"a": 1, "a": 2})"}}, "invalid_metadata");
  // A name in both.
  refused({{"X-Meta-a", "1"}, {"X-Metadata", R"({"a": 2})"}}, "invalid_metadata");
  // 16 KiB of JSON: {"v":"..."} is 8 bytes around the string. (X-Metadata travels in the header
  // block, which is 16 KiB in all, so the JSON limit is tested through PATCH and sessions.)
  const Uploaded u = upload_with_metadata(client);
  const std::string fits = std::string(16 * 1024 - 8, 'x');
  REQUIRE(patch(client, u.id, u.tenant, R"({"mode":"replace","metadata":{"v":")" + fits + "\"}}")
              .status == 200);
  const HttpResponse big =
      patch(client, u.id, u.tenant, R"({"mode":"replace","metadata":{"v":")" + fits + "x\"}}");
  require_error(big, 400, "metadata_too_large");
  // Merged with what is stored, over 16 KiB.
  require_error(patch(client, u.id, u.tenant, R"({"metadata":{"w":1}})"), 400,
                "metadata_too_large");
  // PATCH bodies.
  require_error(patch(client, u.id, u.tenant, "[]"), 400, "invalid_metadata");
  require_error(patch(client, u.id, u.tenant, "{}"), 400, "invalid_metadata");
  require_error(patch(client, u.id, u.tenant, R"({"metadata": [1]})"), 400, "invalid_metadata");
  require_error(patch(client, u.id, u.tenant, R"({"metadata": {"Bad": 1}})"), 400,
                "invalid_metadata");
  require_error(patch(client, u.id, u.tenant, R"({"metadata": {}, "mode": "upsert"})"), 400,
                "invalid_metadata");
  require_error(patch(client, u.id, u.tenant, R"({"metadata": {}, "colour": 1})"), 400,
                "invalid_metadata");
  require_error(patch(client, u.id, u.tenant, R"({"content_type": ""})"), 400,
                "invalid_content_type");
  // Nothing of the refused uploads was stored: only the one that fitted is listed.
  const HttpResponse list =
      client.request("GET", "/v1/objects", {{"X-Namespace", "e2e"}, {"X-Tenant", tenant}});
  REQUIRE(list.status == 200);
  CHECK(parse_object(list.body).at("objects").as_array().size() == 1);
}

TEST_CASE("metadata: an upload session's metadata goes to its object", "[metadata]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("metasession");
  const HttpResponse created = client.request(
      "POST", "/v1/uploads", {{"X-Tenant", tenant}, {"Content-Type", "application/json"}},
      R"({"namespace": "e2e", "key": "s.bin", "content_disposition": "inline",)"
      R"( "metadata": {"origin": {"host": "h1", "n": 1.50}}})");
  REQUIRE(created.status == 201);
  const std::string id = string_field(parse_object(created.body), "upload_id");
  REQUIRE(client.request("PUT", "/v1/uploads/" + id + "/parts/1", {{"X-Tenant", tenant}}, "part")
              .status == 200);
  const HttpResponse done =
      client.request("POST", "/v1/uploads/" + id + "/complete", {{"X-Tenant", tenant}}, "{}");
  REQUIRE(done.status == 201);
  CHECK(done.body.find(
            R"("content_disposition":"inline","metadata":{"origin":{"host":"h1","n":1.50}}})") !=
        std::string::npos);
  const HttpResponse got = client.request("HEAD", by_key_target("e2e", tenant, "s.bin"));
  REQUIRE(got.status == 200);
  CHECK(got.header("X-Meta-origin") == R"({"host":"h1","n":1.50})");
  CHECK(got.header("Content-Disposition") == "inline");
  const HttpResponse bad = client.request(
      "POST", "/v1/uploads", {{"X-Tenant", tenant}, {"Content-Type", "application/json"}},
      R"({"namespace": "e2e", "metadata": {"Bad": 1}})");
  require_error(bad, 400, "invalid_metadata");
}

TEST_CASE("metadata: x-amz-meta-* reads back in the native JSON, and the reverse",
          "[metadata][s3]") {
  S3Environment& env = s3_environment();
  const std::string tenant = testing::unique_name("metas3");
  S3TestClient s3{env.server.port(), create_s3_credential(env.server.port(), tenant)};
  const std::string bucket = testing::unique_name("mb");
  REQUIRE(s3.create_bucket(bucket).status == 200);
  HttpClient native("127.0.0.1", env.server.port());

  REQUIRE(s3.put(bucket, "via-s3", "s3 body", {{"x-amz-meta-colour", "blue"}}).status == 200);
  const HttpResponse got = native.request("GET", by_key_target(bucket, tenant, "via-s3"));
  REQUIRE(got.status == 200);
  CHECK(got.header("X-Meta-colour") == "blue");
  const HttpResponse listed =
      native.request("GET", "/v1/objects", {{"X-Namespace", bucket}, {"X-Tenant", tenant}});
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find(R"("metadata":{"colour":"blue"})") != std::string::npos);

  const HttpResponse up =
      native.request("POST", "/v1/objects",
                     {{"X-Namespace", bucket},
                      {"X-Tenant", tenant},
                      {"X-Key", "via-native"},
                      {"X-Meta-plain", "text"},
                      {"X-Metadata", R"({"nested": {"k": [1, "two"]}, "line": "a\nb"})"}},
                     "native body");
  REQUIRE(up.status == 201);
  const HttpResponse back = s3.head(bucket, "via-native");
  REQUIRE(back.status == 200);
  CHECK(back.header("x-amz-meta-plain") == "text");
  CHECK(back.header("x-amz-meta-nested") == R"({"k":[1,"two"]})");
  CHECK(back.header("x-amz-meta-line") == R"("a\nb")");  // a control character: JSON text

  // A PATCH through the native API shows through S3.
  REQUIRE(native
              .request("PATCH",
                       "/v1/objects/" + string_field(parse_object(up.body), "id") + "/metadata",
                       {{"X-Tenant", tenant}}, R"({"metadata": {"plain": null, "added": "yes"}})")
              .status == 200);
  const HttpResponse after = s3.head(bucket, "via-native");
  CHECK_FALSE(after.has_header("x-amz-meta-plain"));
  CHECK(after.header("x-amz-meta-added") == "yes");
}

}  // namespace castor::e2e
