#pragma once

#include <string>
#include <string_view>

#include "domain/object.h"

namespace castor {

// A listing's text under EncodingType=url, as S3 encodes it: ASCII letters, digits and
// - _ . / * stay as they are, a space becomes '+', every other byte (UTF-8 bytes of non-ASCII
// characters, control characters, '+', '~', '%', ...) becomes %XX with uppercase hex. The
// result is plain ASCII; clients decode it as a query component (botocore's unquote_plus).
std::string s3_url_encode(std::string_view text);

// A time as S3 writes it in XML (ISO 8601, UTC, milliseconds): "2009-10-12T17:50:30.000Z".
// Sub-millisecond digits are dropped (rounded towards the past).
std::string s3_timestamp(Timestamp t);

// An ETag as S3 writes it: `etag` between double quotes ("\"<hex>\""). An `etag` already quoted
// is returned as it is.
std::string quoted_etag(std::string_view etag);

}  // namespace castor
