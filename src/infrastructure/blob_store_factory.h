#pragma once

#include <memory>

#include "application/ports/blob_store.h"
#include "infrastructure/config.h"

namespace castor {

// The blob store `castor serve` (and gc, fsck) uses: each storage class on the backend its
// <CLASS>_STORAGE_BACKEND names — its <CLASS>_STORAGE_PATH directory (fs) or its S3 bucket (s3),
// the S3 bucket first and the directory second while <CLASS>_STORAGE_FALLBACK=fs. An S3 backend
// is checked (HeadBucket) before this returns: Unavailable, PermissionDenied or NotFound with one
// line naming the class, endpoint and bucket when it is unreachable, forbidden or missing.
// Blocking (network, disk).
Result<std::unique_ptr<BlobStore>> make_blob_store(const Config& config);

// One storage class's content on one backend, whatever the configuration selects: the source and
// the target of `castor migrate-storage`. `kind` kS3 uses the class's <CLASS>_S3_* settings
// (InvalidArgument when its endpoint, bucket or credentials are unset); kFs its directory. The
// store answers for that class only. Checked like make_blob_store. Blocking.
Result<std::unique_ptr<BlobStore>> make_class_blob_store(const Config& config,
                                                         StorageClass storage_class,
                                                         Config::Backend kind);

}  // namespace castor
