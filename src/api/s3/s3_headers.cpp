// The headers of S3 object requests and responses (s3_headers.h).
#include "api/s3/s3_headers.h"

#include "api/s3/s3_encoding.h"
#include "domain/json_text.h"
#include "domain/utf8.h"

#include <algorithm>
#include <cctype>

namespace castor::api::s3 {

namespace http = boost::beast::http;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

constexpr std::string_view kMetaPrefix = "x-amz-meta-";

// The response-* query overrides of GetObject and the header each sets.
constexpr std::pair<std::string_view, std::string_view> kOverrides[] = {
    {"response-cache-control", "Cache-Control"},
    {"response-content-disposition", "Content-Disposition"},
    {"response-content-encoding", "Content-Encoding"},
    {"response-content-language", "Content-Language"},
    {"response-expires", "Expires"},
};

Error invalid(std::string message, const char* reason) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), reason};
}

}  // namespace

Result<RequestAttributes> attributes_from_request(Exchange& ex) {
  RequestAttributes out;
  for (const auto& field : ex.req()) {
    const std::string name =
        lower(std::string_view(field.name_string().data(), field.name_string().size()));
    const std::string value(field.value().data(), field.value().size());
    if (name.starts_with(kMetaPrefix) && name.size() > kMetaPrefix.size()) {
      std::string meta = name.substr(kMetaPrefix.size());
      // A name sent twice keeps both values, comma-joined, as HTTP combines repeated fields.
      auto it = std::find_if(out.attributes.metadata.begin(), out.attributes.metadata.end(),
                             [&](const auto& p) { return p.first == meta; });
      if (it != out.attributes.metadata.end()) {
        it->second += "," + value;
      } else {
        out.attributes.metadata.emplace_back(std::move(meta), value);
      }
    }
  }
  std::sort(out.attributes.metadata.begin(), out.attributes.metadata.end());
  // S3's limit, on the values as sent; then each value is stored as a JSON string.
  std::size_t bytes = 0;
  for (const auto& [name, value] : out.attributes.metadata) {
    bytes += name.size() + value.size();
  }
  if (bytes > kMaxUserMetadataBytes) {
    return invalid("Your metadata headers exceed the maximum allowed metadata size.",
                   "MetadataTooLarge");
  }
  for (auto& [name, value] : out.attributes.metadata) {
    if (!is_valid_utf8(value)) {
      return invalid("x-amz-meta-" + name + " is not UTF-8", "InvalidArgument");
    }
    value = json_text::quote(value);
  }
  for (std::string_view header : kStoredHeaders) {
    if (auto value = ex.header(header)) {
      out.attributes.headers.emplace_back(std::string(header), std::move(*value));
    }
  }
  out.content_type = ex.header("Content-Type").value_or("");
  if (auto s = check_attributes(out.attributes); !s) {
    return std::move(s).error();
  }
  return out;
}

Headers object_headers(const S3Call& call, Exchange& ex, const Object& object,
                       std::string& content_type) {
  Headers headers;
  const ObjectAttributes& a = object.attributes();
  // A string value as the string, any other (a native client's) as its JSON text (docs/S3.md).
  for (const auto& [name, value] : a.metadata) {
    headers.emplace_back(std::string(kMetaPrefix) + name, metadata_header_value(value));
  }
  for (const auto& [name, value] : a.headers) {
    headers.emplace_back(name, value);
  }
  // The checksums are of the whole content: a ranged GET gets none (as S3 answers), or clients
  // that validate them (the JS SDK) would check the range against the whole object's.
  if (ex.header("x-amz-checksum-mode").value_or("") == "ENABLED" && !ex.header("Range")) {
    for (const auto& [algorithm, value] : a.checksums) {
      headers.emplace_back("x-amz-checksum-" + algorithm, value);
    }
  }
  if (auto cls = s3_storage_class_name(object.storage_class())) {
    headers.emplace_back("x-amz-storage-class", *cls);
  }
  content_type = call.param("response-content-type").value_or(object.content_type());
  for (const auto& [param, header] : kOverrides) {
    if (auto value = call.param(param)) {
      const std::string lower_header = lower(header);
      std::erase_if(headers, [&](const auto& h) { return lower(h.first) == lower_header; });
      headers.emplace_back(std::string(header), std::move(*value));
    }
  }
  return headers;
}

S3Checksums s3_checksums(const ObjectAttributes::Pairs& pairs) {
  S3Checksums out;
  for (const auto& [algorithm, value] : pairs) {
    if (algorithm == "crc32") {
      out.crc32 = value;
    } else if (algorithm == "crc32c") {
      out.crc32c = value;
    } else if (algorithm == "crc64nvme") {
      out.crc64nvme = value;
    } else if (algorithm == "sha1") {
      out.sha1 = value;
    } else if (algorithm == "sha256") {
      out.sha256 = value;
    }
  }
  return out;
}

Headers write_headers(std::string_view etag, const ObjectAttributes::Pairs& checksums) {
  Headers headers = one_header("ETag", quoted_etag(etag));
  for (const auto& [algorithm, value] : checksums) {
    headers.emplace_back("x-amz-checksum-" + algorithm, value);
  }
  return headers;
}

Result<StorageClass> storage_class_from(Exchange& ex) {
  auto name = ex.header("x-amz-storage-class");
  if (!name || *name == "STANDARD" || *name == "REDUCED_REDUNDANCY") {
    return StorageClass::kHot;
  }
  for (std::string_view cold : {"STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR",
                                "GLACIER", "DEEP_ARCHIVE"}) {
    if (*name == cold) {
      return StorageClass::kCold;
    }
  }
  return invalid("The storage class you specified is not valid", "InvalidStorageClass");
}

std::optional<std::string> s3_storage_class_name(StorageClass storage_class) {
  if (storage_class == StorageClass::kCold) {
    return std::string("STANDARD_IA");
  }
  return std::nullopt;
}

Result<CopySource> parse_copy_source(std::string_view header) {
  if (auto q = header.find('?'); q != std::string_view::npos) {
    const std::string_view query = header.substr(q + 1);
    if (query != "versionId=null") {
      return invalid("castor keeps no object versions: only versionId=null can be copied",
                     "InvalidArgument");
    }
    header = header.substr(0, q);
  }
  auto decoded = percent_decode(header, /*plus_is_space=*/false);
  if (!decoded) {
    return invalid("x-amz-copy-source has a bad percent escape", "InvalidArgument");
  }
  std::string_view path = *decoded;
  if (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  const std::size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size()) {
    return invalid("x-amz-copy-source must be bucket/key", "InvalidArgument");
  }
  return CopySource{std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

}  // namespace castor::api::s3
