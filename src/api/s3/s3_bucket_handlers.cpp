// The bucket operations (S3 API Reference): ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
// GetBucketLocation, GetBucketVersioning, and the canned ACL answers.
#include <algorithm>
#include <charconv>

#include "api/s3/s3_call.h"
#include "api/s3/s3_xml_request.h"

namespace castor::api::s3 {

namespace http = boost::beast::http;

namespace {

// The bucket of `call`, which must exist: NoSuchBucket otherwise. Runs on the database pool.
Awaitable<Result<Bucket>> existing_bucket(ServerCore& s, const S3Call& call) {
  auto ns = call.ns();
  if (!ns) {
    co_return std::move(ns).error();
  }
  auto find = [&] { return s.uc().buckets.find(call.tenant, *ns); };
  auto found = co_await s.offload(find);
  co_return found;
}

// ListBuckets pages: at most this many buckets per answer, then a ContinuationToken (one less
// than a ManageBuckets page, which must show whether more follow).
constexpr std::size_t kMaxBuckets = ManageBuckets::kMaxListLimit - 1;

}  // namespace

Awaitable<void> list_buckets(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  std::size_t limit = kMaxBuckets;
  if (auto max = call.param("max-buckets")) {
    std::size_t n = 0;
    auto [end, err] = std::from_chars(max->data(), max->data() + max->size(), n);
    if (err != std::errc() || end != max->data() + max->size() || n < 1) {
      co_return co_await send_s3_code(s, c, ex, "/", "InvalidArgument",
                                      "max-buckets must be a positive number");
    }
    limit = std::min(n, kMaxBuckets);
  }
  const std::string prefix = call.param("prefix").value_or("");
  const std::string after = call.param("continuation-token").value_or("");
  // A namespace-restricted credential sees only its namespaces' buckets: pages are read until
  // limit + 1 of those are found or the tenant's buckets run out.
  const Principal& who = *ex.principal;
  auto list = [&]() -> Result<std::vector<Bucket>> {
    if (!who.namespace_restricted()) {
      return s.uc().buckets.list(call.tenant, prefix, after, limit + 1);
    }
    std::vector<Bucket> visible;
    std::string cursor = after;
    while (visible.size() < limit + 1) {
      auto page = s.uc().buckets.list(call.tenant, prefix, cursor, limit + 1);
      if (!page) {
        return page;
      }
      for (Bucket& b : *page) {
        if (who.sees(b.name) && visible.size() < limit + 1) {
          visible.push_back(std::move(b));
        }
      }
      if (page->size() < limit + 1) {
        break;
      }
      cursor = page->back().name.str();
    }
    return visible;
  };
  auto buckets = co_await s.offload(list);
  if (!buckets) {
    co_return co_await send_s3_error(s, c, ex, call, buckets.error(), S3Resource::kBucket);
  }
  S3ListBucketsResult result;
  result.owner = owner_of(call);
  for (const Bucket& b : *buckets) {
    if (result.buckets.size() == limit) {
      result.continuation_token = result.buckets.back().name;
      break;
    }
    result.buckets.push_back({b.name.str(), b.created_at});
  }
  if (call.has("prefix")) {
    result.prefix = prefix;
  }
  co_await send_xml(s, c, ex, s3_list_buckets_xml(result));
}

Awaitable<void> create_bucket(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto text = co_await read_bounded_body(c, ex, kMaxCreateBucketConfigurationBody);
  if (auto* e = std::get_if<HttpError>(&text)) {
    co_return co_await send_s3_code(s, c, ex, call.resource, "MaxMessageLengthExceeded",
                                    e->message);
  }
  auto config = parse_create_bucket_configuration(std::get<std::string>(text));
  if (!config) {
    co_return co_await send_s3_error(s, c, ex, call, config.error(), S3Resource::kBucket);
  }
  // Any region is accepted: castor is one region, reported as us-east-1.
  auto create = [&] { return s.uc().buckets.create(call.tenant, call.bucket); };
  auto created = co_await s.offload(create);
  if (!created) {
    co_return co_await send_s3_error(s, c, ex, call, created.error(), S3Resource::kBucket);
  }
  co_await send_xml(s, c, ex, "", http::status::ok, one_header("Location", "/" + call.bucket));
}

Awaitable<void> head_bucket(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto found = co_await existing_bucket(s, call);
  if (!found) {
    co_return co_await send_s3_error(s, c, ex, call, found.error(), S3Resource::kBucket);
  }
  co_await send_xml(s, c, ex, "", http::status::ok, one_header("x-amz-bucket-region", "us-east-1"));
}

Awaitable<void> delete_bucket(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto ns = call.ns();
  if (!ns) {
    co_return co_await send_s3_error(s, c, ex, call, ns.error(), S3Resource::kBucket);
  }
  auto remove = [&] { return s.uc().buckets.remove(call.tenant, *ns); };
  auto removed = co_await s.offload(remove);
  if (!removed) {
    co_return co_await send_s3_error(s, c, ex, call, removed.error(), S3Resource::kBucket);
  }
  co_await send_xml(s, c, ex, "", http::status::no_content);
}

Awaitable<void> get_bucket_location(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto found = co_await existing_bucket(s, call);
  if (!found) {
    co_return co_await send_s3_error(s, c, ex, call, found.error(), S3Resource::kBucket);
  }
  co_await send_xml(s, c, ex, s3_location_constraint_xml(""));
}

Awaitable<void> get_bucket_versioning(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto found = co_await existing_bucket(s, call);
  if (!found) {
    co_return co_await send_s3_error(s, c, ex, call, found.error(), S3Resource::kBucket);
  }
  co_await send_xml(s, c, ex, s3_versioning_configuration_xml());
}

Awaitable<void> get_acl(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto found = co_await existing_bucket(s, call);
  if (!found) {
    co_return co_await send_s3_error(s, c, ex, call, found.error(), S3Resource::kBucket);
  }
  co_await send_xml(s, c, ex, s3_private_acl_xml(owner_of(call)));
}

}  // namespace castor::api::s3
