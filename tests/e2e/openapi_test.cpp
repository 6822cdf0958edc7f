// GET|HEAD / (a probe answering like /health, unless the request is S3-signed) and
// GET|HEAD /openapi.json (the OpenAPI document with its ETag), on a server that requires
// credentials everywhere else. The document's content is checked against the route table by
// tests/api/openapi_test.cpp and by a validator by tests/openapi/run.sh.
#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/sha256.h"

namespace castor::e2e {

using testing::HttpClient;
using testing::HttpResponse;

TEST_CASE("GET and HEAD / answer like /health, without a credential", "[e2e][openapi]") {
  testing::ServerProcess server = testing::ServerProcess::start(
      auth_server_options(shared_server().database.url(), {{"METRICS_ADDR", "127.0.0.1:0"}}));
  HttpClient client = server.client();
  const HttpResponse health = client.request("GET", "/health");
  REQUIRE(health.status == 200);

  const HttpResponse root = client.request("GET", "/");
  CHECK(root.status == 200);
  CHECK(root.body == R"({"status":"ok"})");
  CHECK(root.body == health.body);
  CHECK(root.header("Content-Type") == "application/json");
  CHECK(root.has_header("X-Request-Id"));

  const HttpResponse head = client.request("HEAD", "/");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.header("Content-Length") == "15");

  // A native credential changes nothing (it is not even looked at).
  CHECK(client.request("GET", "/", bearer("cst_nonsense")).body == R"({"status":"ok"})");
  // Unsigned, / is the native route whatever the method: 405 for the others.
  const HttpResponse del = client.request("DELETE", "/");
  require_error(del, 405, "method_not_allowed");
  CHECK(del.header("Allow") == "GET, HEAD");

  SECTION("an S3-signed GET / is ListBuckets, answered in S3's words") {
    const HttpResponse sigv4 = client.request(
        "GET", "/",
        {{"Authorization",
          "AWS4-HMAC-SHA256 Credential=CKAAAAAAAAAAAAAAAAAA/20260101/us-east-1/s3/aws4_request, "
          "SignedHeaders=host, Signature=00"},
         {"X-Amz-Date", "20260101T000000Z"},
         {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}});
    CHECK(sigv4.status >= 400);
    CHECK(sigv4.body.find("<Error>") != std::string::npos);
    CHECK(sigv4.body.find(R"({"status":"ok"})") == std::string::npos);

    const HttpResponse presigned =
        client.request("GET", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00");
    CHECK(presigned.status >= 400);
    CHECK(presigned.body.find("<Error>") != std::string::npos);
  }
  SECTION("the METRICS_ADDR listener answers / too, but not /openapi.json") {
    HttpClient metrics("127.0.0.1", server.metrics_port().value());
    const HttpResponse probe = metrics.request("GET", "/");
    CHECK(probe.status == 200);
    CHECK(probe.body == R"({"status":"ok"})");
    require_error(metrics.request("GET", "/openapi.json"), 404, "not_found");
  }
}

TEST_CASE("GET /openapi.json: the document, open, with a strong ETag", "[e2e][openapi]") {
  testing::ServerProcess server =
      testing::ServerProcess::start(auth_server_options(shared_server().database.url()));
  HttpClient client = server.client();

  const HttpResponse doc = client.request("GET", "/openapi.json");
  REQUIRE(doc.status == 200);
  CHECK(doc.header("Content-Type") == "application/json");
  const std::string etag = "\"" + testing::sha256_hex(doc.body) + "\"";
  CHECK(doc.header("ETag") == etag);
  const boost::json::object parsed = parse_object(doc.body);
  CHECK(parsed.at("openapi").as_string() == "3.1.0");
  const boost::json::object& paths = parsed.at("paths").as_object();
  CHECK(paths.contains("/"));
  CHECK(paths.contains("/openapi.json"));
  CHECK(paths.contains("/v1/objects/by-key/{namespace}/{tenant}/{key}"));
  // Bearer, X-API-Key, JWT, and the presigned URL's signature (docs/PRESIGNED_URLS.md).
  CHECK(parsed.at("components").at("securitySchemes").as_object().size() == 4);
  CHECK(parsed.at("components").at("securitySchemes").as_object().contains("presignedUrl"));

  // Byte-identical on every request, so caches can revalidate.
  CHECK(client.request("GET", "/openapi.json").body == doc.body);

  const HttpResponse head = client.request("HEAD", "/openapi.json");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.header("Content-Length") == std::to_string(doc.body.size()));
  CHECK(head.header("ETag") == etag);

  const HttpResponse unchanged = client.request("GET", "/openapi.json", {{"If-None-Match", etag}});
  CHECK(unchanged.status == 304);
  CHECK(unchanged.body.empty());
  CHECK(unchanged.header("ETag") == etag);
  CHECK(client.request("GET", "/openapi.json", {{"If-None-Match", "W/" + etag}}).status == 304);
  CHECK(client.request("GET", "/openapi.json", {{"If-None-Match", "\"other\", " + etag}}).status ==
        304);
  CHECK(client.request("GET", "/openapi.json", {{"If-None-Match", "\"other\""}}).status == 200);

  // Only GET and HEAD (an open route: no credential needed to learn that).
  const HttpResponse post = client.request("POST", "/openapi.json");
  require_error(post, 405, "method_not_allowed");
  CHECK(post.header("Allow") == "GET, HEAD");
}

}  // namespace castor::e2e
