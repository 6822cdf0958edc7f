#pragma once
// Internal to src/api/s3: the headers of S3 object requests and responses. Includes Beast.

#include <optional>
#include <string>

#include "api/s3/s3_call.h"
#include "api/s3/s3_checksums.h"
#include "domain/object.h"

namespace castor::api::s3 {

// What a PutObject, CopyObject (REPLACE) or CreateMultipartUpload stores besides the content:
// the x-amz-meta-* headers (names lowercased, prefix removed), Content-Disposition, -Encoding,
// -Language, Cache-Control, Expires, and the Content-Type ("" when absent). InvalidArgument for
// metadata over 2 KiB (MetadataTooLarge) or values that are not printable.
struct RequestAttributes {
  ObjectAttributes attributes;
  std::string content_type;
};
Result<RequestAttributes> attributes_from_request(Exchange& ex);

// The headers of a GET/HEAD of `object` (besides ETag, Last-Modified, Content-Type and the
// content's own, which send_content writes): x-amz-meta-*, the stored representation headers,
// x-amz-checksum-* when the request has x-amz-checksum-mode: ENABLED and no Range,
// x-amz-storage-class for cold objects, and the response-* query overrides of GetObject (which win
// over the stored headers). Content-Type is returned separately: `content_type` (the stored one, or
// response-content-type).
Headers object_headers(const S3Call& call, Exchange& ex, const Object& object,
                       std::string& content_type);

// The storage class an x-amz-storage-class header asks for: STANDARD (or absent) is hot;
// STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER and DEEP_ARCHIVE are cold
// (castor's cold class is online: no restore needed). InvalidArgument (InvalidStorageClass)
// otherwise.
Result<StorageClass> storage_class_from(Exchange& ex);

// The x-amz-storage-class castor reports for `storage_class` (nullopt for hot: S3 omits STANDARD).
std::optional<std::string> s3_storage_class_name(StorageClass storage_class);

// The flexible checksums of `pairs` ({"crc32c", base64}, ...) as the XML results carry them.
S3Checksums s3_checksums(const ObjectAttributes::Pairs& pairs);

// The answer headers of a stored write (PutObject, UploadPart): ETag (quoted) and an
// x-amz-checksum-<algorithm> per checksum.
Headers write_headers(std::string_view etag, const ObjectAttributes::Pairs& checksums);

// x-amz-copy-source: "/bucket/key" or "bucket/key" (URL-encoded, "?versionId=null" allowed).
struct CopySource {
  std::string bucket;
  std::string key;
};
Result<CopySource> parse_copy_source(std::string_view header);

}  // namespace castor::api::s3
