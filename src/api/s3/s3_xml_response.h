#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/s3/s3_checksums.h"
#include "domain/object.h"

namespace castor {

// Builders of the S3 API's XML response bodies that are not listings (those are in
// s3_xml_listing.h). Each takes plain values and returns a whole document (declaration
// included), written by XmlWriter: always well-formed, whatever bytes the values hold (see
// xml_writer.h for what happens to characters XML 1.0 cannot hold). Every root but Error carries
// the S3 namespace. ETags are given bare (hex, or hex-N) and written quoted; times are written as
// s3_timestamp() does. Thread-safe.

// The canonical user: an owner, initiator or grantee.
struct S3Owner {
  std::string id;
  std::string display_name;
};

// <Error><Code/><Message/><Resource/><RequestId/></Error>, the four always present (an empty
// Resource when there is none). No namespace, as S3 writes it.
std::string s3_error_xml(std::string_view code, std::string_view message, std::string_view resource,
                         std::string_view request_id);

struct S3BucketEntry {
  std::string name;
  Timestamp creation_date;
};

struct S3ListBucketsResult {
  S3Owner owner;
  std::vector<S3BucketEntry> buckets;
  std::optional<std::string> continuation_token;  // when max-buckets cut the list
  std::optional<std::string> prefix;              // echoed when the request had one
};

// ListBuckets: <ListAllMyBucketsResult><Owner/><Buckets><Bucket><Name/><CreationDate/>
// </Bucket>...</Buckets>[<ContinuationToken/>][<Prefix/>]</ListAllMyBucketsResult>.
std::string s3_list_buckets_xml(const S3ListBucketsResult& result);

// CreateMultipartUpload: <InitiateMultipartUploadResult><Bucket/><Key/><UploadId/>.
std::string s3_initiate_multipart_upload_xml(std::string_view bucket, std::string_view key,
                                             std::string_view upload_id);

struct S3CompleteMultipartUploadResult {
  std::string location;  // the object's URL
  std::string bucket;
  std::string key;
  std::string etag;  // "<md5 of the part MD5s>-<parts>"
  S3Checksums checksums;
};

// CompleteMultipartUpload: <CompleteMultipartUploadResult><Location/><Bucket/><Key/><ETag/>
// [<ChecksumCRC32/>...].
std::string s3_complete_multipart_upload_xml(const S3CompleteMultipartUploadResult& result);

struct S3CopyResult {
  Timestamp last_modified;
  std::string etag;
  S3Checksums checksums;
};

// CopyObject: <CopyObjectResult><LastModified/><ETag/>[<ChecksumCRC32/>...].
std::string s3_copy_object_result_xml(const S3CopyResult& result);
// UploadPartCopy: <CopyPartResult><LastModified/><ETag/>[<ChecksumCRC32/>...].
std::string s3_copy_part_result_xml(const S3CopyResult& result);

// One key of a DeleteObjects request, deleted (error_code empty) or not.
struct S3DeleteOutcome {
  std::string key;
  std::optional<std::string> version_id;  // echoed when the request named one
  std::string error_code;                 // an S3 code (s3_errors.h); empty when deleted
  std::string error_message;
};

// DeleteObjects: <DeleteResult> with a <Deleted><Key/>[<VersionId/>]</Deleted> per deleted key
// and an <Error><Key/>[<VersionId/>]<Code/><Message/></Error> per failure, in the given order.
// In quiet mode the Deleted entries are left out (S3's Quiet: only errors are reported).
std::string s3_delete_result_xml(const std::vector<S3DeleteOutcome>& outcomes, bool quiet);

// GetBucketLocation: <LocationConstraint>region</LocationConstraint>; an empty `region` (what S3
// answers for us-east-1) gives an empty element.
std::string s3_location_constraint_xml(std::string_view region);

// GetBucketVersioning of a bucket whose versioning was never enabled: an empty
// <VersioningConfiguration/> (no Status element).
std::string s3_versioning_configuration_xml();

// GetBucketAcl / GetObjectAcl: the canned "private" policy, FULL_CONTROL to the owner only.
std::string s3_private_acl_xml(const S3Owner& owner);

// Helpers shared with s3_xml_listing.cpp.
class XmlWriter;
void write_owner(XmlWriter& xml, std::string_view element, const S3Owner& owner);
void write_checksums(XmlWriter& xml, const S3Checksums& checksums);

}  // namespace castor
