// PutObject, GetObject/HeadObject, DeleteObject, DeleteObjects (S3 API Reference).
#include <spdlog/spdlog.h>

#include "api/conditional.h"
#include "api/http_date.h"
#include "api/retention_headers.h"
#include "api/s3/s3_body.h"
#include "api/s3/s3_call.h"
#include "api/s3/s3_encoding.h"
#include "api/s3/s3_headers.h"
#include "api/s3/s3_object_common.h"
#include "api/s3/s3_xml_request.h"
#include "domain/base64.h"

namespace castor::api::s3 {

namespace http = boost::beast::http;
namespace hp = http_params;

Awaitable<void> put_object(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  if (ex.header("x-amz-copy-source")) {
    co_return co_await copy_object(s, c, ex, std::move(call));
  }
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await send_s3_code(s, c, ex, call.resource, "SlowDown", "the server is busy");
  }
  auto target = object_target(call);
  if (!target) {
    co_return co_await send_s3_error(s, c, ex, call, target.error(), S3Resource::kObject);
  }
  auto policy = write_policy(ex);
  if (!policy) {
    co_return co_await send_s3_error(s, c, ex, call, policy.error(), S3Resource::kObject);
  }
  auto attributes = attributes_from_request(ex);
  if (!attributes) {
    co_return co_await send_s3_error(s, c, ex, call, attributes.error(), S3Resource::kObject);
  }
  auto storage_class = storage_class_from(ex);
  if (!storage_class) {
    co_return co_await send_s3_error(s, c, ex, call, storage_class.error(), S3Resource::kObject);
  }
  auto lock = s3_lock_request(ex);
  if (!lock) {
    co_return co_await send_s3_error(s, c, ex, call, lock.error(), S3Resource::kObject);
  }
  auto body = S3Body::create(s, ex, call);
  if (!body) {
    co_return co_await send_s3_error(s, c, ex, call, body.error(), S3Resource::kObject);
  }
  UploadObject::Request request{.ns = target->ns,
                                .tenant = call.tenant,
                                .key = target->key,
                                .storage_class = *storage_class,
                                .content_type = std::move(attributes->content_type),
                                .expected_hash = expected_content_hash(**body),
                                .attributes = std::move(attributes->attributes),
                                .policy = std::move(*policy),
                                .retention = lock->retention,
                                .legal_hold = lock->legal_hold};
  const std::optional<std::uint64_t> declared = (*body)->declared_size();
  auto begin = [&] { return s.uc().upload.begin(std::move(request), declared); };
  auto begun = co_await s.offload(begin);
  if (!begun) {
    co_return co_await send_s3_error(s, c, ex, call, begun.error(), S3Resource::kObject);
  }
  auto committed = co_await store_s3_body(s, c, ex, **body, s.uc().upload, std::move(*begun));
  if (!committed) {
    co_return co_await send_s3_error(s, c, ex, call, committed.error(), S3Resource::kObject);
  }
  Headers headers = write_headers(committed->etag(), committed->attributes().checksums);
  co_await send_xml(s, c, ex, "", http::status::ok, std::move(headers));
}

Awaitable<void> get_object(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  if (s.overloaded(Pool::kDisk)) {
    co_return co_await send_s3_code(s, c, ex, call.resource, "SlowDown", "the server is busy");
  }
  auto target = object_target(call);
  if (!target) {
    co_return co_await send_s3_error(s, c, ex, call, target.error(), S3Resource::kObject);
  }
  if (call.has("partNumber")) {
    co_return co_await send_s3_code(s, c, ex, call.resource, "NotImplemented",
                                    "GetObject by partNumber is not implemented");
  }
  const bool want_content = !ex.head();
  auto find = [&]() -> Result<DownloadObject::Download> {
    auto found = s.uc().download.by_key(target->ns, call.tenant, target->key, want_content);
    if (!found && found.error().code == ErrorCode::kNotFound) {
      // S3 names the missing bucket rather than the key when the bucket is what is missing.
      if (auto bucket = s.uc().buckets.find(call.tenant, target->ns); !bucket) {
        Error e = std::move(bucket).error();
        if (e.code == ErrorCode::kNotFound) {
          e.reason = "NoSuchBucket";
        }
        return e;
      }
    }
    return found;
  };
  auto found = co_await s.offload(find, Pool::kDisk);
  if (!found) {
    co_return co_await send_s3_error(s, c, ex, call, found.error(), S3Resource::kObject);
  }
  const Object& object = found->object;
  const std::string etag = object.etag();
  const hp::Preconditions conditions{ex.header("If-Match"), ex.header("If-None-Match"),
                                     ex.header("If-Modified-Since"),
                                     ex.header("If-Unmodified-Since")};
  const auto decision = hp::evaluate_preconditions(
      conditions, hp::Validators{etag, object.updated_at()}, /*safe=*/true);
  if (decision == hp::PreconditionResult::kFailed) {
    co_return co_await send_s3_code(
        s, c, ex, call.resource, "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold");
  }
  Headers validators = one_header("ETag", quoted_etag(etag));
  validators.emplace_back("Last-Modified", hp::http_date(object.updated_at()));
  if (decision == hp::PreconditionResult::kNotModified) {
    co_return co_await s.send(c, ex, http::status::not_modified, "", "", std::move(validators));
  }
  const hp::RangeDecision range = hp::decide_range(ex.header("Range"), object.size_bytes());
  if (range.kind == hp::RangeDecision::kUnsatisfiable) {
    co_return co_await send_s3_code(s, c, ex, call.resource, "InvalidRange",
                                    "The requested range is not satisfiable");
  }
  ContentHead head{.hash_hex = object.content_hash()->hex(),
                   .size = object.size_bytes(),
                   .content_type = "",
                   .last_modified = object.updated_at(),
                   .etag = etag,
                   .headers = {},
                   .immutable = false,
                   .preconditions_evaluated = true};
  head.headers = object_headers(call, ex, object, head.content_type);
  Headers lock_headers = s3_lock_headers(object);
  for (auto& h : lock_headers) {
    head.headers.push_back(std::move(h));
  }
  head.headers.emplace_back("x-amz-request-id", ex.request_id);
  co_await send_content(s, c, ex, head, found->content.get());
}

Awaitable<void> delete_object(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto target = object_target(call);
  if (!target) {
    // A key that cannot exist is deleted already: S3's DeleteObject is idempotent.
    if (target.error().reason == "NoSuchBucket") {
      co_return co_await send_s3_error(s, c, ex, call, target.error(), S3Resource::kBucket);
    }
    co_return co_await send_xml(s, c, ex, "", http::status::no_content);
  }
  auto remove = [&] { return s.uc().remove.by_key(target->ns, call.tenant, target->key); };
  auto removed = co_await s.offload(remove);
  if (!removed && removed.error().code != ErrorCode::kNotFound) {
    co_return co_await send_s3_error(s, c, ex, call, removed.error(), S3Resource::kObject);
  }
  co_await send_xml(s, c, ex, "", http::status::no_content);
}

Awaitable<void> delete_objects(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto ns = call.ns();
  if (!ns) {
    co_return co_await send_s3_error(s, c, ex, call, ns.error(), S3Resource::kBucket);
  }
  auto text = co_await read_bounded_body(c, ex, kMaxDeleteObjectsBody);
  if (auto* e = std::get_if<HttpError>(&text)) {
    const bool too_large = e->status == http::status::payload_too_large;
    co_return co_await send_s3_code(s, c, ex, call.resource,
                                    too_large ? "MaxMessageLengthExceeded" : "IncompleteBody",
                                    e->message);
  }
  const std::string& xml = std::get<std::string>(text);
  // Content-MD5 is optional here (castor does not require it), but checked when sent.
  if (auto content_md5 = ex.header("Content-MD5")) {
    auto md5 = s.uc().checksummers.create(ChecksumAlgorithm::kMd5);
    if (!md5) {
      co_return co_await send_s3_error(s, c, ex, call, md5.error(), S3Resource::kObject);
    }
    (*md5)->update(xml);
    if (base64_encode((*md5)->digest()) != *content_md5) {
      co_return co_await send_s3_code(s, c, ex, call.resource, "BadDigest",
                                      "The Content-MD5 you specified did not match what we "
                                      "received.");
    }
  }
  auto request = parse_delete_objects(xml);
  if (!request) {
    co_return co_await send_s3_error(s, c, ex, call, request.error(), S3Resource::kObject);
  }
  // One transaction per key: a failure of one is reported in its <Error> and the others go on.
  auto remove_all = [&] {
    std::vector<S3DeleteOutcome> outcomes;
    outcomes.reserve(request->objects.size());
    for (const auto& o : request->objects) {
      S3DeleteOutcome outcome;
      outcome.key = o.key;
      outcome.version_id = o.version_id;
      auto key = ObjectKey::parse(o.key);
      if (key) {
        auto removed = s.uc().remove.by_key(*ns, call.tenant, *key);
        if (!removed && removed.error().code != ErrorCode::kNotFound) {
          const S3ErrorAnswer answer = s3_error_for(removed.error(), S3Resource::kObject);
          outcome.error_code = std::string(answer.info->code);
          outcome.error_message = answer.message;
        }
      }
      outcomes.push_back(std::move(outcome));
    }
    return outcomes;
  };
  auto outcomes = co_await s.offload(remove_all);
  co_await send_xml(s, c, ex, s3_delete_result_xml(outcomes, request->quiet));
}

}  // namespace castor::api::s3
