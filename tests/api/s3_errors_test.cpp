#include "api/s3/s3_errors.h"

#include <set>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

namespace castor {

TEST_CASE("the S3 error table is sorted, unique and complete", "[unit]") {
  const auto table = s3_error_table();
  REQUIRE(table.size() >= 50);
  for (std::size_t i = 1; i < table.size(); ++i) {
    INFO(table[i].code);
    CHECK(table[i - 1].code < table[i].code);
  }
  for (const S3ErrorInfo& info : table) {
    INFO(info.code);
    CHECK(!info.message.empty());
    CHECK(find_s3_error(info.code) == &info);
    CHECK(std::set<int>{304, 400, 403, 404, 405, 409, 411, 412, 416, 500, 501, 503, 507}.count(
              info.http_status) == 1);
  }
  CHECK(find_s3_error("nosuchkey") == nullptr);
  CHECK(find_s3_error("") == nullptr);
  CHECK(s3_http_status("NoSuchThing") == 500);
}

TEST_CASE("S3 error codes have the statuses of the S3 API Reference", "[unit]") {
  const std::pair<std::string_view, int> expected[] = {
      {"NoSuchBucket", 404},
      {"NoSuchKey", 404},
      {"NoSuchUpload", 404},
      {"BucketAlreadyOwnedByYou", 409},
      {"BucketAlreadyExists", 409},
      {"BucketNotEmpty", 409},
      {"InvalidBucketName", 400},
      {"AccessDenied", 403},
      {"SignatureDoesNotMatch", 403},
      {"InvalidAccessKeyId", 403},
      {"RequestTimeTooSkewed", 403},
      {"AuthorizationHeaderMalformed", 400},
      {"AuthorizationQueryParametersError", 400},
      {"XAmzContentSHA256Mismatch", 400},
      {"BadDigest", 400},
      {"InvalidDigest", 400},
      {"EntityTooSmall", 400},
      {"EntityTooLarge", 400},
      {"InvalidPart", 400},
      {"InvalidPartOrder", 400},
      {"InvalidRange", 416},
      {"PreconditionFailed", 412},
      {"NotModified", 304},
      {"MalformedXML", 400},
      {"InvalidArgument", 400},
      {"InvalidRequest", 400},
      {"MissingContentLength", 411},
      {"NotImplemented", 501},
      {"MethodNotAllowed", 405},
      {"IncompleteBody", 400},
      {"MalformedTrailerError", 400},
      {"InternalError", 500},
      {"ServiceUnavailable", 503},
      {"SlowDown", 503},
      {"KeyTooLongError", 400},
      {"InvalidURI", 400},
      {"MaxMessageLengthExceeded", 400},
      {"OperationAborted", 409},
      {"InvalidObjectState", 403},
      {"RequestTimeout", 400},
      {"MetadataTooLarge", 400},
      {"InsufficientStorage", 507},
  };
  for (const auto& [code, status] : expected) {
    INFO(code);
    CHECK(s3_http_status(code) == status);
  }
}

TEST_CASE("castor errors map to S3 codes", "[unit]") {
  const auto code_of = [](Error e, S3Resource r) {
    return std::string(s3_error_for(e, r).info->code);
  };
  using R = S3Resource;
  // An S3 code in the reason wins (SigV4, aws-chunked and the XML parsers set them).
  CHECK(code_of({ErrorCode::kUnauthenticated, "m", "SignatureDoesNotMatch"}, R::kObject) ==
        "SignatureDoesNotMatch");
  CHECK(code_of({ErrorCode::kInvalidArgument, "m", "MalformedXML"}, R::kBucket) == "MalformedXML");
  CHECK(code_of({ErrorCode::kInvalidArgument, "m", "InvalidPartOrder"}, R::kUpload) ==
        "InvalidPartOrder");
  // castor's own reasons.
  CHECK(code_of({ErrorCode::kInvalidArgument, "m", "content_hash_mismatch"}, R::kObject) ==
        "XAmzContentSHA256Mismatch");
  CHECK(code_of({ErrorCode::kInvalidArgument, "m", "size_mismatch"}, R::kObject) ==
        "IncompleteBody");
  CHECK(code_of({ErrorCode::kFailedPrecondition, "m", "upload_not_open"}, R::kUpload) ==
        "NoSuchUpload");
  CHECK(code_of({ErrorCode::kFailedPrecondition, "m", "parts_changed"}, R::kUpload) ==
        "OperationAborted");
  CHECK(code_of({ErrorCode::kFailedPrecondition, "m", "too_many_uploads"}, R::kUpload) ==
        "InvalidRequest");
  // By code and resource.
  CHECK(code_of({ErrorCode::kNotFound, "m"}, R::kBucket) == "NoSuchBucket");
  CHECK(code_of({ErrorCode::kNotFound, "m"}, R::kObject) == "NoSuchKey");
  CHECK(code_of({ErrorCode::kNotFound, "m"}, R::kUpload) == "NoSuchUpload");
  CHECK(code_of({ErrorCode::kAlreadyExists, "m"}, R::kBucket) == "BucketAlreadyOwnedByYou");
  CHECK(code_of({ErrorCode::kAlreadyExists, "m"}, R::kObject) == "PreconditionFailed");
  CHECK(code_of({ErrorCode::kFailedPrecondition, "m"}, R::kBucket) == "BucketNotEmpty");
  CHECK(code_of({ErrorCode::kFailedPrecondition, "m"}, R::kObject) == "PreconditionFailed");
  CHECK(code_of({ErrorCode::kInvalidArgument, "m"}, R::kObject) == "InvalidArgument");
  CHECK(code_of({ErrorCode::kOutOfRange, "m"}, R::kObject) == "EntityTooLarge");
  CHECK(code_of({ErrorCode::kAborted, "m"}, R::kObject) == "ServiceUnavailable");
  CHECK(code_of({ErrorCode::kResourceExhausted, "m"}, R::kObject) == "InsufficientStorage");
  CHECK(code_of({ErrorCode::kUnavailable, "m"}, R::kBucket) == "ServiceUnavailable");
  CHECK(code_of({ErrorCode::kInternal, "m"}, R::kObject) == "InternalError");
  CHECK(code_of({ErrorCode::kDataLoss, "m"}, R::kObject) == "InternalError");
  CHECK(code_of({ErrorCode::kUnauthenticated, "m"}, R::kObject) == "AccessDenied");
  CHECK(code_of({ErrorCode::kPermissionDenied, "m"}, R::kBucket) == "AccessDenied");
  // An unknown reason falls back to the code.
  CHECK(code_of({ErrorCode::kNotFound, "m", "no_such_thing"}, R::kObject) == "NoSuchKey");

  const S3ErrorAnswer with_message =
      s3_error_for({ErrorCode::kNotFound, "no such object"}, S3Resource::kObject);
  CHECK(with_message.message == "no such object");
  CHECK(with_message.info->http_status == 404);
  const S3ErrorAnswer without = s3_error_for({ErrorCode::kOutOfRange, ""}, S3Resource::kObject);
  CHECK(without.message == "Your proposed upload exceeds the maximum allowed object size.");
  CHECK(without.info->http_status == 400);
}

}  // namespace castor
