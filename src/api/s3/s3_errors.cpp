#include "api/s3/s3_errors.h"

#include <algorithm>
#include <iterator>

namespace castor {
namespace {

// Sorted by code (std::string_view's order), checked by the unit tests.
constexpr S3ErrorInfo kTable[] = {
    {"AccessDenied", 403, "Access Denied"},
    {"AuthorizationHeaderMalformed", 400,
     "The authorization header that you provided is not valid."},
    {"AuthorizationQueryParametersError", 400,
     "The authorization query parameters that you provided are not valid."},
    {"BadDigest", 400,
     "The Content-MD5 or checksum value that you specified did not match what the server "
     "received."},
    {"BucketAlreadyExists", 409,
     "The requested bucket name is not available. Select a different name and try again."},
    {"BucketAlreadyOwnedByYou", 409,
     "The bucket that you tried to create already exists, and you own it."},
    {"BucketNotEmpty", 409, "The bucket that you tried to delete is not empty."},
    {"ConditionalRequestConflict", 409,
     "A conflicting operation occurred. If using PutObject you can retry the request."},
    {"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."},
    {"EntityTooSmall", 400,
     "Your proposed upload is smaller than the minimum allowed object size."},
    {"ExpiredToken", 400, "The provided token has expired."},
    {"IllegalLocationConstraintException", 400,
     "The location constraint is not valid for this endpoint."},
    {"IncompleteBody", 400,
     "You did not provide the number of bytes specified by the Content-Length HTTP header."},
    {"InsufficientStorage", 507, "The server has no space left to store the data."},
    {"InternalError", 500, "An internal error occurred. Try again."},
    {"InvalidAccessKeyId", 403,
     "The AWS access key ID that you provided does not exist in our records."},
    {"InvalidArgument", 400, "Invalid Argument"},
    {"InvalidBucketName", 400, "The specified bucket is not valid."},
    {"InvalidBucketState", 409, "The request is not valid for the current state of the bucket."},
    {"InvalidDigest", 400, "The Content-MD5 or checksum value that you specified is not valid."},
    {"InvalidLocationConstraint", 400, "The specified location (Region) constraint is not valid."},
    {"InvalidObjectState", 403, "The operation is not valid for the current state of the object."},
    {"InvalidPart", 400,
     "One or more of the specified parts could not be found. The part might not have been "
     "uploaded, or the specified ETag might not have matched the uploaded part's ETag."},
    {"InvalidPartOrder", 400,
     "The list of parts was not in ascending order. The parts list must be specified in order "
     "by part number."},
    {"InvalidRange", 416, "The requested range is not satisfiable."},
    {"InvalidRequest", 400, "The request is not valid."},
    {"InvalidStorageClass", 400, "The storage class that you specified is not valid."},
    {"InvalidURI", 400, "The specified URI couldn't be parsed."},
    {"KeyTooLongError", 400, "Your key is too long."},
    {"MalformedTrailerError", 400,
     "The request contained trailing data that was not well-formed or did not conform to our "
     "published schema."},
    {"MalformedXML", 400,
     "The XML that you provided was not well-formed or did not validate against our published "
     "schema."},
    {"MaxMessageLengthExceeded", 400, "Your request was too large."},
    {"MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size."},
    {"MethodNotAllowed", 405, "The specified method is not allowed against this resource."},
    {"MissingContentLength", 411, "You must provide the Content-Length HTTP header."},
    {"MissingRequestBodyError", 400, "Request body is empty."},
    {"MissingSecurityHeader", 400, "Your request is missing a required header."},
    {"NoSuchBucket", 404, "The specified bucket does not exist."},
    {"NoSuchBucketPolicy", 404, "The specified bucket does not have a bucket policy."},
    {"NoSuchKey", 404, "The specified key does not exist."},
    {"NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist."},
    {"NoSuchTagSet", 404, "There is no tag set associated with the bucket."},
    {"NoSuchUpload", 404,
     "The specified multipart upload does not exist. The upload ID might not be valid, or the "
     "multipart upload might have been aborted or completed."},
    {"NoSuchVersion", 404,
     "The version ID specified in the request does not match an existing version."},
    {"NotImplemented", 501,
     "A header that you provided implies functionality that is not implemented."},
    {"NotModified", 304, "Not Modified"},
    {"OperationAborted", 409,
     "A conflicting conditional operation is currently in progress against this resource. Try "
     "again."},
    {"PreconditionFailed", 412,
     "At least one of the preconditions that you specified did not hold."},
    // Not an AWS code: castor's quotas (docs/USAGE_AND_QUOTAS.md); Ceph RGW answers it too.
    {"QuotaExceeded", 403, "The upload would exceed a quota set on the tenant or the bucket."},
    {"RequestTimeTooSkewed", 403,
     "The difference between the request time and the server's time is too large."},
    {"RequestTimeout", 400,
     "Your socket connection to the server was not read from or written to within the timeout "
     "period."},
    {"ServiceUnavailable", 503, "Service is unable to handle request. Reduce your request rate."},
    {"SignatureDoesNotMatch", 403,
     "The request signature that the server calculated does not match the signature that you "
     "provided. Check your AWS secret access key and signing method."},
    {"SlowDown", 503, "Please reduce your request rate."},
    {"TooManyBuckets", 400, "You have attempted to create more buckets than are allowed."},
    {"UnexpectedContent", 400, "This request contains unsupported content."},
    {"XAmzContentSHA256Mismatch", 400,
     "The provided 'x-amz-content-sha256' header does not match what was computed."},
};

const S3ErrorInfo& entry(std::string_view code) {
  const S3ErrorInfo* info = find_s3_error(code);
  return info != nullptr ? *info : *find_s3_error("InternalError");
}

std::string_view code_for_reason(std::string_view reason) {
  if (reason == "content_hash_mismatch") {
    return "XAmzContentSHA256Mismatch";
  }
  if (reason == "size_mismatch") {
    return "IncompleteBody";
  }
  if (reason == "upload_not_open") {
    return "NoSuchUpload";
  }
  if (reason == "parts_changed") {
    return "OperationAborted";
  }
  if (reason == "quota_exceeded") {
    return "QuotaExceeded";
  }
  if (reason == "too_many_uploads") {
    return "InvalidRequest";
  }
  // WORM (docs/RETENTION.md): S3 Object Lock answers AccessDenied for a locked object's delete or
  // overwrite and for a retention it may not shorten; the message says which and until when.
  if (reason == "object_locked" || reason == "retention_locked" || reason == "overwrite_refused") {
    return "AccessDenied";
  }
  return {};
}

std::string_view code_for(ErrorCode code, S3Resource resource) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "InvalidArgument";
    case ErrorCode::kNotFound:
      switch (resource) {
        case S3Resource::kBucket:
          return "NoSuchBucket";
        case S3Resource::kObject:
          return "NoSuchKey";
        case S3Resource::kUpload:
          return "NoSuchUpload";
      }
      return "NoSuchKey";
    case ErrorCode::kAlreadyExists:
      return resource == S3Resource::kBucket ? "BucketAlreadyOwnedByYou" : "PreconditionFailed";
    case ErrorCode::kFailedPrecondition:
      return resource == S3Resource::kBucket ? "BucketNotEmpty" : "PreconditionFailed";
    case ErrorCode::kOutOfRange:
      return "EntityTooLarge";
    case ErrorCode::kAborted:
    case ErrorCode::kUnavailable:
      return "ServiceUnavailable";
    case ErrorCode::kResourceExhausted:
      return "InsufficientStorage";
    case ErrorCode::kInternal:
    case ErrorCode::kDataLoss:
      return "InternalError";
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied:
      return "AccessDenied";
  }
  return "InternalError";
}

}  // namespace

std::span<const S3ErrorInfo> s3_error_table() { return kTable; }

const S3ErrorInfo* find_s3_error(std::string_view code) {
  const auto it =
      std::lower_bound(std::begin(kTable), std::end(kTable), code,
                       [](const S3ErrorInfo& info, std::string_view c) { return info.code < c; });
  return it != std::end(kTable) && it->code == code ? &*it : nullptr;
}

int s3_http_status(std::string_view code) {
  const S3ErrorInfo* info = find_s3_error(code);
  return info != nullptr ? info->http_status : 500;
}

S3ErrorAnswer s3_error_for(const Error& error, S3Resource resource) {
  const S3ErrorInfo* info = find_s3_error(error.reason);
  if (info == nullptr) {
    const std::string_view by_reason = code_for_reason(error.reason);
    info = &entry(by_reason.empty() ? code_for(error.code, resource) : by_reason);
  }
  return {info, error.message.empty() ? std::string(info->message) : error.message};
}

}  // namespace castor
