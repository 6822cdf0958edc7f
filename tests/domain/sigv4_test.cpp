#include "domain/sigv4.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "domain/sigv4_canonical.h"
#include "domain/sigv4_signer.h"
#include "domain/sigv4_test_support.h"

namespace castor {
namespace {

using namespace sigv4_test;

std::string authorization(std::string_view signed_headers, std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
         "SignedHeaders=" +
         std::string(signed_headers) + ",Signature=" + std::string(signature);
}

// "Examples: Signature Calculations" of "Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk".
OwnedRequest get_object_example() {
  return {"GET",
          "/test.txt",
          {{"Host", "examplebucket.s3.amazonaws.com"},
           {"Range", "bytes=0-9"},
           {"x-amz-content-sha256", std::string(kEmptySha256)},
           {"x-amz-date", "20130524T000000Z"},
           {"Authorization",
            authorization("host;range;x-amz-content-sha256;x-amz-date",
                          "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")}}};
}

OwnedRequest put_object_example() {
  return {
      "PUT",
      "/test$file.text",
      {{"Host", "examplebucket.s3.amazonaws.com"},
       {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
       {"x-amz-date", "20130524T000000Z"},
       {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
       {"x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"},
       {"Authorization",
        authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                      "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")}}};
}

OwnedRequest bucket_example(std::string target, std::string_view signature) {
  return {"GET",
          std::move(target),
          {{"Host", "examplebucket.s3.amazonaws.com"},
           {"x-amz-date", "20130524T000000Z"},
           {"x-amz-content-sha256", std::string(kEmptySha256)},
           {"Authorization", authorization("host;x-amz-content-sha256;x-amz-date", signature)}}};
}

OwnedRequest lifecycle_example() {
  return bucket_example("/?lifecycle",
                        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

OwnedRequest list_objects_example() {
  return bucket_example("/?max-keys=2&prefix=J",
                        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

// "Authenticating Requests: Using Query Parameters", its example.
OwnedRequest presigned_example(std::string expires = "86400") {
  return {"GET",
          "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F"
          "20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=" +
              expires +
              "&X-Amz-SignedHeaders=host&X-Amz-Signature="
              "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
          {{"Host", "examplebucket.s3.amazonaws.com"}}};
}

TEST_CASE("SigV4 verifies AWS's GET object example with its canonical request", "[unit]") {
  Sigv4Diagnostics diagnostics;
  auto verified = parse_and_verify(get_object_example(), kExampleTime, &diagnostics);
  REQUIRE(reason_of(verified) == "OK");
  CHECK(diagnostics.canonical_request ==
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
        "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(diagnostics.string_to_sign ==
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  CHECK(verified->access_key_id == kAccessKeyId);
  CHECK(verified->region == "us-east-1");
  CHECK(verified->scope == "20130524/us-east-1/s3/aws4_request");
  CHECK(verified->payload_mode == PayloadMode::kSha256);
  CHECK(verified->payload_sha256 == kEmptySha256);
  CHECK(verified->seed_signature ==
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_CASE("SigV4 verifies AWS's PUT object example and checks its payload hash", "[unit]") {
  Sigv4Diagnostics diagnostics;
  auto verified = parse_and_verify(put_object_example(), kExampleTime, &diagnostics);
  REQUIRE(reason_of(verified) == "OK");
  // S3 encodes the path once: '$' becomes %24.
  CHECK(diagnostics.canonical_request.starts_with("PUT\n/test%24file.text\n\n"));
  CHECK(diagnostics.string_to_sign.ends_with(
      "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"));
  CHECK(check_payload_sha256(*verified, crypto().sha256("Welcome to Amazon S3.")));
  auto mismatch = check_payload_sha256(*verified, crypto().sha256("Welcome to Amazon S3!"));
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().reason == "XAmzContentSHA256Mismatch");
  CHECK(mismatch.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("SigV4 verifies AWS's GET bucket lifecycle and list objects examples", "[unit]") {
  Sigv4Diagnostics diagnostics;
  REQUIRE(reason_of(parse_and_verify(lifecycle_example(), kExampleTime, &diagnostics)) == "OK");
  CHECK(diagnostics.canonical_request.starts_with("GET\n/\nlifecycle=\n"));
  CHECK(diagnostics.string_to_sign.ends_with(
      "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca"));
  REQUIRE(reason_of(parse_and_verify(list_objects_example(), kExampleTime, &diagnostics)) == "OK");
  CHECK(diagnostics.canonical_request.starts_with("GET\n/\nmax-keys=2&prefix=J\n"));
  CHECK(diagnostics.string_to_sign.ends_with(
      "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7"));
}

TEST_CASE("SigV4 verifies AWS's presigned GET example within its 86400 s", "[unit]") {
  Sigv4Diagnostics diagnostics;
  auto verified = parse_and_verify(presigned_example(), kExampleTime, &diagnostics);
  REQUIRE(reason_of(verified) == "OK");
  CHECK(diagnostics.canonical_request ==
        "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE"
        "%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires="
        "86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\n"
        "UNSIGNED-PAYLOAD");
  CHECK(diagnostics.string_to_sign.ends_with(
      "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04"));
  CHECK(verified->payload_mode == PayloadMode::kUnsigned);
  CHECK(reason_of(parse_and_verify(presigned_example(), kExampleTime + 86400)) == "OK");
  CHECK(reason_of(parse_and_verify(presigned_example(), kExampleTime - 900)) == "OK");

  auto expired = parse_and_verify(presigned_example(), kExampleTime + 86401);
  CHECK(reason_of(expired) == "AccessDenied");
  CHECK(expired.error().message == "Request has expired");
  CHECK(expired.error().code == ErrorCode::kUnauthenticated);
  auto early = parse_and_verify(presigned_example(), kExampleTime - 901);
  CHECK(reason_of(early) == "AccessDenied");
  CHECK(early.error().message == "Request is not valid yet");
}

TEST_CASE("SigV4 presigned X-Amz-Expires is checked before the signature", "[unit]") {
  CHECK(reason_of(parse_and_verify(presigned_example("604801"))) ==
        "AuthorizationQueryParametersError");
  CHECK(reason_of(parse_and_verify(presigned_example("-1"))) ==
        "AuthorizationQueryParametersError");
  CHECK(reason_of(parse_and_verify(presigned_example("1e3"))) ==
        "AuthorizationQueryParametersError");
  CHECK(reason_of(parse_and_verify(presigned_example(""))) == "AuthorizationQueryParametersError");
  // Within a week the form is fine and only the signature (computed over 86400) fails.
  CHECK(reason_of(parse_and_verify(presigned_example("604800"))) == "SignatureDoesNotMatch");
}

TEST_CASE("SigV4 rejects a changed byte anywhere the AWS examples sign", "[unit]") {
  auto expect_mismatch = [](OwnedRequest request) {
    CHECK(reason_of(parse_and_verify(request)) == "SignatureDoesNotMatch");
  };
  OwnedRequest r = get_object_example();
  r.header("Authorization")->back() = '0';  // last signature digit, 1 → 0
  expect_mismatch(r);
  r = get_object_example();
  *r.header("Range") = "bytes=0-8";
  expect_mismatch(r);
  r = get_object_example();
  r.target = "/test.txu";
  expect_mismatch(r);
  r = get_object_example();
  r.method = "PUT";
  expect_mismatch(r);
  r = get_object_example();
  *r.header("Host") = "examplebucket.s3.amazonaws.con";
  expect_mismatch(r);
  r = list_objects_example();
  r.target = "/?max-keys=3&prefix=J";
  expect_mismatch(r);
  r = list_objects_example();
  r.target = "/?max-keys=2&prefix=J&x=";
  expect_mismatch(r);
  r = put_object_example();
  *r.header("x-amz-storage-class") = "STANDARD";
  expect_mismatch(r);
  r = presigned_example();
  r.target[1] = 'T';  // "/Test.txt"
  expect_mismatch(r);
  r = get_object_example();
  auto wrong_key =
      verify_sigv4(r.view(), **parse_sigv4_auth(r.view()), "wrong-secret", kExampleTime, crypto());
  CHECK(reason_of(wrong_key) == "SignatureDoesNotMatch");
}

TEST_CASE("SigV4 canonical headers trim values and join repeated fields", "[unit]") {
  // Spaces around and inside a value do not change the signature: S3 trims and collapses them.
  OwnedRequest r = get_object_example();
  *r.header("Range") = "  bytes=0-9 \t";
  CHECK(reason_of(parse_and_verify(r)) == "OK");
  CHECK(trim_header_value("  a   b \t c  ") == "a b c");
  const std::vector<HttpField> fields = {{"X-A", " 1 "}, {"x-b", "2"}, {"x-a", "3"}};
  CHECK(canonical_headers(fields, {"x-a", "x-b", "x-c"}) == "x-a:1,3\nx-b:2\nx-c:\n");
}

TEST_CASE("SigV4 canonical URI and query follow S3, not the other services", "[unit]") {
  CHECK(*canonical_uri("/a%20b/c d/%7e~/%2a*") == "/a%20b/c%20d/~~/%2A%2A");
  CHECK(*canonical_uri("/./a//b/../") == "/./a//b/../");  // never normalised
  CHECK(*canonical_uri("") == "/");
  CHECK(*canonical_uri("/%E2%82%AC") == "/%E2%82%AC");  // encoded once, not twice
  CHECK(canonical_uri("/%4").error().reason == "InvalidURI");
  CHECK(canonical_uri("/%zz").error().reason == "InvalidURI");
  CHECK(canonical_uri("relative").error().reason == "InvalidURI");
  auto params = parse_query("b=2&a=1&c&a=&&x=a+b%2Fc");
  REQUIRE(params);
  CHECK(canonical_query(*params) == "a=&a=1&b=2&c=&x=a%20b%2Fc");
  CHECK(canonical_query(*params, "b") == "a=&a=1&c=&x=a%20b%2Fc");
  CHECK(sigv4_uri_encode("a/b c~", true) == "a%2Fb%20c~");
}

TEST_CASE("SigV4 refuses SignedHeaders without host, unsorted or repeated", "[unit]") {
  auto with_signed = [](std::string signed_headers) {
    OwnedRequest r = get_object_example();
    *r.header("Authorization") = authorization(signed_headers, std::string(64, 'a'));
    return reason_of(parse_and_verify(r));
  };
  CHECK(with_signed("range;x-amz-content-sha256;x-amz-date") == "AuthorizationHeaderMalformed");
  CHECK(with_signed("range;host;x-amz-content-sha256;x-amz-date") ==
        "AuthorizationHeaderMalformed");
  CHECK(with_signed("host;host;range;x-amz-content-sha256;x-amz-date") ==
        "AuthorizationHeaderMalformed");
  CHECK(with_signed("Host;range;x-amz-content-sha256;x-amz-date") ==
        "AuthorizationHeaderMalformed");
  CHECK(with_signed("host;;range") == "AuthorizationHeaderMalformed");
  CHECK(with_signed("") == "AuthorizationHeaderMalformed");
  CHECK(with_signed("host;range;x-amz-content-sha256;x-amz-date") == "SignatureDoesNotMatch");
}

TEST_CASE("SigV4 refuses an Authorization header with any component missing or wrong", "[unit]") {
  const std::string credential =
      "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";
  const std::string signed_headers = "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date";
  const std::string signature =
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
  auto with = [](std::string value) {
    OwnedRequest r = get_object_example();
    *r.header("Authorization") = std::move(value);
    return reason_of(parse_and_verify(r));
  };
  const std::string a = "AWS4-HMAC-SHA256 ";
  // Components in another order, with spaces after the commas, are fine.
  CHECK(with(a + signature + ", " + credential + ",  " + signed_headers) == "OK");
  const std::string malformed = "AuthorizationHeaderMalformed";
  CHECK(with(a + signed_headers + "," + signature) == malformed);
  CHECK(with(a + credential + "," + signature) == malformed);
  CHECK(with(a + credential + "," + signed_headers) == malformed);
  CHECK(with(a) == malformed);
  CHECK(with("AWS4-HMAC-SHA256") == malformed);
  CHECK(with(a + credential + "," + credential + "," + signed_headers + "," + signature) ==
        malformed);
  CHECK(with(a + credential + "," + signed_headers + "," + signature + ",Extra=1") == malformed);
  CHECK(with(a + credential + "," + signed_headers + ",Signature=f0e8") == malformed);
  CHECK(with(a + credential + "," + signed_headers + ",Signature=") == malformed);
  for (std::string bad : {"AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3",
                          "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request/x",
                          "/20130524/us-east-1/s3/aws4_request",
                          "AKIAIOSFODNN7EXAMPLE/20130532/us-east-1/s3/aws4_request",
                          "AKIAIOSFODNN7EXAMPLE/2013052/us-east-1/s3/aws4_request",
                          "AKIAIOSFODNN7EXAMPLE/20130524//s3/aws4_request",
                          "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/ec2/aws4_request",
                          "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws5_request",
                          "AKIAIOSFODNN7EXAMPLE/20130523/us-east-1/s3/aws4_request"}) {
    INFO(bad);
    CHECK(with(a + "Credential=" + bad + "," + signed_headers + "," + signature) == malformed);
  }
  CHECK(with("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=") == "InvalidRequest");
  CHECK(with("AWS4-ECDSA-P256-SHA256 " + credential) == "InvalidRequest");
  CHECK(with("Bearer abc") == "InvalidArgument");
  CHECK(with("") == "InvalidArgument");
}

TEST_CASE("SigV4 presigned URLs need every X-Amz-* parameter once", "[unit]") {
  const std::string target = presigned_example().target;
  for (std::string name : {"X-Amz-Algorithm=", "X-Amz-Credential=", "X-Amz-Date=", "X-Amz-Expires=",
                           "X-Amz-SignedHeaders=", "X-Amz-Signature="}) {
    INFO(name);
    OwnedRequest r = presigned_example();
    const std::size_t at = r.target.find(name);
    r.target[at] = 'Y';  // "Y-Amz-...": a different parameter
    CHECK(reason_of(parse_and_verify(r)) == "AuthorizationQueryParametersError");
    r.target = target + "&" + name + "x";
    CHECK(reason_of(parse_and_verify(r)) == "AuthorizationQueryParametersError");
  }
  OwnedRequest r = presigned_example();
  r.target.replace(r.target.find("AWS4-HMAC-SHA256"), 16, "AWS4-HMAC-SHA512");
  CHECK(reason_of(parse_and_verify(r)) == "AuthorizationQueryParametersError");
  r = presigned_example();
  r.target.replace(r.target.find("20130524T000000Z"), 16, "2013-05-24T00:00");
  CHECK(reason_of(parse_and_verify(r)) == "AuthorizationQueryParametersError");
  r = presigned_example();
  r.target.replace(r.target.find("SignedHeaders=host"), 18, "SignedHeaders=range");
  CHECK(reason_of(parse_and_verify(r)) == "AuthorizationQueryParametersError");
  r = presigned_example();
  r.headers.push_back({"Authorization", authorization("host", std::string(64, '0'))});
  CHECK(reason_of(parse_and_verify(r)) == "InvalidArgument");
  r = {"GET", "/test.txt?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=x&Expires=1", {}};
  CHECK(reason_of(parse_and_verify(r)) == "InvalidRequest");
  r = {"GET", "/test.txt?versionId=1", {{"Host", "examplebucket.s3.amazonaws.com"}}};
  auto anonymous = parse_sigv4_auth(r.view());
  REQUIRE(anonymous);
  CHECK_FALSE(anonymous->has_value());
}

TEST_CASE("SigV4 header auth dates: required, matching the credential, within 15 minutes",
          "[unit]") {
  CHECK(reason_of(parse_and_verify(get_object_example(), kExampleTime + 900)) == "OK");
  CHECK(reason_of(parse_and_verify(get_object_example(), kExampleTime - 900)) == "OK");
  auto skewed = parse_and_verify(get_object_example(), kExampleTime + 901);
  CHECK(reason_of(skewed) == "RequestTimeTooSkewed");
  CHECK(skewed.error().code == ErrorCode::kUnauthenticated);
  CHECK(reason_of(parse_and_verify(get_object_example(), kExampleTime - 901)) ==
        "RequestTimeTooSkewed");
  OwnedRequest r = get_object_example();
  *r.header("x-amz-date") = "20130524T000000";
  CHECK(reason_of(parse_and_verify(r)) == "AccessDenied");
  *r.header("x-amz-date") = "20130524T240000Z";
  CHECK(reason_of(parse_and_verify(r)) == "AccessDenied");
  *r.header("x-amz-date") = "20130525T000000Z";  // credential says 20130524
  CHECK(reason_of(parse_and_verify(r, kExampleTime + 86400)) == "AuthorizationHeaderMalformed");
  r = get_object_example();
  r.headers.push_back({"X-Amz-Date", "20130524T000000Z"});
  CHECK(reason_of(parse_and_verify(r)) == "InvalidArgument");
  // The PUT example also has Date; without x-amz-date it is the request time (and unsigned).
  r = put_object_example();
  r.headers.erase(r.headers.begin() + 2);  // x-amz-date
  CHECK(reason_of(parse_and_verify(r)) == "SignatureDoesNotMatch");
  *r.header("Date") = "Sat, 24 May 2013 00:00:00 GMT";  // wrong day name
  CHECK(reason_of(parse_and_verify(r)) == "AccessDenied");
  r.headers.erase(r.headers.begin() + 1);  // no date at all
  CHECK(reason_of(parse_and_verify(r)) == "AccessDenied");
}

TEST_CASE("SigV4 header auth needs a valid x-amz-content-sha256", "[unit]") {
  OwnedRequest r = get_object_example();
  r.headers.erase(r.headers.begin() + 2);
  auto missing = parse_and_verify(r);
  CHECK(reason_of(missing) == "InvalidRequest");
  CHECK(missing.error().message ==
        "Missing required header for this request: x-amz-content-sha256");
  for (std::string bad : std::vector<std::string>{
           "", "e3b0", std::string(63, 'a') + "g", "STREAMING-AWS4-HMAC-SHA256",
           "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "unsigned-payload"}) {
    r = get_object_example();
    *r.header("x-amz-content-sha256") = bad;
    CHECK(reason_of(parse_and_verify(r)) == "InvalidArgument");
  }
}

TEST_CASE("SigV4 refuses x-amz-* headers left out of SignedHeaders", "[unit]") {
  OwnedRequest r = get_object_example();
  r.headers.push_back({"X-Amz-Meta-Owner", "mallory"});
  r.headers.push_back({"x-amz-acl", "public-read"});
  auto result = parse_and_verify(r);
  CHECK(reason_of(result) == "AccessDenied");
  CHECK(result.error().message ==
        "There were headers present in the request which were not signed: x-amz-meta-owner, "
        "x-amz-acl");
  // Headers that are not x-amz-* may stay unsigned, as with S3.
  r = get_object_example();
  r.headers.push_back({"User-Agent", "aws-cli/2"});
  r.headers.push_back({"X-Amzn-Trace-Id", "Root=1"});
  CHECK(reason_of(parse_and_verify(r)) == "OK");
}

TEST_CASE("SigV4 signer reproduces AWS's examples", "[unit]") {
  const Sigv4SigningCredentials creds{std::string(kAccessKeyId), std::string(kSecretKey),
                                      "us-east-1"};
  OwnedRequest r = get_object_example();
  r.headers.pop_back();  // Authorization
  std::string seed;
  auto value =
      sign_authorization(r.view(), creds, "20130524T000000Z", kEmptySha256, crypto(), &seed);
  REQUIRE(value);
  CHECK(*value ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  CHECK(seed == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  OwnedRequest p{"GET", "/test.txt", {{"Host", "examplebucket.s3.amazonaws.com"}}};
  auto target = presign_target(p.view(), creds, "20130524T000000Z", 86400, crypto());
  REQUIRE(target);
  CHECK(*target == presigned_example().target);
  p.headers.clear();
  CHECK_FALSE(presign_target(p.view(), creds, "20130524T000000Z", 86400, crypto()));
}

}  // namespace
}  // namespace castor
