#include "client/upload_session.h"

#include <string_view>

#include <boost/json/value.hpp>

namespace castor::client {
namespace {

Error malformed(std::string_view what) {
  return Error{ErrorCode::kInternal,
               "the server's upload session is malformed: " + std::string(what)};
}

// The string (or null/absent) member `name`; false when it has another type.
bool optional_string(const boost::json::object& json, std::string_view name,
                     std::optional<std::string>& out) {
  const boost::json::value* value = json.if_contains(name);
  if (value == nullptr || value->is_null()) {
    out.reset();
    return true;
  }
  if (!value->is_string()) {
    return false;
  }
  out = std::string(value->as_string());
  return true;
}

// The non-negative integer (or null/absent) member `name`; false when it has another type.
bool optional_count(const boost::json::object& json, std::string_view name,
                    std::optional<std::uint64_t>& out) {
  const boost::json::value* value = json.if_contains(name);
  if (value == nullptr || value->is_null()) {
    out.reset();
    return true;
  }
  if (value->is_uint64()) {
    out = value->as_uint64();
    return true;
  }
  if (value->is_int64() && value->as_int64() >= 0) {
    out = static_cast<std::uint64_t>(value->as_int64());
    return true;
  }
  return false;
}

}  // namespace

boost::json::object UploadTarget::to_json() const {
  boost::json::object body{
      {"sha256", sha256}, {"size_bytes", size}, {"storage_class", storage_class}};
  if (ns) {
    body["namespace"] = *ns;
  }
  if (key) {
    body["key"] = *key;
  }
  return body;
}

Result<UploadPartInfo> parse_upload_part(const boost::json::object& json) {
  std::optional<std::uint64_t> number, size;
  std::optional<std::string> sha256;
  if (!optional_count(json, "part_number", number) || !number || *number < 1 ||
      *number > kMaxUploadParts) {
    return malformed("a part without a part_number from 1 to 10000");
  }
  if (!optional_count(json, "size_bytes", size) || !size) {
    return malformed("part " + std::to_string(*number) + " has no size_bytes");
  }
  if (!optional_string(json, "sha256", sha256) || !sha256) {
    return malformed("part " + std::to_string(*number) + " has no sha256");
  }
  return UploadPartInfo{
      .number = static_cast<std::uint32_t>(*number), .size = *size, .sha256 = *sha256};
}

Result<UploadSessionInfo> parse_upload_session(const boost::json::object& json) {
  UploadSessionInfo session;
  std::optional<std::string> id, state, storage_class;
  if (!optional_string(json, "upload_id", id) || !id || id->empty()) {
    return malformed("no upload_id");
  }
  session.id = *id;
  if (!optional_string(json, "state", state) ||
      !optional_string(json, "storage_class", storage_class) ||
      !optional_string(json, "namespace", session.ns) ||
      !optional_string(json, "key", session.key) ||
      !optional_count(json, "size_bytes", session.size) ||
      !optional_string(json, "sha256", session.sha256)) {
    return malformed("a field of upload " + session.id + " has the wrong type");
  }
  session.state = state.value_or("");
  session.storage_class = storage_class.value_or("");
  if (const boost::json::value* parts = json.if_contains("parts");
      parts != nullptr && !parts->is_null()) {
    if (!parts->is_array()) {
      return malformed("the parts of upload " + session.id + " are not an array");
    }
    for (const boost::json::value& part : parts->as_array()) {
      if (!part.is_object()) {
        return malformed("a part of upload " + session.id + " is not an object");
      }
      auto parsed = parse_upload_part(part.as_object());
      if (!parsed) {
        return std::move(parsed).error();
      }
      session.parts.push_back(*std::move(parsed));
    }
  }
  return session;
}

bool resumable_for(const UploadSessionInfo& session, const UploadTarget& target) {
  return session.state == "open" && session.sha256 == target.sha256 &&
         session.size == target.size && session.storage_class == target.storage_class &&
         session.ns == target.ns && session.key == target.key;
}

bool fits_layout(const PartLayout& layout, const std::vector<UploadPartInfo>& parts) {
  for (const UploadPartInfo& part : parts) {
    if (part.number < 1 || part.number > layout.count() ||
        part.size != layout.size_of(part.number)) {
      return false;
    }
  }
  return true;
}

std::optional<std::size_t> choose_session(const PartLayout& layout,
                                          const std::vector<UploadSessionInfo>& sessions) {
  std::optional<std::size_t> best;
  std::uint64_t best_bytes = 0;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    if (!fits_layout(layout, sessions[i].parts)) {
      continue;
    }
    std::uint64_t bytes = 0;
    for (const UploadPartInfo& part : sessions[i].parts) {
      bytes += part.size;
    }
    if (!best || bytes > best_bytes) {
      best = i;
      best_bytes = bytes;
    }
  }
  return best;
}

}  // namespace castor::client
