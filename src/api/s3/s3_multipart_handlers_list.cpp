// Multipart uploads, the reads (S3 API Reference): ListParts and ListMultipartUploads, over the
// upload session tables; and what the multipart handlers share.
#include <charconv>

#include "api/s3/s3_multipart_handlers.h"
#include "api/s3/s3_xml_listing.h"

namespace castor::api::s3 {

namespace {

Error no_such_upload(const std::string& id) {
  return Error{ErrorCode::kNotFound,
               "The specified upload does not exist. The upload ID may be invalid, or the upload "
               "may have been aborted or completed: " +
                   id,
               "NoSuchUpload"};
}

Error invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), "InvalidArgument"};
}

// A non-negative integer parameter, at most `max` (larger values mean `max`, as S3 answers),
// `fallback` when absent.
Result<std::uint32_t> count_param(const S3Call& call, std::string_view name, std::uint32_t fallback,
                                  std::uint32_t max) {
  auto text = call.param(name);
  if (!text) {
    return fallback;
  }
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size() || n > INT32_MAX) {
    return invalid("Provided " + std::string(name) + " not an integer or within integer range");
  }
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(n, max));
}

}  // namespace

Error no_such_bucket(Error e) {
  if (e.code == ErrorCode::kNotFound && e.reason.empty()) {
    e.reason = "NoSuchBucket";
  }
  return e;
}

Result<UploadId> upload_id_of(const S3Call& call) {
  const std::string text = call.param("uploadId").value_or("");
  auto id = UploadId::parse(text);
  if (!id) {
    return no_such_upload(text);
  }
  return *id;
}

Result<UploadView> find_s3_upload(ReadUploads& uploads, const TenantId& tenant,
                                  const ObjectTarget& target, const UploadId& id,
                                  bool allow_completed) {
  auto view = uploads.get(tenant, id);
  if (!view) {
    if (view.error().code == ErrorCode::kNotFound) {
      return no_such_upload(id.to_string());
    }
    return std::move(view).error();
  }
  const auto& f = view->session.fields();
  if (!f.s3 || f.ns != target.ns || f.key != target.key ||
      (!allow_completed && f.state != UploadSession::State::kOpen)) {
    return no_such_upload(id.to_string());
  }
  return view;
}

Awaitable<void> list_parts(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto target = object_target(call);
  if (!target) {
    co_return co_await send_s3_error(s, c, ex, call, target.error(), S3Resource::kObject);
  }
  auto id = upload_id_of(call);
  auto marker = count_param(call, "part-number-marker", 0, kMaxUploadParts);
  auto max_parts = count_param(call, "max-parts", 1000, 1000);
  if (!id || !marker || !max_parts) {
    const Error e = !id ? id.error() : !marker ? marker.error() : max_parts.error();
    co_return co_await send_s3_error(s, c, ex, call, e, S3Resource::kUpload);
  }
  auto find = [&] { return find_s3_upload(s.uc().read_uploads, call.tenant, *target, *id, false); };
  auto view = co_await s.offload(find);
  if (!view) {
    co_return co_await send_s3_error(s, c, ex, call, view.error(), S3Resource::kUpload);
  }
  S3ListPartsResult result{.bucket = call.bucket,
                           .key = call.key,
                           .upload_id = id->to_string(),
                           .owner = owner_of(call),
                           .part_number_marker = *marker,
                           .next_part_number_marker = {},
                           .max_parts = *max_parts,
                           .is_truncated = false,
                           .parts = {}};
  for (const UploadPart& part : view->parts) {
    if (part.number <= *marker) {
      continue;
    }
    if (result.parts.size() == *max_parts) {
      result.is_truncated = true;
      break;
    }
    S3PartEntry entry{.part_number = part.number,
                      .last_modified = part.uploaded_at,
                      .etag = part.md5,
                      .size = part.size_bytes,
                      .checksums = {}};
    for (const auto& [algorithm, value] : part.checksums) {
      if (algorithm == "crc32") {
        entry.checksums.crc32 = value;
      } else if (algorithm == "crc32c") {
        entry.checksums.crc32c = value;
      } else if (algorithm == "crc64nvme") {
        entry.checksums.crc64nvme = value;
      } else if (algorithm == "sha1") {
        entry.checksums.sha1 = value;
      } else if (algorithm == "sha256") {
        entry.checksums.sha256 = value;
      }
    }
    result.parts.push_back(std::move(entry));
  }
  if (result.is_truncated && !result.parts.empty()) {
    result.next_part_number_marker = result.parts.back().part_number;
  }
  std::string xml = s3_list_parts_xml(result);
  co_await send_xml(s, c, ex, std::move(xml));
}

Awaitable<void> list_multipart_uploads(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  auto ns = call.ns();
  if (!ns) {
    co_return co_await send_s3_error(s, c, ex, call, ns.error(), S3Resource::kBucket);
  }
  auto max_uploads = count_param(call, "max-uploads", 1000, 1000);
  const std::string encoding = call.param("encoding-type").value_or("");
  if (!max_uploads || (!encoding.empty() && encoding != "url")) {
    const Error e =
        !max_uploads ? max_uploads.error() : invalid("Invalid Encoding Method specified");
    co_return co_await send_s3_error(s, c, ex, call, e, S3Resource::kBucket);
  }
  S3UploadQuery query{.tenant = call.tenant,
                      .ns = *ns,
                      .prefix = call.param("prefix").value_or(""),
                      .key_marker = call.param("key-marker").value_or(""),
                      .upload_id_marker = {},
                      .delimiter = call.param("delimiter"),
                      .max_uploads = *max_uploads};
  const std::string id_marker = call.param("upload-id-marker").value_or("");
  if (!id_marker.empty()) {
    auto parsed = UploadId::parse(id_marker);
    if (!parsed) {
      const Error e = invalid("Invalid uploadId marker");
      co_return co_await send_s3_error(s, c, ex, call, e, S3Resource::kBucket);
    }
    query.upload_id_marker = *parsed;
  }
  auto list = [&]() -> Result<S3UploadListing> {
    if (auto bucket = s.uc().buckets.find(call.tenant, *ns); !bucket) {
      return no_such_bucket(std::move(bucket).error());
    }
    return s.uc().read_uploads.list_s3(query);
  };
  auto listing = co_await s.offload(list);
  if (!listing) {
    co_return co_await send_s3_error(s, c, ex, call, listing.error(), S3Resource::kBucket);
  }
  S3ListMultipartUploadsResult result{.bucket = call.bucket,
                                      .key_marker = query.key_marker,
                                      .upload_id_marker = id_marker,
                                      .next_key_marker = {},
                                      .next_upload_id_marker = {},
                                      .prefix = query.prefix,
                                      .delimiter = query.delimiter,
                                      .max_uploads = *max_uploads,
                                      .is_truncated = listing->truncated,
                                      .url_encoding = encoding == "url",
                                      .owner = owner_of(call),
                                      .uploads = {},
                                      .common_prefixes = std::move(listing->common_prefixes)};
  if (listing->truncated) {
    result.next_key_marker = listing->next_key_marker;
    result.next_upload_id_marker = listing->next_upload_id_marker;
  }
  for (const UploadSession& session : listing->uploads) {
    result.uploads.push_back({.key = session.fields().key ? session.fields().key->str() : "",
                              .upload_id = session.id().to_string(),
                              .initiated = session.fields().created_at});
  }
  std::string xml = s3_list_multipart_uploads_xml(result);
  co_await send_xml(s, c, ex, std::move(xml));
}

}  // namespace castor::api::s3
