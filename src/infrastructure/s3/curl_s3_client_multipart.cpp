// CurlS3Client's multipart operations (S3 API Reference: CreateMultipartUpload, UploadPart,
// CompleteMultipartUpload, AbortMultipartUpload, ListMultipartUploads, ListParts) and the
// multipart copy of objects past CopyObject's 5 GiB (UploadPartCopy).
#include <algorithm>

#include "infrastructure/s3/curl_s3_client.h"
#include "infrastructure/s3/s3_http_exchange.h"
#include "infrastructure/s3/s3_request_url.h"
#include "infrastructure/s3/s3_response_xml.h"

namespace castor {

namespace {

constexpr std::uint64_t kMaxParts = 10000;  // S3's limit on parts per upload

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

}  // namespace

Result<std::string> CurlS3Client::create_multipart(const std::string& key) {
  S3BackendCall call{.operation = "CreateMultipartUpload", .method = "POST", .key = key};
  call.query = {{"uploads", ""}};
  call.headers.push_back("Content-Type: application/octet-stream");
  auto reply = execute(call);
  if (!reply) {
    return std::move(reply).error();
  }
  return parse_initiate_multipart(reply->body);
}

Result<std::string> CurlS3Client::upload_part(const std::string& key, const std::string& upload_id,
                                              int number, std::span<const std::byte> body) {
  S3BackendCall call{.operation = "UploadPart", .method = "PUT", .key = key, .body = body};
  call.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}};
  if (std::string md5 = s3_content_md5(body); !md5.empty()) {
    call.headers.push_back("Content-MD5: " + md5);
  }
  auto reply = execute(call);
  if (!reply) {
    return std::move(reply).error();
  }
  if (reply->etag.empty()) {
    return internal_error("S3 UploadPart of '" + key + "' answered without an ETag");
  }
  return std::move(reply->etag);
}

Status CurlS3Client::complete_multipart(const std::string& key, const std::string& upload_id,
                                        const std::vector<S3UploadedPart>& parts) {
  const std::string xml = complete_multipart_xml(parts);
  S3BackendCall call{.operation = "CompleteMultipartUpload",
                     .method = "POST",
                     .key = key,
                     .body = bytes_of(xml),
                     .error_in_200 = true};
  call.query = {{"uploadId", upload_id}};
  call.headers.push_back("Content-Type: application/xml");
  auto reply = execute(call);
  return reply ? Status{} : Status{std::move(reply).error()};
}

Status CurlS3Client::abort_multipart(const std::string& key, const std::string& upload_id) {
  S3BackendCall call{.operation = "AbortMultipartUpload", .method = "DELETE", .key = key};
  call.query = {{"uploadId", upload_id}};
  auto reply = execute(call);
  if (!reply && reply.error().code != ErrorCode::kNotFound) {
    return std::move(reply).error();
  }
  return {};
}

Result<std::vector<S3MultipartUpload>> CurlS3Client::list_multipart_uploads(
    const std::string& prefix) {
  S3BackendCall call{.operation = "ListMultipartUploads", .method = "GET", .bucket_level = true};
  call.query = {{"uploads", ""}};
  if (!prefix.empty()) {
    call.query.emplace_back("prefix", prefix);
  }
  auto reply = execute(call);
  if (!reply) {
    return std::move(reply).error();
  }
  return parse_list_multipart_uploads(reply->body);
}

Result<std::optional<Timestamp>> CurlS3Client::last_part_at(const std::string& key,
                                                            const std::string& upload_id) {
  std::optional<Timestamp> latest;
  std::string marker;
  // At most 10000 parts, 1000 per page: a bounded number of pages.
  for (int page = 0; page < 11; ++page) {
    S3BackendCall call{.operation = "ListParts", .method = "GET", .key = key};
    call.query = {{"uploadId", upload_id}};
    if (!marker.empty()) {
      call.query.emplace_back("part-number-marker", marker);
    }
    auto reply = execute(call);
    if (!reply) {
      return std::move(reply).error();
    }
    auto parsed = parse_list_parts(reply->body);
    if (!parsed) {
      return std::move(parsed).error();
    }
    if (parsed->last_modified && (!latest || *parsed->last_modified > *latest)) {
      latest = parsed->last_modified;
    }
    if (!parsed->truncated) {
      return latest;
    }
    marker = parsed->next_marker;
  }
  return internal_error("S3 ListParts of '" + key + "' did not end after 11 pages");
}

Status CurlS3Client::copy_multipart(const std::string& from, const std::string& to,
                                    std::uint64_t size) {
  const std::uint64_t part_size =
      std::max(copy_limits_.part_size, (size + kMaxParts - 1) / kMaxParts);
  auto upload_id = create_multipart(to);
  if (!upload_id) {
    return std::move(upload_id).error();
  }
  std::vector<S3UploadedPart> parts;
  for (std::uint64_t first = 0; first < size; first += part_size) {
    const std::uint64_t last = std::min(size, first + part_size) - 1;
    S3BackendCall call{
        .operation = "UploadPartCopy", .method = "PUT", .key = to, .error_in_200 = true};
    call.query = {{"partNumber", std::to_string(parts.size() + 1)}, {"uploadId", *upload_id}};
    call.headers.push_back("x-amz-copy-source: /" + urls_->bucket() + "/" + s3_escape_key(from));
    call.headers.push_back("x-amz-copy-source-range: bytes=" + std::to_string(first) + "-" +
                           std::to_string(last));
    auto reply = execute(call);
    Result<std::string> etag =
        reply ? parse_copy_result(reply->body) : Result<std::string>(std::move(reply).error());
    if (!etag) {
      (void)abort_multipart(to, *upload_id);
      return std::move(etag).error();
    }
    parts.push_back({.number = static_cast<int>(parts.size() + 1), .etag = std::move(*etag)});
  }
  if (auto done = complete_multipart(to, *upload_id, parts); !done) {
    (void)abort_multipart(to, *upload_id);
    return done;
  }
  return {};
}

}  // namespace castor
