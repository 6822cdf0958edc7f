// Multipart uploads, the writes (S3 API Reference): CreateMultipartUpload, UploadPart,
// UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload. A multipart upload is a castor
// upload session (docs/S3.md "Multipart uploads"); the listings are in
// s3_multipart_handlers_list.cpp.
#include <charconv>

#include "api/conditional.h"
#include "api/s3/s3_body.h"
#include "api/s3/s3_call.h"
#include "api/s3/s3_encoding.h"
#include "api/s3/s3_headers.h"
#include "api/s3/s3_multipart_handlers.h"
#include "api/s3/s3_object_common.h"
#include "api/s3/s3_xml_request.h"

namespace castor::api::s3 {

namespace http = boost::beast::http;
namespace hp = http_params;

namespace {

Error invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), "InvalidArgument"};
}

// partNumber: 1..10,000.
Result<std::uint32_t> part_number_of(const S3Call& call) {
  const std::string text = call.param("partNumber").value_or("");
  std::uint32_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || !check_part_number(n)) {
    return invalid("Part number must be an integer between 1 and 10000, inclusive");
  }
  return n;
}

// x-amz-copy-source-range: "bytes=first-last" (both required, inclusive).
Result<std::pair<std::uint64_t, std::uint64_t>> copy_range_of(std::string_view text) {
  const std::string_view unit = "bytes=";
  const auto dash = text.find('-');
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  if (text.starts_with(unit) && dash != std::string_view::npos) {
    const char* a = text.data() + unit.size();
    const char* b = text.data() + dash;
    auto r1 = std::from_chars(a, b, first);
    auto r2 = std::from_chars(b + 1, text.data() + text.size(), last);
    if (a != b && r1.ec == std::errc() && r1.ptr == b && r2.ec == std::errc() &&
        r2.ptr == text.data() + text.size() && b + 1 != r2.ptr && first <= last) {
      return std::pair(first, last);
    }
  }
  return invalid(
      "The x-amz-copy-source-range value must be of the form bytes=first-last where "
      "first and last are the zero-based offsets of the first and last bytes to copy");
}

}  // namespace

Awaitable<void> create_multipart_upload(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto target = object_target(call);
  if (!target) {
    co_return co_await send_s3_error(s, c, ex, call, target.error(), S3Resource::kObject);
  }
  auto attributes = attributes_from_request(ex);
  if (!attributes) {
    co_return co_await send_s3_error(s, c, ex, call, attributes.error(), S3Resource::kObject);
  }
  auto storage_class = storage_class_from(ex);
  if (!storage_class) {
    co_return co_await send_s3_error(s, c, ex, call, storage_class.error(), S3Resource::kObject);
  }
  CreateUpload::Request request{
      .tenant = call.tenant,
      .ns = target->ns,
      .key = target->key,
      .storage_class = *storage_class,
      .size_bytes = {},
      .sha256 = {},
      .content_type = attributes->content_type.empty()
                          ? std::nullopt
                          : std::optional<std::string>(std::move(attributes->content_type)),
      .s3 = true,
      .attributes = std::move(attributes->attributes)};
  auto create = [&]() -> Result<UploadSession> {
    if (auto bucket = s.uc().buckets.find(call.tenant, target->ns); !bucket) {
      return no_such_bucket(std::move(bucket).error());
    }
    return s.uc().create_upload.run(std::move(request));
  };
  auto created = co_await s.offload(create);
  if (!created) {
    co_return co_await send_s3_error(s, c, ex, call, created.error(), S3Resource::kObject);
  }
  std::string xml =
      s3_initiate_multipart_upload_xml(call.bucket, call.key, created->id().to_string());
  co_await send_xml(s, c, ex, std::move(xml));
}

Awaitable<void> upload_part(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  if (ex.header("x-amz-copy-source")) {
    co_return co_await upload_part_copy(s, c, ex, std::move(call));
  }
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await send_s3_code(s, c, ex, call.resource, "SlowDown", "the server is busy");
  }
  auto number = part_number_of(call);
  if (!number) {
    co_return co_await send_s3_error(s, c, ex, call, number.error(), S3Resource::kUpload);
  }
  auto id = upload_id_of(call);
  if (!id) {
    co_return co_await send_s3_error(s, c, ex, call, id.error(), S3Resource::kUpload);
  }
  auto body = S3Body::create(s, ex, call);
  if (!body) {
    co_return co_await send_s3_error(s, c, ex, call, body.error(), S3Resource::kUpload);
  }
  StoreUploadPart::Request request{.tenant = call.tenant,
                                   .upload = *id,
                                   .number = *number,
                                   .expected = expected_content_hash(**body),
                                   .s3 = true};
  const std::optional<std::uint64_t> declared = (*body)->declared_size();
  auto begin = [&] { return s.uc().store_upload_part.begin(std::move(request), declared); };
  auto begun = co_await s.offload(begin, Pool::kDisk);
  if (!begun) {
    co_return co_await send_s3_error(s, c, ex, call, begun.error(), S3Resource::kUpload);
  }
  auto committed =
      co_await store_s3_body(s, c, ex, **body, s.uc().store_upload_part, std::move(*begun));
  if (!committed) {
    co_return co_await send_s3_error(s, c, ex, call, committed.error(), S3Resource::kUpload);
  }
  Headers headers = write_headers(committed->md5, committed->checksums);
  co_await send_xml(s, c, ex, "", http::status::ok, std::move(headers));
}

Awaitable<void> upload_part_copy(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await send_s3_code(s, c, ex, call.resource, "SlowDown", "the server is busy");
  }
  auto number = part_number_of(call);
  if (!number) {
    co_return co_await send_s3_error(s, c, ex, call, number.error(), S3Resource::kUpload);
  }
  auto id = upload_id_of(call);
  if (!id) {
    co_return co_await send_s3_error(s, c, ex, call, id.error(), S3Resource::kUpload);
  }
  auto from = copy_source_target(call, ex);
  if (!from) {
    co_return co_await send_s3_error(s, c, ex, call, from.error(), S3Resource::kObject);
  }
  CopyUploadPart::Request request{
      .part = {.tenant = call.tenant, .upload = *id, .number = *number, .expected = {}, .s3 = true},
      .source_ns = from->ns,
      .source_key = from->key,
      .range = {},
      .check_source = {}};
  if (auto range = ex.header("x-amz-copy-source-range")) {
    auto parsed = copy_range_of(*range);
    if (!parsed) {
      co_return co_await send_s3_error(s, c, ex, call, parsed.error(), S3Resource::kObject);
    }
    request.range = *parsed;
  }
  const hp::Preconditions conditions{ex.header("x-amz-copy-source-if-match"),
                                     ex.header("x-amz-copy-source-if-none-match"),
                                     ex.header("x-amz-copy-source-if-modified-since"),
                                     ex.header("x-amz-copy-source-if-unmodified-since")};
  request.check_source = [&conditions](const Object& src) -> Status {
    const auto decision = hp::evaluate_preconditions(
        conditions, hp::Validators{src.etag(), src.updated_at()}, /*safe=*/true);
    if (decision != hp::PreconditionResult::kProceed) {
      return precondition_failed("At least one of the pre-conditions you specified did not hold");
    }
    return {};
  };
  auto copy = [&] { return s.uc().copy_upload_part.run(std::move(request)); };
  auto copied = co_await s.offload(copy, Pool::kDisk);
  if (!copied) {
    co_return co_await send_s3_error(s, c, ex, call, copied.error(), S3Resource::kObject);
  }
  const S3CopyResult result{.last_modified = copied->uploaded_at,
                            .etag = copied->md5,
                            .checksums = s3_checksums(copied->checksums)};
  std::string xml = s3_copy_part_result_xml(result);
  co_await send_xml(s, c, ex, std::move(xml));
}

Awaitable<void> complete_multipart_upload(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto target = object_target(call);
  if (!target) {
    co_return co_await send_s3_error(s, c, ex, call, target.error(), S3Resource::kObject);
  }
  auto id = upload_id_of(call);
  if (!id) {
    co_return co_await send_s3_error(s, c, ex, call, id.error(), S3Resource::kUpload);
  }
  auto policy = write_policy(ex);
  if (!policy) {
    co_return co_await send_s3_error(s, c, ex, call, policy.error(), S3Resource::kObject);
  }
  auto text = co_await read_bounded_body(c, ex, kMaxCompleteMultipartUploadBody);
  if (auto* e = std::get_if<HttpError>(&text)) {
    const bool too_large = e->status == http::status::payload_too_large;
    co_return co_await send_s3_code(s, c, ex, call.resource,
                                    too_large ? "MaxMessageLengthExceeded" : "IncompleteBody",
                                    e->message);
  }
  auto listed = parse_complete_multipart_upload(std::get<std::string>(text));
  if (!listed) {
    co_return co_await send_s3_error(s, c, ex, call, listed.error(), S3Resource::kUpload);
  }
  CompleteUpload::S3Completion completion{.parts = {}, .policy = std::move(*policy)};
  completion.parts.reserve(listed->size());
  for (auto& part : *listed) {
    completion.parts.push_back({part.part_number, std::move(part.etag)});
  }
  auto complete = [&]() -> Result<CompleteUpload::Completed> {
    if (auto s3 = find_s3_upload(s.uc().read_uploads, call.tenant, *target, *id, true); !s3) {
      return std::move(s3).error();
    }
    return s.uc().complete_upload.run_s3(call.tenant, *id, std::move(completion));
  };
  auto completed = co_await s.offload(complete, Pool::kDisk);
  if (!completed) {
    // NotFound is NoSuchUpload, but for If-Match without an object (reason NoSuchKey).
    co_return co_await send_s3_error(s, c, ex, call, completed.error(), S3Resource::kUpload);
  }
  if (!completed->object) {
    const Error e{ErrorCode::kInternal, "the upload completed into no object"};
    co_return co_await send_s3_error(s, c, ex, call, e, S3Resource::kUpload);
  }
  const Object& object = *completed->object;
  const std::string host = ex.header("Host").value_or("localhost");
  const S3CompleteMultipartUploadResult result{
      .location = "http://" + host + call.resource,
      .bucket = call.bucket,
      .key = call.key,
      .etag = object.etag(),
      .checksums = s3_checksums(object.attributes().checksums)};
  std::string xml = s3_complete_multipart_upload_xml(result);
  co_await send_xml(s, c, ex, std::move(xml));
}

Awaitable<void> abort_multipart_upload(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto target = object_target(call);
  if (!target) {
    co_return co_await send_s3_error(s, c, ex, call, target.error(), S3Resource::kObject);
  }
  auto id = upload_id_of(call);
  if (!id) {
    co_return co_await send_s3_error(s, c, ex, call, id.error(), S3Resource::kUpload);
  }
  auto abort = [&]() -> Status {
    if (auto s3 = find_s3_upload(s.uc().read_uploads, call.tenant, *target, *id, false); !s3) {
      return std::move(s3).error();
    }
    return s.uc().abort_upload.run(call.tenant, *id);
  };
  auto aborted = co_await s.offload(abort);
  if (!aborted) {
    co_return co_await send_s3_error(s, c, ex, call, aborted.error(), S3Resource::kUpload);
  }
  co_await send_xml(s, c, ex, "", http::status::no_content);
}

}  // namespace castor::api::s3
