#include "api/s3/s3_xml_request.h"

#include <string>
#include <tuple>

#include <pugixml.hpp>

#include "api/s3/xml_reader.h"
#include "domain/base64.h"
#include "domain/upload_session.h"

namespace castor {
namespace {

// An ETag as clients send it (with or without quotes, blanks around), without the quotes.
std::string unquoted_etag(std::string_view etag) {
  etag = trim_xml_space(etag);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

Status check_checksum(std::optional<std::string>& value, std::size_t size, std::string_view name) {
  if (!value) {
    return {};
  }
  *value = std::string(trim_xml_space(*value));
  const auto bytes = base64_decode(*value);
  if (!bytes || bytes->size() != size) {
    return s3_xml_error("InvalidDigest", "the " + std::string(name) + " value " +
                                             xml_excerpt(*value) + " is not the base64 of " +
                                             std::to_string(size) + " bytes");
  }
  return {};
}

Result<S3CompletedPart> parse_part(const pugi::xml_node& part) {
  std::optional<std::string> number;
  std::optional<std::string> etag;
  S3Checksums sums;
  auto s = for_each_child_element(part, [&](const pugi::xml_node& e) -> Status {
    const std::string_view name = e.name();
    if (name == "PartNumber") {
      return take_leaf_once(e, number);
    }
    if (name == "ETag") {
      return take_leaf_once(e, etag);
    }
    if (name == "ChecksumCRC32") {
      return take_leaf_once(e, sums.crc32);
    }
    if (name == "ChecksumCRC32C") {
      return take_leaf_once(e, sums.crc32c);
    }
    if (name == "ChecksumCRC64NVME") {
      return take_leaf_once(e, sums.crc64nvme);
    }
    if (name == "ChecksumSHA1") {
      return take_leaf_once(e, sums.sha1);
    }
    if (name == "ChecksumSHA256") {
      return take_leaf_once(e, sums.sha256);
    }
    return unknown_xml_element(e, part);
  });
  if (!s) {
    return s.error();
  }
  if (!number) {
    return missing_xml_element("PartNumber", "Part");
  }
  if (!etag) {
    return missing_xml_element("ETag", "Part");
  }
  const std::string_view digits = trim_xml_space(*number);
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return malformed_xml("PartNumber " + xml_excerpt(*number) + " is not a decimal number");
  }
  const std::uint32_t n = static_cast<std::uint32_t>(std::stoul(std::string(digits)));
  if (n < 1 || n > kMaxUploadParts) {
    return s3_xml_error("InvalidArgument", "Part number must be an integer between 1 and " +
                                               std::to_string(kMaxUploadParts) + ", inclusive");
  }
  S3CompletedPart out{.part_number = n, .etag = unquoted_etag(*etag), .checksums = {}};
  if (out.etag.empty()) {
    return s3_xml_error("InvalidPart", "part " + std::to_string(n) + " has an empty ETag");
  }
  for (auto [slot, size, name] : {std::tuple{&sums.crc32, std::size_t{4}, "ChecksumCRC32"},
                                  std::tuple{&sums.crc32c, std::size_t{4}, "ChecksumCRC32C"},
                                  std::tuple{&sums.crc64nvme, std::size_t{8}, "ChecksumCRC64NVME"},
                                  std::tuple{&sums.sha1, std::size_t{20}, "ChecksumSHA1"},
                                  std::tuple{&sums.sha256, std::size_t{32}, "ChecksumSHA256"}}) {
    if (auto c = check_checksum(*slot, size, name); !c) {
      return c.error();
    }
  }
  out.checksums = std::move(sums);
  return out;
}

}  // namespace

Result<std::vector<S3CompletedPart>> parse_complete_multipart_upload(std::string_view body) {
  pugi::xml_document doc;
  if (auto s = parse_strict_xml(body, kMaxCompleteMultipartUploadBody, doc); !s) {
    return s.error();
  }
  auto root = xml_root_element(doc, "CompleteMultipartUpload");
  if (!root) {
    return root.error();
  }
  std::vector<S3CompletedPart> parts;
  auto s = for_each_child_element(*root, [&](const pugi::xml_node& e) -> Status {
    if (std::string_view(e.name()) != "Part") {
      return unknown_xml_element(e, *root);
    }
    if (parts.size() == kMaxUploadParts) {
      return malformed_xml("more than " + std::to_string(kMaxUploadParts) + " parts");
    }
    auto part = parse_part(e);
    if (!part) {
      return part.error();
    }
    if (!parts.empty() && part->part_number <= parts.back().part_number) {
      return s3_xml_error("InvalidPartOrder", "part " + std::to_string(part->part_number) +
                                                  " is listed after part " +
                                                  std::to_string(parts.back().part_number));
    }
    parts.push_back(std::move(*part));
    return {};
  });
  if (!s) {
    return s.error();
  }
  if (parts.empty()) {
    return malformed_xml("<CompleteMultipartUpload> lists no part");
  }
  return parts;
}

Result<S3DeleteObjectsRequest> parse_delete_objects(std::string_view body) {
  pugi::xml_document doc;
  if (auto s = parse_strict_xml(body, kMaxDeleteObjectsBody, doc); !s) {
    return s.error();
  }
  auto root = xml_root_element(doc, "Delete");
  if (!root) {
    return root.error();
  }
  S3DeleteObjectsRequest out;
  std::optional<std::string> quiet;
  auto s = for_each_child_element(*root, [&](const pugi::xml_node& e) -> Status {
    const std::string_view name = e.name();
    if (name == "Quiet") {
      return take_leaf_once(e, quiet);
    }
    if (name != "Object") {
      return unknown_xml_element(e, *root);
    }
    if (out.objects.size() == kMaxDeleteObjects) {
      return malformed_xml("more than " + std::to_string(kMaxDeleteObjects) + " keys");
    }
    std::optional<std::string> key;
    S3DeleteObjectsRequest::Object object;
    auto o = for_each_child_element(e, [&](const pugi::xml_node& f) -> Status {
      const std::string_view field = f.name();
      if (field == "Key") {
        return take_leaf_once(f, key);
      }
      if (field == "VersionId") {
        return take_leaf_once(f, object.version_id);
      }
      if (field == "ETag") {
        return take_leaf_once(f, object.etag);
      }
      if (field == "LastModifiedTime" || field == "Size") {
        return s3_xml_error("NotImplemented", "conditional deletes on " + std::string(field) +
                                                  " are not implemented");
      }
      return unknown_xml_element(f, e);
    });
    if (!o) {
      return o;
    }
    if (!key) {
      return missing_xml_element("Key", "Object");
    }
    object.key = std::move(*key);
    if (object.etag) {
      object.etag = unquoted_etag(*object.etag);
    }
    out.objects.push_back(std::move(object));
    return {};
  });
  if (!s) {
    return s.error();
  }
  if (quiet) {
    const std::string_view q = trim_xml_space(*quiet);
    if (q != "true" && q != "false" && q != "1" && q != "0") {
      return malformed_xml("<Quiet> must be true or false, not " + xml_excerpt(*quiet));
    }
    out.quiet = q == "true" || q == "1";
  }
  if (out.objects.empty()) {
    return malformed_xml("<Delete> lists no object");
  }
  return out;
}

Result<S3CreateBucketConfiguration> parse_create_bucket_configuration(std::string_view body) {
  S3CreateBucketConfiguration out;
  if (trim_xml_space(body).empty()) {
    return out;
  }
  pugi::xml_document doc;
  if (auto s = parse_strict_xml(body, kMaxCreateBucketConfigurationBody, doc); !s) {
    return s.error();
  }
  auto root = xml_root_element(doc, "CreateBucketConfiguration");
  if (!root) {
    return root.error();
  }
  auto s = for_each_child_element(*root, [&](const pugi::xml_node& e) -> Status {
    if (std::string_view(e.name()) == "LocationConstraint") {
      return take_leaf_once(e, out.location_constraint);
    }
    return unknown_xml_element(e, *root);
  });
  if (!s) {
    return s.error();
  }
  if (out.location_constraint) {
    out.location_constraint = std::string(trim_xml_space(*out.location_constraint));
  }
  return out;
}

}  // namespace castor
