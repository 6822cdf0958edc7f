#include "api/upload_json.h"

#include <algorithm>

#include <boost/json.hpp>

#include "api/http_date.h"
#include "api/json_views.h"
#include "domain/json_text.h"

namespace castor {

namespace json = boost::json;

namespace {

// A non-negative integer that fits in int64 (PostgreSQL's bigint).
std::optional<std::uint64_t> as_count(const json::value& v) {
  if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return v.as_uint64();
  }
  if (v.is_int64() && v.as_int64() >= 0) {
    return static_cast<std::uint64_t>(v.as_int64());
  }
  return std::nullopt;
}

Error bad_field(std::string_view name, std::string_view what) {
  return invalid_argument("'" + std::string(name) + "' " + std::string(what));
}

// Parses the string field `name` with `parse` into `out`.
template <class T, class Parse>
Status string_field(const json::value& v, std::string_view name, std::optional<T>& out,
                    Parse parse) {
  if (!v.is_string()) {
    return bad_field(name, "must be a string");
  }
  auto parsed = parse(std::string_view(v.as_string()));
  if (!parsed) {
    return bad_field(name, "is invalid: " + parsed.error().message);
  }
  out = std::move(*parsed);
  return {};
}

json::value or_null(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object session_object(const UploadSession& session, std::uint64_t part_size_hint) {
  const auto& f = session.fields();
  json::object j;
  j["upload_id"] = f.id.to_string();
  j["state"] = to_string(f.state);
  j["tenant_id"] = f.tenant.str();
  j["namespace"] = or_null(f.ns ? std::optional(f.ns->str()) : std::nullopt);
  j["key"] = or_null(f.key ? std::optional(f.key->str()) : std::nullopt);
  j["storage_class"] = std::string(to_string(f.storage_class));
  j["size_bytes"] = f.size_bytes ? json::value(*f.size_bytes) : json::value(nullptr);
  j["sha256"] = or_null(f.sha256 ? std::optional(f.sha256->hex()) : std::nullopt);
  j["content_type"] = or_null(f.content_type);
  j["created_at"] = http_params::rfc3339(f.created_at);
  j["expires_at"] = http_params::rfc3339(f.expires_at);
  j["part_size_hint"] = part_size_hint;
  j["max_parts"] = kMaxUploadParts;
  return j;
}

json::object part_object(const UploadPart& part) {
  json::object j;
  j["part_number"] = part.number;
  j["size_bytes"] = part.size_bytes;
  j["sha256"] = part.hash.hex();
  return j;
}

}  // namespace

Result<UploadRequestBody> parse_upload_request(std::string_view body) {
  UploadRequestBody out;
  CreateUpload::Request& f = out.fields;
  if (body.empty()) {
    return out;
  }
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec || !doc.is_object()) {
    return invalid_argument("the body must be a JSON object");
  }
  for (const auto& [name_sv, v] : doc.as_object()) {
    const std::string_view name = name_sv;
    if (v.is_null()) {
      continue;
    }
    Status s;
    if (name == "namespace") {
      s = string_field(v, name, f.ns, [](std::string_view t) { return Namespace::parse(t); });
    } else if (name == "tenant_id") {
      s = string_field(v, name, out.tenant, [](std::string_view t) { return TenantId::parse(t); });
    } else if (name == "key") {
      s = string_field(v, name, f.key, [](std::string_view t) { return ObjectKey::parse(t); });
    } else if (name == "storage_class") {
      s = string_field(v, name, out.storage_class,
                       [](std::string_view t) { return parse_storage_class(t); });
    } else if (name == "sha256") {
      s = string_field(v, name, f.sha256, [](std::string_view t) { return ContentHash::parse(t); });
    } else if (name == "content_type") {
      s = string_field(v, name, f.content_type,
                       [](std::string_view t) -> Result<std::string> { return std::string(t); });
    } else if (name == "metadata") {
      // From the body's own text: Boost.JSON's numbers are doubles; metadata keeps them as sent.
      auto members = json_text::object_members(body);
      if (!members) {
        return bad_field(name, "is not valid JSON: " + members.error().message);
      }
      auto it = std::find_if(members->begin(), members->end(),
                             [](const auto& m) { return m.first == "metadata"; });
      const std::string* text = it == members->end() ? nullptr : &it->second;
      if (text == nullptr) {
        return bad_field(name, "is not valid JSON");
      }
      auto metadata = parse_metadata_object(*text);
      if (!metadata) {
        return std::move(metadata).error();
      }
      f.attributes.metadata = std::move(*metadata);
    } else if (name == "content_disposition") {
      if (!v.is_string() || v.as_string().empty()) {
        return Error{ErrorCode::kInvalidArgument, "'content_disposition' must be a string",
                     "invalid_metadata"};
      }
      f.attributes.headers.emplace_back("content-disposition", std::string(v.as_string()));
    } else if (name == "size_bytes") {
      auto n = as_count(v);
      if (!n) {
        return bad_field(name, "must be a non-negative integer");
      }
      f.size_bytes = *n;
    } else {
      return bad_field(name, "is not a field of an upload");
    }
    if (!s) {
      return std::move(s).error();
    }
  }
  return out;
}

Result<std::vector<std::uint32_t>> parse_complete_request(std::string_view body) {
  std::vector<std::uint32_t> parts;
  if (body.empty()) {
    return parts;
  }
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec || !doc.is_object()) {
    return invalid_argument("the body must be a JSON object");
  }
  const json::value* list = doc.as_object().if_contains("parts");
  if (list == nullptr || list->is_null()) {
    return parts;
  }
  if (!list->is_array() || list->as_array().empty() || list->as_array().size() > kMaxUploadParts) {
    return Error{
        ErrorCode::kInvalidArgument,
        "'parts' must be an array of at most " + std::to_string(kMaxUploadParts) + " part numbers",
        "invalid_parts"};
  }
  for (const json::value& v : list->as_array()) {
    auto n = as_count(v);
    if (!n || !check_part_number(*n)) {
      return Error{ErrorCode::kInvalidArgument,
                   "'parts' holds part numbers from 1 to " + std::to_string(kMaxUploadParts),
                   "invalid_parts"};
    }
    parts.push_back(static_cast<std::uint32_t>(*n));
  }
  return parts;
}

std::string upload_json(const UploadSession& session, const UploadJsonExtras& extras) {
  json::object j = session_object(session, extras.part_size_hint);
  if (extras.parts != nullptr) {
    json::array parts;
    parts.reserve(extras.parts->size());
    for (const UploadPart& part : *extras.parts) {
      parts.push_back(part_object(part));
    }
    j["parts"] = std::move(parts);
  }
  const auto& outcome = session.fields().outcome;
  if (extras.object != nullptr) {
    // Spliced as text, as object_json writes it (its metadata keeps numbers as sent).
    std::string out = json::serialize(j);
    out.pop_back();  // '}'
    out += ",\"object\":";
    out += object_json(*extras.object);
    out += '}';
    return out;
  }
  if (outcome && !outcome->object_id) {
    json::object blob;
    blob["hash"] = outcome->hash.hex();
    blob["size_bytes"] = outcome->size_bytes;
    blob["storage_class"] = std::string(to_string(session.storage_class()));
    j["blob"] = std::move(blob);
  }
  return json::serialize(j);
}

std::string upload_list_json(const std::vector<UploadSession>& sessions,
                             std::uint64_t part_size_hint) {
  json::array list;
  list.reserve(sessions.size());
  for (const UploadSession& s : sessions) {
    list.push_back(session_object(s, part_size_hint));
  }
  json::object j;
  j["uploads"] = std::move(list);
  return json::serialize(j);
}

std::string upload_part_json(const UploadPart& part) { return json::serialize(part_object(part)); }

}  // namespace castor
