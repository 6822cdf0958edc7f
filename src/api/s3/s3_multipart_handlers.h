#pragma once
// Internal to src/api/s3: what the multipart handlers (s3_multipart_handlers*.cpp) share.

#include "api/s3/s3_call.h"
#include "api/s3/s3_object_common.h"
#include "application/uploads/read_uploads.h"

namespace castor::api::s3 {

// `e` from a bucket lookup, NotFound named NoSuchBucket.
Error no_such_bucket(Error e);

// The uploadId parameter as a session id: NotFound (NoSuchUpload) when absent or not a UUID.
Result<UploadId> upload_id_of(const S3Call& call);

// The S3 multipart upload `id` of `tenant` for `target` (its bucket and key), with its parts:
// NotFound (reason NoSuchUpload) when there is none, it is a native session or another key's, or
// it is completed and `allow_completed` is false. Blocking.
Result<UploadView> find_s3_upload(ReadUploads& uploads, const TenantId& tenant,
                                  const ObjectTarget& target, const UploadId& id,
                                  bool allow_completed);

}  // namespace castor::api::s3
