#include "application/buckets.h"

#include <algorithm>
#include <string>
#include <utility>

#include "domain/utf8.h"

namespace castor {
namespace {

// What PostgreSQL's text takes: valid UTF-8 without NUL.
bool usable_text(std::string_view s) {
  return is_valid_utf8(s) && s.find('\0') == std::string_view::npos;
}

}  // namespace

Result<Bucket> ManageBuckets::create(const TenantId& tenant, std::string_view name) {
  if (auto s = check_new_bucket_name(name); !s) {
    return std::move(s).error();
  }
  auto ns = Namespace::parse(name);
  if (!ns) {
    return std::move(ns).error();  // unreachable: check_new_bucket_name checked it
  }
  Bucket bucket{*ns, tenant, clock_.now()};
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    if (auto t = tx.buckets().insert(bucket); !t) {
      if (t.error().code == ErrorCode::kAlreadyExists) {
        return Error{ErrorCode::kAlreadyExists,
                     "bucket " + bucket.name.str() + " already exists and is yours",
                     "BucketAlreadyOwnedByYou"};
      }
      return t;
    }
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return bucket;
}

Result<Bucket> ManageBuckets::find(const TenantId& tenant, const Namespace& name) {
  return read_only(metadata_, [&](MetadataTransaction& tx) -> Result<Bucket> {
    return tx.buckets().find(name, tenant, /*for_update=*/false);
  });
}

Result<std::vector<Bucket>> ManageBuckets::list(const TenantId& tenant, std::string_view prefix,
                                                std::string_view after, std::size_t limit) {
  if (!usable_text(after)) {
    return invalid_argument("the bucket to list after must be valid UTF-8 without NUL");
  }
  if (!usable_text(prefix)) {
    return std::vector<Bucket>{};  // no bucket name starts with it
  }
  BucketQuery query{tenant, std::string(prefix), std::string(after),
                    std::clamp<std::size_t>(limit, 1, kMaxListLimit)};
  return read_only(metadata_, [&](MetadataTransaction& tx) -> Result<std::vector<Bucket>> {
    return tx.buckets().list(query);
  });
}

Status ManageBuckets::remove(const TenantId& tenant, const Namespace& name) {
  return metadata_.transact([&](MetadataTransaction& tx) -> Status {
    // Lock order: the bucket row first, then the objects are only read.
    if (auto bucket = tx.buckets().find(name, tenant, /*for_update=*/true); !bucket) {
      return std::move(bucket).error();
    }
    auto used = tx.objects().any_committed(name, tenant);
    if (!used) {
      return std::move(used).error();
    }
    if (*used) {
      return Error{ErrorCode::kFailedPrecondition, "bucket " + name.str() + " is not empty",
                   "BucketNotEmpty"};
    }
    return tx.buckets().remove(name, tenant);
  });
}

}  // namespace castor
