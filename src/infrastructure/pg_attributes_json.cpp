#include "infrastructure/pg_attributes_json.h"

#include <algorithm>
#include <iterator>

#include <boost/json.hpp>

#include "domain/json_text.h"

namespace castor {
namespace {

boost::json::object to_object(const ObjectAttributes::Pairs& pairs) {
  boost::json::object o;
  for (const auto& [name, value] : pairs) {
    o[name] = value;
  }
  return o;
}

bool from_object(const boost::json::value* v, ObjectAttributes::Pairs& out) {
  if (v == nullptr) {
    return true;
  }
  const auto* o = v->if_object();
  if (o == nullptr) {
    return false;
  }
  for (const auto& member : *o) {
    const auto* s = member.value().if_string();
    if (s == nullptr) {
      return false;
    }
    out.emplace_back(std::string(member.key()), std::string(*s));
  }
  return true;
}

std::size_t header_rank(std::string_view name) {
  const auto* it = std::find(std::begin(kStoredHeaders), std::end(kStoredHeaders), name);
  return static_cast<std::size_t>(it - std::begin(kStoredHeaders));
}

}  // namespace

AttributesJson attributes_to_json(const ObjectAttributes& attributes) {
  boost::json::object rest;
  if (!attributes.headers.empty()) {
    rest["headers"] = to_object(attributes.headers);
  }
  if (!attributes.checksums.empty()) {
    rest["checksums"] = to_object(attributes.checksums);
  }
  return {attributes.metadata_json(), boost::json::serialize(rest)};
}

Result<ObjectAttributes> attributes_from_json(std::string_view metadata,
                                              std::string_view attributes) {
  auto corrupt = [] { return Error{ErrorCode::kDataLoss, "stored object metadata is not valid"}; };
  auto members = json_text::object_members(metadata);
  if (!members) {
    return corrupt();
  }
  boost::system::error_code ec;
  auto a = boost::json::parse(attributes, ec);
  if (ec || !a.is_object()) {
    return corrupt();
  }
  ObjectAttributes out;
  out.metadata = std::move(*members);  // sorted by name
  if (!from_object(a.as_object().if_contains("headers"), out.headers) ||
      !from_object(a.as_object().if_contains("checksums"), out.checksums)) {
    return corrupt();
  }
  std::sort(out.checksums.begin(), out.checksums.end());
  std::sort(out.headers.begin(), out.headers.end(), [](const auto& x, const auto& y) {
    return header_rank(x.first) < header_rank(y.first);
  });
  return out;
}

}  // namespace castor
