#pragma once

#include <span>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// One S3 error code: its name, the HTTP status the Amazon S3 API Reference ("Error responses")
// gives it, and a default message in AWS's words.
struct S3ErrorInfo {
  std::string_view code;
  int http_status;
  std::string_view message;
};

// Every S3 error code castor answers with, sorted by code. All are AWS's but one:
// InsufficientStorage (507), castor's answer for a full disk, which S3 has no code for (its
// clients show an unknown code by its status; 507 is what the native API answers too).
std::span<const S3ErrorInfo> s3_error_table();

// The entry for `code` (exact, case-sensitive), or nullptr.
const S3ErrorInfo* find_s3_error(std::string_view code);

// The HTTP status of `code`; 500 for a code not in the table.
int s3_http_status(std::string_view code);

// What an error is about, to name a NotFound or a conflict the way S3 does.
enum class S3Resource { kBucket, kObject, kUpload };

// An error as the S3 front end answers it: the code (from the table), its status and a message.
struct S3ErrorAnswer {
  const S3ErrorInfo* info;  // never null
  std::string message;      // the error's own message, or the code's default when it has none
};

// The one mapping from castor's error vocabulary to S3's:
//   1. an Error whose `reason` is an S3 code (the XML parsers, SigV4 and aws-chunked set them)
//      keeps it;
//   2. castor's own reasons: content_hash_mismatch → XAmzContentSHA256Mismatch, size_mismatch
//      → IncompleteBody, upload_not_open → NoSuchUpload (S3 forgets completed uploads),
//      parts_changed → OperationAborted (409: "try again"), too_many_uploads → InvalidRequest
//      (a per-tenant quota; S3 answers its own quotas, like TooManyBuckets, with a 400);
//   3. otherwise by code:
//        InvalidArgument    → InvalidArgument
//        NotFound           → NoSuchBucket | NoSuchKey | NoSuchUpload (by `resource`)
//        AlreadyExists      → bucket: BucketAlreadyOwnedByYou (bucket names are per tenant, so
//                             the taken name is always the caller's own); object or upload:
//                             PreconditionFailed (S3 writes overwrite: only If-None-Match makes
//                             a taken key an error)
//        FailedPrecondition → bucket: BucketNotEmpty; object or upload: PreconditionFailed
//        OutOfRange         → EntityTooLarge
//        Aborted            → ServiceUnavailable (503, which SDKs retry: a conflict that a
//                             retry may resolve, as the native API's 503)
//        ResourceExhausted  → InsufficientStorage (507: the disk is full; not an AWS code)
//        Unavailable        → ServiceUnavailable
//        Internal, DataLoss → InternalError
//        Unauthenticated    → AccessDenied (S3's answer to a request without valid credentials)
//        PermissionDenied   → AccessDenied
S3ErrorAnswer s3_error_for(const Error& error, S3Resource resource);

}  // namespace castor
