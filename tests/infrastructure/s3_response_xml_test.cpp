#include "infrastructure/s3/s3_response_xml.h"

#include <catch2/catch.hpp>

#include <chrono>

namespace castor {
namespace {

Timestamp at(int y, unsigned mo, unsigned d, int h, int mi, int s, int ms = 0) {
  return Timestamp{std::chrono::sys_days{std::chrono::year{y} / mo / d}} + std::chrono::hours{h} +
         std::chrono::minutes{mi} + std::chrono::seconds{s} + std::chrono::milliseconds{ms};
}

}  // namespace

TEST_CASE("parse_iso8601 reads S3's timestamps", "[unit]") {
  CHECK(parse_iso8601("2009-10-12T17:50:30.000Z") == at(2009, 10, 12, 17, 50, 30));
  CHECK(parse_iso8601("2009-10-12T17:50:30.123Z") == at(2009, 10, 12, 17, 50, 30, 123));
  CHECK(parse_iso8601("2009-10-12T17:50:30Z") == at(2009, 10, 12, 17, 50, 30));
  CHECK(parse_iso8601("2024-02-29T00:00:00.5Z") == at(2024, 2, 29, 0, 0, 0, 500));
  for (const char* bad :
       {"", "2009-10-12", "2009-13-12T17:50:30Z", "2023-02-29T00:00:00Z", "2009-10-12T24:00:00Z",
        "2009-10-12T17:50:30.Z", "2009-10-12T17:50:30+01:00", "2009-10-12 17:50:30Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso8601(bad).has_value());
  }
}

TEST_CASE("parse_s3_error reads <Error> and nothing else", "[unit]") {
  const auto error = parse_s3_error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
      "<Message>Please reduce your request rate.</Message><RequestId>1</RequestId></Error>");
  REQUIRE(error);
  CHECK(error->code == "SlowDown");
  CHECK(error->message == "Please reduce your request rate.");
  CHECK_FALSE(parse_s3_error(""));
  CHECK_FALSE(parse_s3_error("<html><body>502 Bad Gateway</body></html>"));
  CHECK_FALSE(parse_s3_error("<CopyObjectResult><ETag>\"x\"</ETag></CopyObjectResult>"));
  CHECK_FALSE(parse_s3_error("<Error><Code>trunc"));
}

TEST_CASE("parse_list_objects_v2 reads keys, sizes, times and IsTruncated", "[unit]") {
  // The AWS API Reference's ListObjectsV2 example, with the namespace.
  const auto page = parse_list_objects_v2(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix/><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>ab/cd/a &amp; b</Key><LastModified>2011-02-26T01:56:20.000Z</LastModified>
    <ETag>"bf1d737a4d46a19f3bced6905cc8b902"</ETag><Size>142863</Size>
    <StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>ab/cd/c</Key><LastModified>2011-02-26T01:56:21.5Z</LastModified>
    <Size>0</Size></Contents>
</ListBucketResult>)");
  REQUIRE(page);
  CHECK(page->truncated);
  REQUIRE(page->objects.size() == 2);
  CHECK(page->objects[0].key == "ab/cd/a & b");
  CHECK(page->objects[0].size == 142863);
  CHECK(page->objects[0].last_modified == at(2011, 2, 26, 1, 56, 20));
  CHECK(page->objects[1].size == 0);
  CHECK(page->objects[1].last_modified == at(2011, 2, 26, 1, 56, 21, 500));

  auto empty = parse_list_objects_v2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount>"
      "</ListBucketResult>");
  REQUIRE(empty);
  CHECK(empty->objects.empty());
  CHECK_FALSE(empty->truncated);

  for (const char* bad :
       {"not xml", "<Error><Code>x</Code></Error>",
        "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size>"
        "<LastModified>2011-02-26T01:56:20.000Z</LastModified></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>"}) {
    INFO(bad);
    auto parsed = parse_list_objects_v2(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ErrorCode::kInternal);
    CHECK(parsed.error().message.find("ListObjectsV2") != std::string::npos);
  }
}

TEST_CASE("multipart documents: initiate, list uploads, list parts, complete", "[unit]") {
  CHECK(
      parse_initiate_multipart("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                               "<UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>")
          .value() == "VXBsb2FkIElE");
  CHECK_FALSE(parse_initiate_multipart("<InitiateMultipartUploadResult/>"));

  const auto uploads = parse_list_multipart_uploads(R"(<ListMultipartUploadsResult>
    <Bucket>b</Bucket><IsTruncated>false</IsTruncated>
    <Upload><Key>.tmp/1</Key><UploadId>u1</UploadId>
      <Initiated>2010-11-10T20:48:33.000Z</Initiated></Upload>
    <Upload><Key>.tmp/2</Key><UploadId>u2</UploadId>
      <Initiated>2010-11-10T20:49:33.000Z</Initiated></Upload>
  </ListMultipartUploadsResult>)");
  REQUIRE(uploads);
  REQUIRE(uploads->size() == 2);
  CHECK((*uploads)[1].key == ".tmp/2");
  CHECK((*uploads)[1].upload_id == "u2");
  CHECK((*uploads)[1].initiated == at(2010, 11, 10, 20, 49, 33));

  const auto parts = parse_list_parts(R"(<ListPartsResult>
    <IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker>
    <Part><PartNumber>1</PartNumber><LastModified>2010-11-10T20:48:34.000Z</LastModified>
      <ETag>"a"</ETag><Size>5242880</Size></Part>
    <Part><PartNumber>2</PartNumber><LastModified>2010-11-10T20:48:33.000Z</LastModified>
      <ETag>"b"</ETag><Size>10</Size></Part>
  </ListPartsResult>)");
  REQUIRE(parts);
  CHECK(parts->truncated);
  CHECK(parts->next_marker == "2");
  CHECK(parts->last_modified == at(2010, 11, 10, 20, 48, 34));
  const auto none = parse_list_parts(
      "<ListPartsResult><IsTruncated>false</IsTruncated>"
      "</ListPartsResult>");
  REQUIRE(none);
  CHECK_FALSE(none->last_modified.has_value());
  CHECK_FALSE(
      parse_list_parts("<ListPartsResult><IsTruncated>true</IsTruncated>"
                       "</ListPartsResult>"));

  CHECK(parse_copy_result("<CopyObjectResult><LastModified>2009-10-28T22:32:00Z</LastModified>"
                          "<ETag>\"9b2cf535f27731c974343645a3985328\"</ETag></CopyObjectResult>")
            .value() == "\"9b2cf535f27731c974343645a3985328\"");
  CHECK(parse_copy_result("<CopyPartResult><ETag>\"p\"</ETag></CopyPartResult>").value() ==
        "\"p\"");
  CHECK_FALSE(parse_copy_result("<Error><Code>InternalError</Code></Error>"));

  const std::string xml = complete_multipart_xml({{1, "\"a&b\""}, {2, "\"c\""}});
  CHECK(xml.find("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                 "<Part><PartNumber>1</PartNumber><ETag>\"a&amp;b\"</ETag></Part>"
                 "<Part><PartNumber>2</PartNumber><ETag>\"c\"</ETag></Part>"
                 "</CompleteMultipartUpload>") != std::string::npos);
}

}  // namespace castor
