#include "api/api_key_json.h"

#include <algorithm>

#include <boost/json.hpp>

#include "api/http_date.h"

namespace castor {
namespace {

// At most 100 years: further out overflows the clock (and PostgreSQL's timestamps).
constexpr std::int64_t kMaxExpiresIn = std::int64_t{100} * 366 * 86400;

boost::json::value when(const std::optional<Timestamp>& t) {
  return t ? boost::json::value(http_params::rfc3339(*t)) : boost::json::value(nullptr);
}

Result<Scopes> scopes_of(const boost::json::value* scopes) {
  std::string names;
  if (scopes != nullptr && scopes->is_string()) {
    names = std::string(scopes->as_string());
  } else if (scopes != nullptr && scopes->is_array()) {
    for (const auto& s : scopes->as_array()) {
      if (!s.is_string()) {
        return invalid_argument("scopes must be strings");
      }
      names.append(s.as_string().data(), s.as_string().size()).append(" ");
    }
  } else {
    return invalid_argument("scopes (a list of scope names) is required");
  }
  return Scopes::parse(names);
}

// A list of namespace names, or null (every namespace: an empty vector). An empty list is
// refused: it would read as "no namespace at all".
Result<std::vector<Namespace>> namespaces_of(const boost::json::value& v) {
  std::vector<Namespace> out;
  if (v.is_null()) {
    return out;
  }
  if (!v.is_array() || v.as_array().empty()) {
    return invalid_argument(
        "namespaces must be a non-empty list of namespace names, or null for every namespace");
  }
  for (const auto& n : v.as_array()) {
    if (!n.is_string()) {
      return invalid_argument("namespaces must be strings");
    }
    auto ns = Namespace::parse(std::string_view(n.as_string()));
    if (!ns) {
      return std::move(ns).error();
    }
    out.push_back(std::move(*ns));
  }
  return out;
}

Result<std::string> string_of(const boost::json::value& v, const char* field) {
  if (!v.is_string()) {
    return invalid_argument(std::string(field) + " must be a string");
  }
  return std::string(v.as_string());
}

Result<std::optional<Timestamp>> expires_at_of(const boost::json::value& e) {
  if (e.is_null()) {
    return std::optional<Timestamp>();
  }
  auto t =
      e.is_string() ? http_params::parse_rfc3339(std::string_view(e.as_string())) : std::nullopt;
  if (!t) {
    return invalid_argument("expires_at must be an RFC 3339 time like 2027-01-31T00:00:00Z");
  }
  return std::optional<Timestamp>(*t);
}

Result<std::chrono::seconds> expires_in_of(const boost::json::value& e) {
  if (!e.is_int64() || e.as_int64() <= 0 || e.as_int64() > kMaxExpiresIn) {
    return invalid_argument(
        "expires_in_seconds must be a whole number of seconds from 1 to 100 years");
  }
  return std::chrono::seconds(e.as_int64());
}

Result<boost::json::object> object_of(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) {
    return invalid_argument("body must be a JSON object");
  }
  return std::move(v.as_object());
}

}  // namespace

std::string api_key_json(const ApiKey& key, std::optional<std::string> token) {
  boost::json::object j;
  j["id"] = key.id;
  if (token) {
    j["key"] = *token;
  }
  j["name"] = key.name;
  j["tenant"] = key.tenant ? key.tenant->str() : "*";
  boost::json::array scopes;
  std::string names = key.scopes.to_string();
  for (std::size_t pos = 0; pos < names.size();) {
    const auto space = std::min(names.find(' ', pos), names.size());
    scopes.emplace_back(names.substr(pos, space - pos));
    pos = space + 1;
  }
  j["scopes"] = std::move(scopes);
  if (key.namespaces.empty()) {
    j["namespaces"] = nullptr;
  } else {
    boost::json::array namespaces;
    for (const Namespace& ns : key.namespaces) {
      namespaces.emplace_back(ns.str());
    }
    j["namespaces"] = std::move(namespaces);
  }
  j["description"] = key.description;
  j["created_by"] = key.created_by;
  j["created_at"] = http_params::rfc3339(key.created_at);
  j["expires_at"] = when(key.expires_at);
  j["revoked_at"] = when(key.revoked_at);
  j["last_used_at"] = when(key.last_used_at);
  return boost::json::serialize(j);
}

std::string api_key_list_json(const std::vector<ApiKey>& keys) {
  boost::json::array items;
  for (const ApiKey& k : keys) {
    items.push_back(boost::json::parse(api_key_json(k)));
  }
  boost::json::object j;
  j["api_keys"] = std::move(items);
  return boost::json::serialize(j);
}

Result<ApiKeyRequest> parse_api_key_request(std::string_view body) {
  auto parsed = object_of(body);
  if (!parsed) {
    return std::move(parsed).error();
  }
  const boost::json::object& o = *parsed;
  ApiKeyRequest r;
  if (const auto* tenant = o.if_contains("tenant"); tenant != nullptr && !tenant->is_null()) {
    if (!tenant->is_string()) {
      return invalid_argument("tenant must be a tenant name or \"*\"");
    }
    r.tenant_given = true;
    if (tenant->as_string() != "*") {
      auto t = TenantId::parse(std::string_view(tenant->as_string()));
      if (!t) {
        return std::move(t).error();
      }
      r.tenant = std::move(*t);
    }
  }
  auto scopes = scopes_of(o.if_contains("scopes"));
  if (!scopes) {
    return std::move(scopes).error();
  }
  r.scopes = *scopes;
  if (const auto* n = o.if_contains("namespaces")) {
    auto namespaces = namespaces_of(*n);
    if (!namespaces) {
      return std::move(namespaces).error();
    }
    r.namespaces = std::move(*namespaces);
  }
  for (auto [field, out] : {std::pair{"name", &r.name}, std::pair{"description", &r.description}}) {
    if (const auto* v = o.if_contains(field); v != nullptr && !v->is_null()) {
      auto text = string_of(*v, field);
      if (!text) {
        return std::move(text).error();
      }
      *out = std::move(*text);
    }
  }
  if (const auto* e = o.if_contains("expires_at"); e != nullptr && !e->is_null()) {
    auto t = expires_at_of(*e);
    if (!t) {
      return std::move(t).error();
    }
    r.expires_at = *t;
  }
  if (const auto* e = o.if_contains("expires_in_seconds"); e != nullptr && !e->is_null()) {
    auto in = expires_in_of(*e);
    if (!in) {
      return std::move(in).error();
    }
    r.expires_in = *in;
  }
  return r;
}

Result<ApiKeyPatch> parse_api_key_patch(std::string_view body) {
  auto parsed = object_of(body);
  if (!parsed) {
    return std::move(parsed).error();
  }
  ApiKeyPatch p;
  for (const auto& [name, v] : *parsed) {
    if (name == "scopes") {
      auto scopes = scopes_of(&v);
      if (!scopes) {
        return std::move(scopes).error();
      }
      p.scopes = *scopes;
    } else if (name == "namespaces") {
      auto namespaces = namespaces_of(v);
      if (!namespaces) {
        return std::move(namespaces).error();
      }
      p.namespaces = std::move(*namespaces);
    } else if (name == "name" || name == "description") {
      auto text = string_of(v, name == "name" ? "name" : "description");
      if (!text) {
        return std::move(text).error();
      }
      (name == "name" ? p.name : p.description) = std::move(*text);
    } else if (name == "expires_at") {
      auto t = expires_at_of(v);
      if (!t) {
        return std::move(t).error();
      }
      p.expires_at = *t;
    } else if (name == "expires_in_seconds") {
      auto in = expires_in_of(v);
      if (!in) {
        return std::move(in).error();
      }
      p.expires_in = *in;
    } else {
      return invalid_argument("unknown field '" + std::string(name) +
                              "' (scopes, namespaces, name, description, expires_at, "
                              "expires_in_seconds)");
    }
  }
  if (p.expires_at && p.expires_in) {
    return invalid_argument("give expires_at or expires_in_seconds, not both");
  }
  return p;
}

}  // namespace castor
