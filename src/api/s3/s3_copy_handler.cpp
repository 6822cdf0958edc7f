// CopyObject (S3 API Reference): a new object referencing the source's content, no data copied.
#include "api/conditional.h"
#include "api/http_date.h"
#include "api/s3/s3_call.h"
#include "api/s3/s3_headers.h"
#include "api/s3/s3_object_common.h"

namespace castor::api::s3 {

namespace http = boost::beast::http;
namespace hp = http_params;

namespace {

Error copy_error(std::string message, const char* reason) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), reason};
}

}  // namespace

Awaitable<void> copy_object(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto target = object_target(call);
  if (!target) {
    co_return co_await send_s3_error(s, c, ex, call, target.error(), S3Resource::kObject);
  }
  auto from = copy_source_target(call, ex);
  if (!from) {
    co_return co_await send_s3_error(s, c, ex, call, from.error(), S3Resource::kObject);
  }
  const std::string directive = ex.header("x-amz-metadata-directive").value_or("COPY");
  if (directive != "COPY" && directive != "REPLACE") {
    co_return co_await send_s3_error(s, c, ex, call,
                                     copy_error("Unknown metadata directive.", "InvalidArgument"),
                                     S3Resource::kObject);
  }
  auto policy = write_policy(ex);
  if (!policy) {
    co_return co_await send_s3_error(s, c, ex, call, policy.error(), S3Resource::kObject);
  }
  CopyObject::Request request{.source_ns = from->ns,
                              .source_key = from->key,
                              .ns = target->ns,
                              .key = target->key,
                              .tenant = call.tenant,
                              .attributes = std::nullopt,
                              .content_type = std::nullopt,
                              .source_etag = std::nullopt,
                              .policy = std::move(*policy)};
  if (directive == "REPLACE") {
    auto attributes = attributes_from_request(ex);
    if (!attributes) {
      co_return co_await send_s3_error(s, c, ex, call, attributes.error(), S3Resource::kObject);
    }
    request.attributes = std::move(attributes->attributes);
    request.content_type =
        attributes->content_type.empty() ? "application/octet-stream" : attributes->content_type;
  }

  // The source, for x-amz-copy-source-if-* and the storage class; the copy then pins its ETag.
  auto find = [&] { return s.uc().download.by_key(from->ns, call.tenant, from->key, false); };
  auto found = co_await s.offload(find);
  if (!found) {
    co_return co_await send_s3_error(s, c, ex, call, found.error(), S3Resource::kObject);
  }
  const Object& src = found->object;
  auto storage_class = storage_class_from(ex);
  if (!storage_class) {
    co_return co_await send_s3_error(s, c, ex, call, storage_class.error(), S3Resource::kObject);
  }
  if (ex.header("x-amz-storage-class") && *storage_class != src.storage_class()) {
    co_return co_await send_s3_code(s, c, ex, call.resource, "NotImplemented",
                                    "castor cannot copy an object into another storage class");
  }
  const bool same = from->ns == target->ns && from->key == target->key;
  if (same && directive == "COPY") {
    co_return co_await send_s3_code(
        s, c, ex, call.resource, "InvalidRequest",
        "This copy request is illegal because it is trying to copy an object to itself without "
        "changing the object's metadata, storage class, website redirect location or encryption "
        "attributes.");
  }
  const hp::Preconditions conditions{ex.header("x-amz-copy-source-if-match"),
                                     ex.header("x-amz-copy-source-if-none-match"),
                                     ex.header("x-amz-copy-source-if-modified-since"),
                                     ex.header("x-amz-copy-source-if-unmodified-since")};
  const auto decision = hp::evaluate_preconditions(
      conditions, hp::Validators{src.etag(), src.updated_at()}, /*safe=*/true);
  if (decision != hp::PreconditionResult::kProceed) {
    co_return co_await send_s3_code(
        s, c, ex, call.resource, "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold");
  }
  request.source_etag = src.etag();

  auto copy = [&] { return s.uc().copy.run(request); };
  auto copied = co_await s.offload(copy);
  if (!copied) {
    co_return co_await send_s3_error(s, c, ex, call, copied.error(), S3Resource::kObject);
  }
  const S3CopyResult result{.last_modified = copied->updated_at(),
                            .etag = copied->etag(),
                            .checksums = s3_checksums(copied->attributes().checksums)};
  co_await send_xml(s, c, ex, s3_copy_object_result_xml(result));
}

}  // namespace castor::api::s3
