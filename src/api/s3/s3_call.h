#pragma once
// Internal to src/api/s3: what the S3 handlers share. Includes Beast; never include it from
// another layer.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/s3/s3_errors.h"
#include "api/s3/s3_xml_response.h"
#include "api/server_core.h"
#include "domain/names.h"
#include "domain/principal.h"
#include "domain/sigv4.h"

namespace castor::api::s3 {

// One S3 request once addressed and authenticated (s3_front.cpp).
struct S3Call {
  std::string bucket = {};  // decoded; empty for service-level requests (ListBuckets)
  std::string key = {};     // decoded; empty for bucket-level requests
  TenantId tenant;          // the credential's tenant: every bucket it names is this tenant's
  Sigv4Verified verified = {};
  std::vector<QueryParam> query = {};  // decoded, in request order
  std::string resource = {};           // "/bucket/key" as S3 names it in <Error><Resource>

  // The first query parameter `name`, if present (an empty value is present).
  std::optional<std::string> param(std::string_view name) const;
  bool has(std::string_view name) const { return param(name).has_value(); }
  // The bucket as a castor namespace. Every bucket name is a namespace name, so a name that is
  // not one names no bucket: NotFound (NoSuchBucket).
  Result<Namespace> ns() const;
};

// Answers `e` as S3 does (s3_error_for(): code, status, XML body; no body for HEAD), naming
// call.resource. Adds Retry-After to 503s.
Awaitable<void> send_s3_error(ServerCore& s, Connection& c, Exchange& ex, const S3Call& call,
                              const Error& e, S3Resource resource);
// The same for an error known by its S3 code (s3_errors.h table) and message.
Awaitable<void> send_s3_code(ServerCore& s, Connection& c, Exchange& ex, std::string resource,
                             std::string code, std::string message);
// A 200 (or `status`) with an XML document.
Awaitable<void> send_xml(ServerCore& s, Connection& c, Exchange& ex, std::string xml,
                         boost::beast::http::status status = boost::beast::http::status::ok,
                         Headers headers = {});

// The S3 owner of the call's buckets and objects: its tenant's name as ID and display name.
S3Owner owner_of(const S3Call& call);

// Whether `scope` is granted to the caller on the call's bucket (a namespace-restricted
// credential reaches only its namespaces); answers AccessDenied and returns false if not.
Awaitable<bool> s3_authorized(ServerCore& s, Connection& c, Exchange& ex, const S3Call& call,
                              Scope scope);

// ---- operations (one function each; s3_front.cpp dispatches) ------------------------------------

// s3_bucket_handlers.cpp
Awaitable<void> list_buckets(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> create_bucket(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> head_bucket(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> delete_bucket(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> get_bucket_location(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> get_bucket_versioning(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> get_acl(ServerCore& s, Connection& c, Exchange& ex, S3Call call);

// s3_list_handlers.cpp: ListObjects (v1), ListObjectsV2, ListObjectVersions.
Awaitable<void> list_objects(ServerCore& s, Connection& c, Exchange& ex, S3Call call);

// s3_object_handlers.cpp
Awaitable<void> put_object(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> get_object(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> delete_object(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> delete_objects(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
// s3_copy_handler.cpp
Awaitable<void> copy_object(ServerCore& s, Connection& c, Exchange& ex, S3Call call);

// s3_multipart_handlers.cpp
Awaitable<void> create_multipart_upload(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> upload_part(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> upload_part_copy(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> complete_multipart_upload(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> abort_multipart_upload(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> list_parts(ServerCore& s, Connection& c, Exchange& ex, S3Call call);
Awaitable<void> list_multipart_uploads(ServerCore& s, Connection& c, Exchange& ex, S3Call call);

}  // namespace castor::api::s3
