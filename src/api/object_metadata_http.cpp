#include "api/object_metadata_http.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "domain/json_text.h"
#include "domain/utf8.h"

namespace castor::api {
namespace {

constexpr std::string_view kMetaPrefix = "x-meta-";

Error invalid_metadata(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), "invalid_metadata"};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

Result<ObjectAttributes> metadata_from_request(Exchange& ex) {
  ObjectAttributes out;
  // X-Meta-<name>: plain strings, values as sent.
  ObjectAttributes::Pairs plain;
  for (const auto& field : ex.req()) {
    const std::string name =
        lower(std::string_view(field.name_string().data(), field.name_string().size()));
    if (!name.starts_with(kMetaPrefix)) {
      continue;
    }
    std::string meta = name.substr(kMetaPrefix.size());
    if (auto s = check_metadata_name(meta); !s) {
      return std::move(s).error();
    }
    const std::string value(field.value().data(), field.value().size());
    if (!is_valid_utf8(value)) {
      return invalid_metadata("X-Meta-" + meta + " is not UTF-8");
    }
    auto it =
        std::find_if(plain.begin(), plain.end(), [&](const auto& p) { return p.first == meta; });
    if (it != plain.end()) {
      it->second += "," + value;  // as HTTP combines repeated fields
    } else {
      plain.emplace_back(std::move(meta), value);
    }
  }
  std::size_t header_bytes = 0;
  for (auto& [name, value] : plain) {
    header_bytes += name.size() + value.size();
    value = json_text::quote(value);
  }
  if (header_bytes > kMaxUserMetadataBytes) {
    return Error{ErrorCode::kInvalidArgument,
                 "X-Meta-* headers are over " + std::to_string(kMaxUserMetadataBytes) +
                     " bytes of names and values",
                 "metadata_too_large"};
  }
  std::sort(plain.begin(), plain.end());
  ObjectAttributes::Pairs json;
  if (auto text = ex.header("X-Metadata")) {
    auto parsed = parse_metadata_object(*text);
    if (!parsed) {
      Error e = std::move(parsed).error();
      e.message = "X-Metadata: " + e.message;
      return e;
    }
    json = std::move(*parsed);
  }
  // Merge the two sorted lists; a name in both is refused.
  out.metadata.reserve(plain.size() + json.size());
  std::merge(plain.begin(), plain.end(), json.begin(), json.end(), std::back_inserter(out.metadata),
             [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < out.metadata.size(); ++i) {
    if (out.metadata[i].first == out.metadata[i - 1].first) {
      return invalid_metadata("metadata '" + out.metadata[i].first +
                              "' is sent both as X-Meta-* and in X-Metadata");
    }
  }
  if (auto d = ex.header("Content-Disposition")) {
    out.headers.emplace_back("content-disposition", std::move(*d));
  }
  if (auto s = check_attributes(out); !s) {
    return std::move(s).error();
  }
  return out;
}

Headers metadata_headers(const Object& object) {
  Headers headers;
  const ObjectAttributes& a = object.attributes();
  headers.reserve(a.metadata.size() + 1);
  for (const auto& [name, value] : a.metadata) {
    headers.emplace_back("X-Meta-" + name, metadata_header_value(value));
  }
  if (auto d = ObjectAttributes::find(a.headers, "content-disposition")) {
    headers.emplace_back("Content-Disposition", std::string(*d));
  }
  return headers;
}

Status parse_metadata_patch(std::string_view body, UpdateObjectMetadata::Request& request) {
  auto members = json_text::object_members(body);
  if (!members) {
    return invalid_metadata("the body must be a JSON object: " + members.error().message);
  }
  bool changes = false;
  for (const auto& [name, value] : *members) {
    if (name == "metadata") {
      auto parsed = parse_metadata_object(value, /*patch=*/true);
      if (!parsed) {
        return std::move(parsed).error();
      }
      request.metadata = std::move(*parsed);
      changes = true;
    } else if (name == "mode") {
      const auto mode = json_text::unquote(value);
      if (mode == "merge") {
        request.mode = MetadataMode::kMerge;
      } else if (mode == "replace") {
        request.mode = MetadataMode::kReplace;
      } else {
        return invalid_metadata("mode must be \"merge\" or \"replace\"");
      }
    } else if (name == "content_type") {
      auto type = json_text::unquote(value);
      if (!type) {
        return invalid_metadata("content_type must be a string");
      }
      request.content_type = std::move(*type);
      changes = true;
    } else if (name == "content_disposition") {
      if (value == "null") {
        request.content_disposition.emplace(std::nullopt);
      } else if (auto d = json_text::unquote(value)) {
        request.content_disposition.emplace(std::move(*d));
      } else {
        return invalid_metadata("content_disposition must be a string or null");
      }
      changes = true;
    } else {
      return invalid_metadata("unknown member '" + name.substr(0, 64) + "'");
    }
  }
  if (!changes) {
    return invalid_metadata("send metadata, content_type or content_disposition");
  }
  return {};
}

}  // namespace castor::api
