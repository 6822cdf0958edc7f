#pragma once

#include <string_view>

#include "domain/error.h"
#include "domain/names.h"
#include "domain/object.h"

namespace castor {

// An S3 bucket: a namespace of one tenant made first-class (docs/S3.md, "One store, two front
// ends"). Bucket names are per tenant: two tenants may both own `data`. The objects of bucket B of
// tenant T are the native objects (namespace = B, tenant = T).
struct Bucket {
  Namespace name;
  TenantId tenant;
  Timestamp created_at;  // when the row was made (CreateBucket, the first native upload, or the
                         // earliest object or upload session of the namespace for backfilled rows)

  friend bool operator==(const Bucket&, const Bucket&) = default;
};

// The names the native API's paths use (`/v1/...`, `/health`, `/ready`, `/metrics`, `/console/`,
// `/openapi.json`): a bucket with one of these names could not be addressed path-style.
bool is_reserved_bucket_name(std::string_view name);

// Checks a name for CreateBucket against Amazon S3's rules for general purpose buckets ("Bucket
// naming rules", Amazon S3 User Guide): 3..63 characters of [a-z0-9.-]; begins and ends with a
// letter or digit; no two adjacent periods; not in the form of an IPv4 address (four
// dot-separated decimal numbers); no prefix "xn--", "sthree-" or "amzn-s3-demo-"; no suffix
// "-s3alias", "--ol-s3", ".mrap", "--x-s3" or "--table-s3". The name must also be a castor
// Namespace ([a-z0-9][a-z0-9._-]{0,62}, implied by the above) and not a reserved name (see
// is_reserved_bucket_name). Returns InvalidArgument with Error::reason "InvalidBucketName" and a
// message naming the rule broken.
Status check_new_bucket_name(std::string_view name);

}  // namespace castor
