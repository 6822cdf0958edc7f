#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/s3/s3_checksums.h"
#include "api/s3/s3_xml_response.h"
#include "domain/object.h"

namespace castor {

// Builders of the S3 listings: ListObjects (v1), ListObjectsV2, ListObjectVersions (castor keeps
// no versions: each object is its one, latest version "null"), ListParts and
// ListMultipartUploads. Conventions as in s3_xml_response.h. With `url_encoding`
// (EncodingType=url) the fields S3 encodes (keys, prefixes, the delimiter, markers and
// StartAfter) are written through s3_url_encode() and <EncodingType>url</EncodingType> is added;
// tokens and upload ids are written as they are (make them URL-safe). StorageClass is always
// STANDARD.

struct S3ObjectEntry {
  std::string key;
  Timestamp last_modified;
  std::string etag;  // bare; written quoted
  std::uint64_t size = 0;
  std::optional<S3Owner> owner;  // written when set (v1 always has it; v2 with fetch-owner)
};

// What the three object listings share.
struct S3ObjectListing {
  std::string bucket;
  std::string prefix;
  std::optional<std::string> delimiter;  // written when the request had one
  std::uint32_t max_keys = 1000;
  bool url_encoding = false;
  bool is_truncated = false;
  std::vector<S3ObjectEntry> contents;       // in key order
  std::vector<std::string> common_prefixes;  // in order; each is written in its own element
};

// ListObjects: <ListBucketResult> with Name, Prefix, Marker, [NextMarker], MaxKeys, [Delimiter],
// IsTruncated, [EncodingType], Contents..., CommonPrefixes....
std::string s3_list_objects_v1_xml(const S3ObjectListing& listing, std::string_view marker,
                                   const std::optional<std::string>& next_marker);

struct S3ListV2Cursor {
  std::optional<std::string> continuation_token;       // echoed when the request had one
  std::optional<std::string> next_continuation_token;  // when truncated
  std::optional<std::string> start_after;              // echoed when the request had one
};

// ListObjectsV2: <ListBucketResult> with Name, Prefix, [ContinuationToken],
// [NextContinuationToken], KeyCount (contents plus common prefixes), MaxKeys, [Delimiter],
// IsTruncated, [StartAfter], [EncodingType], Contents..., CommonPrefixes....
std::string s3_list_objects_v2_xml(const S3ObjectListing& listing, const S3ListV2Cursor& cursor);

struct S3ListVersionsCursor {
  std::string key_marker;
  std::string version_id_marker;
  std::optional<std::string> next_key_marker;  // when truncated
  std::optional<std::string> next_version_id_marker;
};

// ListObjectVersions of an unversioned bucket: <ListVersionsResult> with Name, Prefix,
// KeyMarker, VersionIdMarker, [NextKeyMarker], [NextVersionIdMarker], MaxKeys, [Delimiter],
// IsTruncated, [EncodingType], a <Version> per object (VersionId "null", IsLatest true),
// CommonPrefixes....
std::string s3_list_versions_xml(const S3ObjectListing& listing,
                                 const S3ListVersionsCursor& cursor);

struct S3PartEntry {
  std::uint32_t part_number = 0;
  Timestamp last_modified;
  std::string etag;  // bare
  std::uint64_t size = 0;
  S3Checksums checksums;
};

struct S3ListPartsResult {
  std::string bucket;
  std::string key;
  std::string upload_id;
  S3Owner owner;  // written as both Initiator and Owner
  std::uint32_t part_number_marker = 0;
  std::optional<std::uint32_t> next_part_number_marker;  // when truncated
  std::uint32_t max_parts = 1000;
  bool is_truncated = false;
  std::vector<S3PartEntry> parts;
};

// ListParts: <ListPartsResult> with Bucket, Key, UploadId, Initiator, Owner, StorageClass,
// PartNumberMarker, [NextPartNumberMarker], MaxParts, IsTruncated, Part....
std::string s3_list_parts_xml(const S3ListPartsResult& result);

struct S3UploadEntry {
  std::string key;
  std::string upload_id;
  Timestamp initiated;
};

struct S3ListMultipartUploadsResult {
  std::string bucket;
  std::string key_marker;
  std::string upload_id_marker;
  std::optional<std::string> next_key_marker;  // when truncated
  std::optional<std::string> next_upload_id_marker;
  std::string prefix;
  std::optional<std::string> delimiter;
  std::uint32_t max_uploads = 1000;
  bool is_truncated = false;
  bool url_encoding = false;
  S3Owner owner;  // every upload's Initiator and Owner
  std::vector<S3UploadEntry> uploads;
  std::vector<std::string> common_prefixes;
};

// ListMultipartUploads: <ListMultipartUploadsResult> with Bucket, KeyMarker, UploadIdMarker,
// [NextKeyMarker], [NextUploadIdMarker], Prefix, [Delimiter], MaxUploads, IsTruncated,
// [EncodingType], Upload..., CommonPrefixes....
std::string s3_list_multipart_uploads_xml(const S3ListMultipartUploadsResult& result);

}  // namespace castor
