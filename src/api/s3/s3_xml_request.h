#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/s3/s3_checksums.h"
#include "domain/error.h"

namespace castor {

// Parsers of the XML request bodies of the S3 API (pugixml underneath). Each is strict and
// bounded; on failure it returns an InvalidArgument Error whose `reason` is the S3 error code to
// answer (s3_errors.h) and whose message says what is wrong (never echoing more than a few
// dozen bytes of the body):
//   MaxMessageLengthExceeded  the body is over the parser's size limit (checked first);
//   MalformedXML              not well-formed XML 1.0 in UTF-8; any <!DOCTYPE (or other <!...>
//                             declaration): no entity is ever declared, so none is expanded and
//                             no file or URL is ever read; a reference other than the five
//                             predefined entities or a character reference to a character XML
//                             1.0 allows; a root other than the expected one; a namespace other
//                             than http://s3.amazonaws.com/doc/2006-03-01/ (it is optional);
//                             prefixed names, attributes, text where elements belong, unknown
//                             elements, a required element missing or any element repeated;
//   and the per-document codes below.
// The body is the request's, whole; a UTF-8 byte order mark is allowed. Thread-safe.

// CompleteMultipartUpload: <CompleteMultipartUpload><Part><PartNumber>n</PartNumber>
// <ETag>"..."</ETag>[<ChecksumCRC32>...</ChecksumCRC32>...]</Part>...</CompleteMultipartUpload>
// Its bound is larger than the others': 10,000 parts with a checksum each take ~1.7 MB.
inline constexpr std::size_t kMaxCompleteMultipartUploadBody = 4 << 20;

struct S3CompletedPart {
  std::uint32_t part_number = 0;  // 1..10,000
  std::string etag;               // without the surrounding quotes (they are optional in S3)
  S3Checksums checksums;  // validated: canonical base64 of the algorithm's size, else InvalidDigest
};

// The listed parts, in their (strictly ascending) order. Besides the common errors: MalformedXML
// for no part, a PartNumber that is not a decimal number, or a Part without PartNumber or ETag;
// InvalidArgument for a part number outside 1..10,000; InvalidPartOrder for part numbers not in
// strictly ascending order (a repeated number included); InvalidPart for an empty ETag;
// InvalidDigest for a malformed checksum value.
Result<std::vector<S3CompletedPart>> parse_complete_multipart_upload(std::string_view body);

// DeleteObjects: <Delete><Quiet>true</Quiet><Object><Key>k</Key>[<VersionId>v</VersionId>]
// [<ETag>e</ETag>]</Object>...</Delete>. 1,000 keys of 1,024 bytes take just over 1 MiB.
inline constexpr std::size_t kMaxDeleteObjectsBody = 2 << 20;
inline constexpr std::size_t kMaxDeleteObjects = 1000;

struct S3DeleteObjectsRequest {
  struct Object {
    std::string key;  // exactly as sent (not trimmed, not validated: the caller checks each
                      // with ObjectKey::parse and reports a bad one in the DeleteResult)
    std::optional<std::string> version_id;
    std::optional<std::string> etag;  // a conditional delete's ETag, quotes removed
  };
  bool quiet = false;
  std::vector<Object> objects;  // in the request's order, 1..kMaxDeleteObjects
};

// Besides the common errors: MalformedXML for no Object, more than kMaxDeleteObjects, an Object
// without Key, or a Quiet other than true/false/1/0; NotImplemented for the directory-bucket
// conditions LastModifiedTime and Size.
Result<S3DeleteObjectsRequest> parse_delete_objects(std::string_view body);

// CreateBucket's optional body: <CreateBucketConfiguration><LocationConstraint>region
// </LocationConstraint></CreateBucketConfiguration>.
inline constexpr std::size_t kMaxCreateBucketConfigurationBody = 1 << 20;

struct S3CreateBucketConfiguration {
  std::optional<std::string> location_constraint;  // trimmed; may be empty
};

// An empty (or all-whitespace) body is no configuration. Only the common errors otherwise
// (Location, Bucket and Tags, for directory buckets and newer clients, are unknown elements).
Result<S3CreateBucketConfiguration> parse_create_bucket_configuration(std::string_view body);

}  // namespace castor
