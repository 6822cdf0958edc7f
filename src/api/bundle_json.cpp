#include "api/bundle_json.h"

#include <boost/json.hpp>

#include "api/http_date.h"
#include "api/request_params.h"

namespace castor {

namespace json = boost::json;

namespace {

json::array hex_array(const std::vector<ContentHash>& hashes) {
  json::array a;
  a.reserve(hashes.size());
  for (const ContentHash& h : hashes) {
    a.emplace_back(h.hex());
  }
  return a;
}

json::object summary_object(const BundleSummary& s) {
  json::object j;
  j["id"] = s.id.to_string();
  j["created_at"] = http_params::rfc3339(s.created_at);
  j["merkle_root"] = s.merkle_root;
  j["file_count"] = s.file_count;
  j["total_bytes"] = s.total_bytes;
  j["storage_class"] = std::string(to_string(s.storage_class));
  return j;
}

// A JSON document that must be an object; InvalidArgument otherwise.
Result<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    return invalid_argument("the body must be a JSON object");
  }
  return std::move(v.as_object());
}

// A non-negative integer that fits in int64 (PostgreSQL's bigint).
std::optional<std::uint64_t> as_count(const json::value& v) {
  if (v.is_uint64()) {
    return v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)
               ? std::optional<std::uint64_t>(v.as_uint64())
               : std::nullopt;
  }
  if (v.is_int64() && v.as_int64() >= 0) {
    return static_cast<std::uint64_t>(v.as_int64());
  }
  return std::nullopt;
}

}  // namespace

std::string blob_json(const Blob& blob) {
  json::object j;
  j["hash"] = blob.hash().hex();
  j["size_bytes"] = blob.size_bytes();
  j["storage_class"] = std::string(to_string(blob.storage_class()));
  return json::serialize(j);
}

Result<std::vector<ContentHash>> parse_preflight_request(std::string_view body) {
  auto o = parse_object(body);
  if (!o) {
    return std::move(o).error();
  }
  const json::value* hashes = o->if_contains("hashes");
  if (hashes == nullptr || !hashes->is_array()) {
    return invalid_argument("hashes must be an array of SHA-256 hex digests");
  }
  std::vector<ContentHash> out;
  out.reserve(hashes->as_array().size());
  std::size_t i = 0;
  for (const json::value& v : hashes->as_array()) {
    auto h = v.is_string() ? ContentHash::parse(std::string_view(v.as_string()))
                           : Result<ContentHash>(invalid_argument("not a string"));
    if (!h) {
      return invalid_argument("hashes[" + std::to_string(i) +
                              "] must be 64 hex digits, optionally 'sha256:'");
    }
    out.push_back(std::move(*h));
    ++i;
  }
  return out;
}

std::string preflight_json(const std::vector<ContentHash>& missing) {
  json::object j;
  j["missing"] = hex_array(missing);
  return json::serialize(j);
}

Status parse_bundle_request(std::string_view body, CreateBundle::Request& request) {
  auto o = parse_object(body);
  if (!o) {
    return std::move(o).error();
  }
  if (const json::value* algo = o->if_contains("hash_algo"); algo != nullptr) {
    if (!algo->is_string() || algo->as_string() != "sha256") {
      return invalid_argument("hash_algo must be \"sha256\"");
    }
  }
  if (const json::value* root = o->if_contains("merkle_root");
      root != nullptr && !root->is_null()) {
    auto parsed = root->is_string() ? ContentHash::parse(std::string_view(root->as_string()))
                                    : Result<ContentHash>(invalid_argument("not a string"));
    if (!parsed) {
      return invalid_argument("merkle_root must be 64 hex digits");
    }
    request.merkle_root = parsed->hex();
  }
  if (const json::value* meta = o->if_contains("metadata"); meta != nullptr && !meta->is_null()) {
    if (!meta->is_object()) {
      return invalid_argument("metadata must be a JSON object");
    }
    request.metadata = json::serialize(*meta);
    if (request.metadata.size() > kMaxBundleMetadataBytes) {
      return invalid_argument("metadata is larger than " + std::to_string(kMaxBundleMetadataBytes) +
                              " bytes");
    }
  }
  const json::value* files = o->if_contains("files");
  if (files == nullptr || !files->is_array()) {
    return invalid_argument("files must be an array");
  }
  const json::array& list = files->as_array();
  if (list.size() > kMaxBundleFiles) {
    return Error{ErrorCode::kOutOfRange, "a bundle holds at most " +
                                             std::to_string(kMaxBundleFiles) + " files, not " +
                                             std::to_string(list.size())};
  }
  request.files.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = "files[" + std::to_string(i) + "]";
    if (!list[i].is_object()) {
      return invalid_argument(at + " must be an object");
    }
    const json::object& f = list[i].as_object();
    const json::value* path = f.if_contains("path");
    if (path == nullptr || !path->is_string()) {
      return invalid_argument(at + ".path must be a string");
    }
    const json::value* hash = f.if_contains("hash");
    auto h = hash != nullptr && hash->is_string()
                 ? ContentHash::parse(std::string_view(hash->as_string()))
                 : Result<ContentHash>(invalid_argument("missing"));
    if (!h) {
      return invalid_argument(at + ".hash must be 64 hex digits, optionally 'sha256:'");
    }
    const json::value* size = f.if_contains("size_bytes");
    const auto size_bytes = size != nullptr ? as_count(*size) : std::nullopt;
    if (!size_bytes) {
      return invalid_argument(at + ".size_bytes must be a non-negative integer");
    }
    std::uint32_t mode = 0644;
    if (const json::value* m = f.if_contains("mode"); m != nullptr && !m->is_null()) {
      const auto bits = as_count(*m);
      if (!bits || *bits > 07777) {
        return invalid_argument(at + ".mode must be permission bits (0 to 4095)");
      }
      mode = static_cast<std::uint32_t>(*bits);
    }
    request.files.push_back(BundleFile{.path = std::string(path->as_string()),
                                       .hash = std::move(*h),
                                       .size_bytes = *size_bytes,
                                       .mode = mode});
  }
  return {};
}

std::string bundle_summary_json(const BundleSummary& summary) {
  return json::serialize(summary_object(summary));
}

std::string bundle_json(const Bundle& bundle) {
  json::object j = summary_object(bundle.summary);
  if (bundle.metadata.empty()) {
    j["metadata"] = nullptr;
  } else {
    boost::system::error_code ec;
    json::value meta = json::parse(bundle.metadata, ec);
    j["metadata"] = ec ? json::value(nullptr) : std::move(meta);
  }
  json::array files;
  files.reserve(bundle.files.size());
  for (const BundleFile& f : bundle.files) {
    json::object e;
    e["path"] = f.path;
    e["hash"] = f.hash.hex();
    e["size_bytes"] = f.size_bytes;
    e["mode"] = f.mode;
    files.push_back(std::move(e));
  }
  j["files"] = std::move(files);
  return json::serialize(j);
}

std::string bundle_page_json(const ReadBundles::Page& page) {
  json::array items;
  items.reserve(page.bundles.size());
  for (const BundleSummary& s : page.bundles) {
    items.push_back(summary_object(s));
  }
  json::object j;
  j["bundles"] = std::move(items);
  j["next_cursor"] = page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr);
  return json::serialize(j);
}

std::string missing_blobs_json(const std::vector<ContentHash>& missing) {
  json::object error;
  error["code"] = "missing_blobs";
  error["message"] = std::to_string(missing.size()) +
                     " of the bundle's contents are not held by this tenant: upload them first";
  json::object j;
  j["error"] = std::move(error);
  j["missing"] = hex_array(missing);
  return json::serialize(j);
}

}  // namespace castor
