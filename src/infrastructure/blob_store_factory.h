#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/readiness_probe.h"
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

// Where a class keeps its content, for the start-up line: its directory, or
// "s3://{bucket}/{prefix} at {endpoint}".
std::string storage_location(const Config& config, StorageClass storage_class);

// The storage roots of the classes kept on the filesystem (their readiness check: a new file can
// be created), including a class's fallback directory.
std::vector<std::filesystem::path> filesystem_roots(const Config& config);

// The readiness checks of the classes kept in S3: each bucket answers HeadBucket, on a client of
// its own (one connection, no retries), so that busy uploads neither hide an outage nor delay
// the probe. Empty when every class is on the filesystem.
std::vector<std::unique_ptr<ReadinessProbe>> make_s3_probes(const Config& config);

}  // namespace castor
