#pragma once
// Internal to src/api/s3: what the object operations share.

#include "api/s3/s3_call.h"
#include "application/write_policy.h"
#include "domain/object_key.h"

namespace castor::api::s3 {

// The object a request names.
struct ObjectTarget {
  Namespace ns;
  ObjectKey key;
};

// The bucket and key of `call`: NotFound (NoSuchBucket) for a bucket name that cannot exist;
// KeyTooLongError over 1024 bytes; InvalidArgument for a key castor cannot hold (not UTF-8, or
// with control characters).
Result<ObjectTarget> object_target(const S3Call& call);

// The object x-amz-copy-source names (CopyObject, UploadPartCopy), in the caller's tenant:
// parse_copy_source()'s and object_target()'s errors; AccessDenied for a namespace the credential
// may not see.
Result<ObjectTarget> copy_source_target(const S3Call& call, Exchange& ex);

// How an S3 write claims its key: replace, under If-None-Match ("*" only; S3 supports no other
// value on writes: NotImplemented) and If-Match, within an existing bucket. (S3 API Reference,
// PutObject "Conditional requests".)
Result<WritePolicy> write_policy(Exchange& ex);

}  // namespace castor::api::s3
