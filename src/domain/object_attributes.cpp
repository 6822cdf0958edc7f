#include "domain/object_attributes.h"

#include <algorithm>

#include "domain/json_text.h"

namespace castor {

std::optional<std::string_view> ObjectAttributes::find(const Pairs& pairs, std::string_view name) {
  for (const auto& [n, v] : pairs) {
    if (n == name) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

std::size_t ObjectAttributes::metadata_bytes() const {
  std::size_t total = 0;
  for (const auto& [n, v] : metadata) {
    const auto s = json_text::unquote(v);
    total += n.size() + (s ? s->size() : v.size());
  }
  return total;
}

std::string ObjectAttributes::metadata_json() const { return json_text::object_text(metadata); }

namespace {

constexpr std::size_t kMaxHeaderValueBytes = 8192;

bool has_control(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

Status check_pairs(const ObjectAttributes::Pairs& pairs, std::string_view what) {
  for (const auto& [n, v] : pairs) {
    if (n.empty() || v.size() > kMaxHeaderValueBytes || has_control(n) || has_control(v)) {
      return invalid_argument(std::string(what) + " '" + n.substr(0, 64) +
                              "' is empty, too long or not printable");
    }
  }
  return {};
}

// RFC 7396 MergePatch(target, patch) where `patch` is an object's members.
ObjectAttributes::Pairs merge(const ObjectAttributes::Pairs& target,
                              const ObjectAttributes::Pairs& patch) {
  ObjectAttributes::Pairs out;
  auto t = target.begin();
  auto p = patch.begin();
  while (t != target.end() || p != patch.end()) {
    if (p == patch.end() || (t != target.end() && t->first < p->first)) {
      out.push_back(*t++);
      continue;
    }
    const bool in_target = t != target.end() && t->first == p->first;
    const std::string& value = p->second;
    if (value == "null") {
      // removed
    } else if (value.front() == '{') {
      ObjectAttributes::Pairs nested_target;
      if (in_target && t->second.front() == '{') {
        if (auto m = json_text::object_members(t->second)) {
          nested_target = std::move(*m);
        }
      }
      ObjectAttributes::Pairs nested_patch;
      if (auto m = json_text::object_members(value)) {
        nested_patch = std::move(*m);
      }
      out.emplace_back(p->first, json_text::object_text(merge(nested_target, nested_patch)));
    } else {
      out.emplace_back(p->first, value);
    }
    if (in_target) {
      ++t;
    }
    ++p;
  }
  return out;
}

}  // namespace

Status check_attributes(const ObjectAttributes& attributes) {
  if (attributes.metadata_json().size() > kMaxMetadataJsonBytes) {
    return Error{
        ErrorCode::kInvalidArgument,
        "user metadata is over " + std::to_string(kMaxMetadataJsonBytes) + " bytes of JSON",
        "metadata_too_large"};
  }
  // Metadata values are canonical JSON text (escaped, bounded by the object limit above): only the
  // names need a check here.
  for (const auto& [n, v] : attributes.metadata) {
    if (n.empty() || has_control(n)) {
      return invalid_argument("metadata name '" + n.substr(0, 64) + "' is empty or not printable");
    }
  }
  return check_pairs(attributes.headers, "header");
}

Status check_metadata_name(std::string_view name) {
  const bool ok = !name.empty() && name.size() <= kMaxMetadataNameBytes &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                  });
  if (!ok) {
    return Error{ErrorCode::kInvalidArgument,
                 "metadata name '" + std::string(name.substr(0, 64)) + "' must be 1 to " +
                     std::to_string(kMaxMetadataNameBytes) + " bytes of a-z, 0-9, '-' and '_'",
                 "invalid_metadata"};
  }
  return {};
}

Result<ObjectAttributes::Pairs> parse_metadata_object(std::string_view json, bool patch) {
  auto members = json_text::object_members(json);
  if (!members) {
    return Error{ErrorCode::kInvalidArgument,
                 "metadata must be a JSON object: " + members.error().message, "invalid_metadata"};
  }
  for (const auto& [name, value] : *members) {
    if (!patch || value != "null") {
      if (auto s = check_metadata_name(name); !s) {
        return std::move(s).error();
      }
    }
  }
  if (json_text::object_text(*members).size() > kMaxMetadataJsonBytes) {
    return Error{ErrorCode::kInvalidArgument,
                 "metadata is over " + std::to_string(kMaxMetadataJsonBytes) + " bytes of JSON",
                 "metadata_too_large"};
  }
  return std::move(*members);
}

std::string metadata_header_value(std::string_view json) {
  if (auto s = json_text::unquote(json); s && !has_control(*s)) {
    return std::move(*s);
  }
  return std::string(json);
}

ObjectAttributes::Pairs patch_metadata(const ObjectAttributes::Pairs& current,
                                       const ObjectAttributes::Pairs& patch, MetadataMode mode) {
  if (mode == MetadataMode::kReplace) {
    return merge({}, patch);
  }
  return merge(current, patch);
}

}  // namespace castor
