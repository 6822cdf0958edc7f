#include "api/s3/s3_xml_listing.h"

#include "api/s3/s3_encoding.h"
#include "api/s3/xml_writer.h"

namespace castor {
namespace {

// Writes the elements whose text EncodingType=url encodes.
class ListingWriter {
 public:
  explicit ListingWriter(bool url_encoding) : url_encoding_(url_encoding) {}

  XmlWriter& xml() { return xml_; }
  void encoded(std::string_view name, std::string_view text) {
    xml_.element(name, url_encoding_ ? s3_url_encode(text) : std::string(text));
  }
  void encoding_type() {
    if (url_encoding_) {
      xml_.element("EncodingType", "url");
    }
  }
  void common_prefixes(const std::vector<std::string>& prefixes) {
    for (const std::string& prefix : prefixes) {
      xml_.open("CommonPrefixes");
      encoded("Prefix", prefix);
      xml_.close();
    }
  }
  std::string finish() && { return std::move(xml_).finish(); }

 private:
  XmlWriter xml_;
  bool url_encoding_;
};

const char* boolean(bool b) { return b ? "true" : "false"; }

// The object fields of a Contents or Version element, from LastModified on.
void object_fields(XmlWriter& xml, const S3ObjectEntry& entry) {
  xml.element("LastModified", s3_timestamp(entry.last_modified));
  xml.element("ETag", quoted_etag(entry.etag));
  xml.element("Size", std::to_string(entry.size));
  xml.element("StorageClass", "STANDARD");
  if (entry.owner) {
    write_owner(xml, "Owner", *entry.owner);
  }
}

void contents(ListingWriter& w, const S3ObjectListing& listing) {
  for (const S3ObjectEntry& entry : listing.contents) {
    w.xml().open("Contents");
    w.encoded("Key", entry.key);
    object_fields(w.xml(), entry);
    w.xml().close();
  }
  w.common_prefixes(listing.common_prefixes);
}

}  // namespace

std::string s3_list_objects_v1_xml(const S3ObjectListing& listing, std::string_view marker,
                                   const std::optional<std::string>& next_marker) {
  ListingWriter w(listing.url_encoding);
  w.xml().open("ListBucketResult", kS3XmlNamespace);
  w.xml().element("Name", listing.bucket);
  w.encoded("Prefix", listing.prefix);
  w.encoded("Marker", marker);
  if (next_marker) {
    w.encoded("NextMarker", *next_marker);
  }
  w.xml().element("MaxKeys", std::to_string(listing.max_keys));
  if (listing.delimiter) {
    w.encoded("Delimiter", *listing.delimiter);
  }
  w.xml().element("IsTruncated", boolean(listing.is_truncated));
  w.encoding_type();
  contents(w, listing);
  w.xml().close();
  return std::move(w).finish();
}

std::string s3_list_objects_v2_xml(const S3ObjectListing& listing, const S3ListV2Cursor& cursor) {
  ListingWriter w(listing.url_encoding);
  w.xml().open("ListBucketResult", kS3XmlNamespace);
  w.xml().element("Name", listing.bucket);
  w.encoded("Prefix", listing.prefix);
  if (cursor.continuation_token) {
    w.xml().element("ContinuationToken", *cursor.continuation_token);
  }
  if (cursor.next_continuation_token) {
    w.xml().element("NextContinuationToken", *cursor.next_continuation_token);
  }
  w.xml().element("KeyCount",
                  std::to_string(listing.contents.size() + listing.common_prefixes.size()));
  w.xml().element("MaxKeys", std::to_string(listing.max_keys));
  if (listing.delimiter) {
    w.encoded("Delimiter", *listing.delimiter);
  }
  w.xml().element("IsTruncated", boolean(listing.is_truncated));
  if (cursor.start_after) {
    w.encoded("StartAfter", *cursor.start_after);
  }
  w.encoding_type();
  contents(w, listing);
  w.xml().close();
  return std::move(w).finish();
}

std::string s3_list_versions_xml(const S3ObjectListing& listing,
                                 const S3ListVersionsCursor& cursor) {
  ListingWriter w(listing.url_encoding);
  w.xml().open("ListVersionsResult", kS3XmlNamespace);
  w.xml().element("Name", listing.bucket);
  w.encoded("Prefix", listing.prefix);
  w.encoded("KeyMarker", cursor.key_marker);
  w.xml().element("VersionIdMarker", cursor.version_id_marker);
  if (cursor.next_key_marker) {
    w.encoded("NextKeyMarker", *cursor.next_key_marker);
  }
  if (cursor.next_version_id_marker) {
    w.xml().element("NextVersionIdMarker", *cursor.next_version_id_marker);
  }
  w.xml().element("MaxKeys", std::to_string(listing.max_keys));
  if (listing.delimiter) {
    w.encoded("Delimiter", *listing.delimiter);
  }
  w.xml().element("IsTruncated", boolean(listing.is_truncated));
  w.encoding_type();
  for (const S3ObjectEntry& entry : listing.contents) {
    w.xml().open("Version");
    w.encoded("Key", entry.key);
    w.xml().element("VersionId", "null");
    w.xml().element("IsLatest", "true");
    object_fields(w.xml(), entry);
    w.xml().close();
  }
  w.common_prefixes(listing.common_prefixes);
  w.xml().close();
  return std::move(w).finish();
}

std::string s3_list_parts_xml(const S3ListPartsResult& result) {
  XmlWriter xml;
  xml.open("ListPartsResult", kS3XmlNamespace);
  xml.element("Bucket", result.bucket);
  xml.element("Key", result.key);
  xml.element("UploadId", result.upload_id);
  write_owner(xml, "Initiator", result.owner);
  write_owner(xml, "Owner", result.owner);
  xml.element("StorageClass", "STANDARD");
  xml.element("PartNumberMarker", std::to_string(result.part_number_marker));
  if (result.next_part_number_marker) {
    xml.element("NextPartNumberMarker", std::to_string(*result.next_part_number_marker));
  }
  xml.element("MaxParts", std::to_string(result.max_parts));
  xml.element("IsTruncated", boolean(result.is_truncated));
  for (const S3PartEntry& part : result.parts) {
    xml.open("Part");
    xml.element("PartNumber", std::to_string(part.part_number));
    xml.element("LastModified", s3_timestamp(part.last_modified));
    xml.element("ETag", quoted_etag(part.etag));
    xml.element("Size", std::to_string(part.size));
    write_checksums(xml, part.checksums);
    xml.close();
  }
  xml.close();
  return std::move(xml).finish();
}

std::string s3_list_multipart_uploads_xml(const S3ListMultipartUploadsResult& result) {
  ListingWriter w(result.url_encoding);
  w.xml().open("ListMultipartUploadsResult", kS3XmlNamespace);
  w.xml().element("Bucket", result.bucket);
  w.encoded("KeyMarker", result.key_marker);
  w.xml().element("UploadIdMarker", result.upload_id_marker);
  if (result.next_key_marker) {
    w.encoded("NextKeyMarker", *result.next_key_marker);
  }
  if (result.next_upload_id_marker) {
    w.xml().element("NextUploadIdMarker", *result.next_upload_id_marker);
  }
  w.encoded("Prefix", result.prefix);
  if (result.delimiter) {
    w.encoded("Delimiter", *result.delimiter);
  }
  w.xml().element("MaxUploads", std::to_string(result.max_uploads));
  w.xml().element("IsTruncated", boolean(result.is_truncated));
  w.encoding_type();
  for (const S3UploadEntry& upload : result.uploads) {
    w.xml().open("Upload");
    w.encoded("Key", upload.key);
    w.xml().element("UploadId", upload.upload_id);
    write_owner(w.xml(), "Initiator", result.owner);
    write_owner(w.xml(), "Owner", result.owner);
    w.xml().element("StorageClass", "STANDARD");
    w.xml().element("Initiated", s3_timestamp(upload.initiated));
    w.xml().close();
  }
  w.common_prefixes(result.common_prefixes);
  w.xml().close();
  return std::move(w).finish();
}

}  // namespace castor
