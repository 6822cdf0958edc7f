// ListObjects (v1), ListObjectsV2 and ListObjectVersions (S3 API Reference), over ListS3.
#include <charconv>

#include "api/s3/s3_call.h"
#include "api/s3/s3_xml_listing.h"
#include "domain/hex.h"

namespace castor::api::s3 {

namespace {

Error invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), "InvalidArgument"};
}

// max-keys: 0..2^31; above 1000 means 1000, as S3 answers.
Result<std::size_t> max_keys_of(const S3Call& call) {
  auto text = call.param("max-keys");
  if (!text) {
    return ListS3::kMaxKeys;
  }
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return invalid("Provided max-keys not an integer or within integer range");
  }
  return static_cast<std::size_t>(std::min<std::uint64_t>(n, ListS3::kMaxKeys));
}

// ContinuationTokens are the hex of the key to resume after: opaque to clients, URL-safe.
std::string make_token(std::string_view marker) {
  return to_hex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(marker.data()),
                                              marker.size()));
}

Result<std::string> read_token(std::string_view token) {
  std::string out(token.size() / 2, '\0');
  if (token.size() % 2 != 0 ||
      !from_hex(token,
                std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), out.size()))) {
    return invalid("The continuation token provided is incorrect");
  }
  return out;
}

enum class Flavour { kV1, kV2, kVersions };

}  // namespace

Awaitable<void> list_objects(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  const Flavour flavour = call.has("versions")                          ? Flavour::kVersions
                          : call.param("list-type").value_or("") == "2" ? Flavour::kV2
                                                                        : Flavour::kV1;
  auto ns = call.ns();
  auto max_keys = max_keys_of(call);
  const std::string encoding = call.param("encoding-type").value_or("");
  if (!max_keys || (!encoding.empty() && encoding != "url")) {
    const Error e = !max_keys ? max_keys.error() : invalid("Invalid Encoding Method specified");
    co_return co_await send_s3_error(s, c, ex, call, e, S3Resource::kBucket);
  }
  ListS3::Request request{.prefix = call.param("prefix").value_or(""),
                          .delimiter = call.param("delimiter"),
                          .start_after = "",
                          .max_keys = *max_keys};
  std::optional<std::string> token = call.param("continuation-token");
  switch (flavour) {
    case Flavour::kV1:
      request.start_after = call.param("marker").value_or("");
      break;
    case Flavour::kVersions:
      request.start_after = call.param("key-marker").value_or("");
      break;
    case Flavour::kV2:
      if (token) {
        auto after = read_token(*token);
        if (!after) {
          co_return co_await send_s3_error(s, c, ex, call, after.error(), S3Resource::kBucket);
        }
        request.start_after = std::move(*after);
      } else {
        request.start_after = call.param("start-after").value_or("");
      }
      break;
  }
  auto list = [&]() -> Result<ListS3::Page> {
    if (!ns) {
      return ns.error();
    }
    if (auto found = s.uc().buckets.find(call.tenant, *ns); !found) {
      return std::move(found).error();
    }
    return s.uc().list_s3.list(*ns, call.tenant, request);
  };
  auto page = co_await s.offload(list);
  if (!page) {
    co_return co_await send_s3_error(s, c, ex, call, page.error(), S3Resource::kBucket);
  }

  S3ObjectListing listing{.bucket = call.bucket,
                          .prefix = request.prefix,
                          .delimiter = request.delimiter,
                          .max_keys = static_cast<std::uint32_t>(request.max_keys),
                          .url_encoding = encoding == "url",
                          .is_truncated = page->truncated,
                          .contents = {},
                          .common_prefixes = std::move(page->common_prefixes)};
  const bool owner = flavour != Flavour::kV2 || call.param("fetch-owner").value_or("") == "true";
  for (const Object& o : page->contents) {
    listing.contents.push_back(
        {.key = o.key()->str(),
         .last_modified = o.updated_at(),
         .etag = o.etag(),
         .size = o.size_bytes(),
         .owner = owner ? std::optional<S3Owner>(owner_of(call)) : std::nullopt});
  }
  std::optional<std::string> next;
  if (page->truncated) {
    next = page->next_marker;
  }
  std::string xml;
  switch (flavour) {
    case Flavour::kV1:
      xml = s3_list_objects_v1_xml(listing, request.start_after, next);
      break;
    case Flavour::kV2:
      xml = s3_list_objects_v2_xml(
          listing, {.continuation_token = token,
                    .next_continuation_token =
                        next ? std::optional<std::string>(make_token(*next)) : std::nullopt,
                    .start_after = call.param("start-after")});
      break;
    case Flavour::kVersions:
      xml = s3_list_versions_xml(
          listing,
          {.key_marker = request.start_after,
           .version_id_marker = call.param("version-id-marker").value_or(""),
           .next_key_marker = next,
           .next_version_id_marker = next ? std::optional<std::string>("null") : std::nullopt});
      break;
  }
  co_await send_xml(s, c, ex, std::move(xml));
}

}  // namespace castor::api::s3
