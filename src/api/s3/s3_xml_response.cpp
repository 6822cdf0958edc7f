#include "api/s3/s3_xml_response.h"

#include "api/s3/s3_encoding.h"
#include "api/s3/xml_writer.h"

namespace castor {

void write_owner(XmlWriter& xml, std::string_view element, const S3Owner& owner) {
  xml.open(element);
  xml.element("ID", owner.id);
  xml.element("DisplayName", owner.display_name);
  xml.close();
}

void write_checksums(XmlWriter& xml, const S3Checksums& checksums) {
  const std::pair<const char*, const std::optional<std::string>*> fields[] = {
      {"ChecksumCRC32", &checksums.crc32},
      {"ChecksumCRC32C", &checksums.crc32c},
      {"ChecksumCRC64NVME", &checksums.crc64nvme},
      {"ChecksumSHA1", &checksums.sha1},
      {"ChecksumSHA256", &checksums.sha256}};
  for (const auto& [name, value] : fields) {
    if (*value) {
      xml.element(name, **value);
    }
  }
}

std::string s3_error_xml(std::string_view code, std::string_view message, std::string_view resource,
                         std::string_view request_id) {
  XmlWriter xml;
  xml.open("Error");
  xml.element("Code", code);
  xml.element("Message", message);
  xml.element("Resource", resource);
  xml.element("RequestId", request_id);
  xml.close();
  return std::move(xml).finish();
}

std::string s3_list_buckets_xml(const S3ListBucketsResult& result) {
  XmlWriter xml;
  xml.open("ListAllMyBucketsResult", kS3XmlNamespace);
  write_owner(xml, "Owner", result.owner);
  xml.open("Buckets");
  for (const S3BucketEntry& bucket : result.buckets) {
    xml.open("Bucket");
    xml.element("Name", bucket.name);
    xml.element("CreationDate", s3_timestamp(bucket.creation_date));
    xml.close();
  }
  xml.close();
  if (result.continuation_token) {
    xml.element("ContinuationToken", *result.continuation_token);
  }
  if (result.prefix) {
    xml.element("Prefix", *result.prefix);
  }
  xml.close();
  return std::move(xml).finish();
}

std::string s3_initiate_multipart_upload_xml(std::string_view bucket, std::string_view key,
                                             std::string_view upload_id) {
  XmlWriter xml;
  xml.open("InitiateMultipartUploadResult", kS3XmlNamespace);
  xml.element("Bucket", bucket);
  xml.element("Key", key);
  xml.element("UploadId", upload_id);
  xml.close();
  return std::move(xml).finish();
}

std::string s3_complete_multipart_upload_xml(const S3CompleteMultipartUploadResult& result) {
  XmlWriter xml;
  xml.open("CompleteMultipartUploadResult", kS3XmlNamespace);
  xml.element("Location", result.location);
  xml.element("Bucket", result.bucket);
  xml.element("Key", result.key);
  xml.element("ETag", quoted_etag(result.etag));
  write_checksums(xml, result.checksums);
  xml.close();
  return std::move(xml).finish();
}

namespace {

std::string copy_result_xml(std::string_view root, const S3CopyResult& result) {
  XmlWriter xml;
  xml.open(root, kS3XmlNamespace);
  xml.element("LastModified", s3_timestamp(result.last_modified));
  xml.element("ETag", quoted_etag(result.etag));
  write_checksums(xml, result.checksums);
  xml.close();
  return std::move(xml).finish();
}

}  // namespace

std::string s3_copy_object_result_xml(const S3CopyResult& result) {
  return copy_result_xml("CopyObjectResult", result);
}

std::string s3_copy_part_result_xml(const S3CopyResult& result) {
  return copy_result_xml("CopyPartResult", result);
}

std::string s3_delete_result_xml(const std::vector<S3DeleteOutcome>& outcomes, bool quiet) {
  XmlWriter xml;
  xml.open("DeleteResult", kS3XmlNamespace);
  for (const S3DeleteOutcome& outcome : outcomes) {
    const bool deleted = outcome.error_code.empty();
    if (deleted && quiet) {
      continue;
    }
    xml.open(deleted ? "Deleted" : "Error");
    xml.element("Key", outcome.key);
    if (outcome.version_id) {
      xml.element("VersionId", *outcome.version_id);
    }
    if (!deleted) {
      xml.element("Code", outcome.error_code);
      xml.element("Message", outcome.error_message);
    }
    xml.close();
  }
  xml.close();
  return std::move(xml).finish();
}

std::string s3_location_constraint_xml(std::string_view region) {
  XmlWriter xml;
  xml.open("LocationConstraint", kS3XmlNamespace);
  xml.text(region);
  xml.close();
  return std::move(xml).finish();
}

std::string s3_versioning_configuration_xml() {
  XmlWriter xml;
  xml.open("VersioningConfiguration", kS3XmlNamespace);
  xml.close();
  return std::move(xml).finish();
}

std::string s3_private_acl_xml(const S3Owner& owner) {
  XmlWriter xml;
  xml.open("AccessControlPolicy", kS3XmlNamespace);
  write_owner(xml, "Owner", owner);
  xml.open("AccessControlList");
  xml.open("Grant");
  xml.open_with_attributes("Grantee", {{"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"},
                                       {"xsi:type", "CanonicalUser"}});
  xml.element("ID", owner.id);
  xml.element("DisplayName", owner.display_name);
  xml.close();
  xml.element("Permission", "FULL_CONTROL");
  xml.close();
  xml.close();
  xml.close();
  return std::move(xml).finish();
}

}  // namespace castor
