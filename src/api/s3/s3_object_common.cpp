#include "api/s3/s3_object_common.h"

#include "api/s3/s3_headers.h"

namespace castor::api::s3 {

Result<ObjectTarget> object_target(const S3Call& call) {
  auto ns = call.ns();
  if (!ns) {
    return std::move(ns).error();
  }
  if (call.key.size() > ObjectKey::kMaxBytes) {
    return Error{ErrorCode::kInvalidArgument, "Your key is too long", "KeyTooLongError"};
  }
  auto key = ObjectKey::parse(call.key);
  if (!key) {
    return Error{ErrorCode::kInvalidArgument, key.error().message, "InvalidArgument"};
  }
  return ObjectTarget{std::move(*ns), std::move(*key)};
}

Result<ObjectTarget> copy_source_target(const S3Call& call, Exchange& ex) {
  auto source = parse_copy_source(ex.header("x-amz-copy-source").value_or(""));
  if (!source) {
    return std::move(source).error();
  }
  S3Call source_call = call;
  source_call.bucket = std::move(source->bucket);
  source_call.key = std::move(source->key);
  auto target = object_target(source_call);
  // The source bucket is a namespace too: a namespace-restricted credential copies only from
  // its own (the request's bucket was checked by s3_authorized).
  if (target && ex.principal && !ex.principal->sees(target->ns)) {
    return Error{ErrorCode::kPermissionDenied,
                 "credential is not valid for namespace " + target->ns.str(), "AccessDenied"};
  }
  return target;
}

Result<WritePolicy> write_policy(Exchange& ex) {
  WritePolicy policy = WritePolicy::replace();
  policy.require_bucket = true;
  if (auto inm = ex.header("If-None-Match")) {
    if (*inm != "*") {
      return Error{ErrorCode::kInvalidArgument,
                   "If-None-Match on a write accepts only '*' (castor, like S3)", "NotImplemented"};
    }
    policy.if_none_match_any = true;
  }
  policy.if_match = ex.header("If-Match");
  return policy;
}

}  // namespace castor::api::s3
