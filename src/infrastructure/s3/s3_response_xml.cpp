#include "infrastructure/s3/s3_response_xml.h"

#include <charconv>
#include <chrono>
#include <cstdint>

#include <pugixml.hpp>

namespace castor {

namespace {

// Parses `body` into `doc`; false if it is not well-formed.
bool load(pugi::xml_document& doc, std::string_view body) {
  // parse_default without parse_doctype handling beyond skipping: pugixml never expands
  // external entities.
  return static_cast<bool>(doc.load_buffer(body.data(), body.size(), pugi::parse_default));
}

Error malformed(std::string_view operation, std::string_view why) {
  return internal_error("S3 " + std::string(operation) +
                        " answered a malformed XML body: " + std::string(why));
}

std::string text_of(const pugi::xml_node& node, const char* child) {
  return node.child(child).text().as_string();
}

bool parse_u64(std::string_view text, std::uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

bool parse_fixed(std::string_view text, std::size_t at, std::size_t width, int& out) {
  if (at + width > text.size()) {
    return false;
  }
  const auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + width, out);
  return ec == std::errc{} && end == text.data() + at + width;
}

}  // namespace

std::optional<Timestamp> parse_iso8601(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction][Z]
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || !parse_fixed(text, 0, 4, year) || !parse_fixed(text, 5, 2, month) ||
      !parse_fixed(text, 8, 2, day) || !parse_fixed(text, 11, 2, hour) ||
      !parse_fixed(text, 14, 2, minute) || !parse_fixed(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(19);
  std::int64_t micros = 0;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits < 6) {
        micros = micros * 10 + (rest.front() - '0');
      }
      ++digits;
      rest.remove_prefix(1);
    }
    if (digits == 0) {
      return std::nullopt;
    }
    for (int i = digits; i < 6; ++i) {
      micros *= 10;
    }
  }
  if (rest == "Z" || rest == "+00:00") {
    rest = {};
  }
  if (!rest.empty()) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  return Timestamp{std::chrono::sys_days{date}} + std::chrono::hours{hour} +
         std::chrono::minutes{minute} + std::chrono::seconds{second} +
         std::chrono::microseconds{micros};
}

std::optional<S3ErrorBody> parse_s3_error(std::string_view body) {
  pugi::xml_document doc;
  if (body.empty() || !load(doc, body)) {
    return std::nullopt;
  }
  const pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "Error") {
    return std::nullopt;
  }
  return S3ErrorBody{.code = text_of(root, "Code"), .message = text_of(root, "Message")};
}

Result<S3ListPage> parse_list_objects_v2(std::string_view body) {
  constexpr std::string_view kOp = "ListObjectsV2";
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return malformed(kOp, "not XML");
  }
  const pugi::xml_node root = doc.child("ListBucketResult");
  if (!root) {
    return malformed(kOp, "no <ListBucketResult>");
  }
  S3ListPage page;
  page.truncated = std::string_view(root.child("IsTruncated").text().as_string()) == "true";
  for (const pugi::xml_node contents : root.children("Contents")) {
    S3ObjectInfo info;
    info.key = text_of(contents, "Key");
    if (info.key.empty()) {
      return malformed(kOp, "a <Contents> without <Key>");
    }
    if (!parse_u64(contents.child("Size").text().as_string(), info.size)) {
      return malformed(kOp, "a <Contents> without a valid <Size>");
    }
    const auto modified = parse_iso8601(contents.child("LastModified").text().as_string());
    if (!modified) {
      return malformed(kOp, "a <Contents> without a valid <LastModified>");
    }
    info.last_modified = *modified;
    page.objects.push_back(std::move(info));
  }
  return page;
}

Result<std::string> parse_initiate_multipart(std::string_view body) {
  constexpr std::string_view kOp = "CreateMultipartUpload";
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return malformed(kOp, "not XML");
  }
  std::string upload_id = text_of(doc.child("InitiateMultipartUploadResult"), "UploadId");
  if (upload_id.empty()) {
    return malformed(kOp, "no <UploadId>");
  }
  return upload_id;
}

Result<std::vector<S3MultipartUpload>> parse_list_multipart_uploads(std::string_view body) {
  constexpr std::string_view kOp = "ListMultipartUploads";
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return malformed(kOp, "not XML");
  }
  const pugi::xml_node root = doc.child("ListMultipartUploadsResult");
  if (!root) {
    return malformed(kOp, "no <ListMultipartUploadsResult>");
  }
  std::vector<S3MultipartUpload> uploads;
  for (const pugi::xml_node upload : root.children("Upload")) {
    S3MultipartUpload entry;
    entry.key = text_of(upload, "Key");
    entry.upload_id = text_of(upload, "UploadId");
    const auto initiated = parse_iso8601(upload.child("Initiated").text().as_string());
    if (entry.key.empty() || entry.upload_id.empty() || !initiated) {
      return malformed(kOp, "an <Upload> without Key, UploadId or a valid Initiated");
    }
    entry.initiated = *initiated;
    uploads.push_back(std::move(entry));
  }
  return uploads;
}

Result<S3PartsPage> parse_list_parts(std::string_view body) {
  constexpr std::string_view kOp = "ListParts";
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return malformed(kOp, "not XML");
  }
  const pugi::xml_node root = doc.child("ListPartsResult");
  if (!root) {
    return malformed(kOp, "no <ListPartsResult>");
  }
  S3PartsPage page;
  page.truncated = std::string_view(root.child("IsTruncated").text().as_string()) == "true";
  page.next_marker = text_of(root, "NextPartNumberMarker");
  if (page.truncated && page.next_marker.empty()) {
    return malformed(kOp, "truncated without <NextPartNumberMarker>");
  }
  for (const pugi::xml_node part : root.children("Part")) {
    const auto modified = parse_iso8601(part.child("LastModified").text().as_string());
    if (!modified) {
      return malformed(kOp, "a <Part> without a valid <LastModified>");
    }
    if (!page.last_modified || *modified > *page.last_modified) {
      page.last_modified = *modified;
    }
  }
  return page;
}

Result<std::string> parse_copy_result(std::string_view body) {
  constexpr std::string_view kOp = "CopyObject";
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return malformed(kOp, "not XML");
  }
  const pugi::xml_node root = doc.document_element();
  const std::string_view name = root.name();
  if (name != "CopyObjectResult" && name != "CopyPartResult") {
    return malformed(kOp, "no <CopyObjectResult> or <CopyPartResult>");
  }
  std::string etag = text_of(root, "ETag");
  if (etag.empty()) {
    return malformed(kOp, "no <ETag>");
  }
  return etag;
}

std::string complete_multipart_xml(const std::vector<S3UploadedPart>& parts) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  for (const S3UploadedPart& part : parts) {
    pugi::xml_node node = root.append_child("Part");
    node.append_child("PartNumber").text().set(part.number);
    node.append_child("ETag").text().set(part.etag.c_str());
  }
  struct Writer final : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override {
      out.append(static_cast<const char*>(data), size);
    }
  } writer;
  doc.save(writer, "", pugi::format_raw);
  return std::move(writer.out);
}

}  // namespace castor
