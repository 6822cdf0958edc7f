#include "api/s3_credential_json.h"

#include <boost/json.hpp>

#include "api/http_date.h"

namespace castor {
namespace {

boost::json::value when(const std::optional<Timestamp>& t) {
  return t ? boost::json::value(http_params::rfc3339(*t)) : boost::json::value(nullptr);
}

boost::json::object credential_object(const S3Credential& c,
                                      std::optional<std::string_view> secret_key) {
  boost::json::object j;
  j["access_key_id"] = c.access_key_id;
  if (secret_key) {
    j["secret_access_key"] = *secret_key;
  }
  j["tenant_id"] = c.tenant.str();
  boost::json::array scopes;
  const std::string names = c.scopes.to_string();
  for (std::size_t pos = 0; pos < names.size();) {
    const auto space = std::min(names.find(' ', pos), names.size());
    scopes.emplace_back(names.substr(pos, space - pos));
    pos = space + 1;
  }
  j["scopes"] = std::move(scopes);
  if (c.namespaces.empty()) {
    j["namespaces"] = nullptr;
  } else {
    boost::json::array namespaces;
    for (const Namespace& ns : c.namespaces) {
      namespaces.emplace_back(ns.str());
    }
    j["namespaces"] = std::move(namespaces);
  }
  j["description"] = c.description;
  j["created_by"] = c.created_by;
  j["created_at"] = http_params::rfc3339(c.created_at);
  j["expires_at"] = when(c.expires_at);
  j["revoked_at"] = when(c.revoked_at);
  j["last_used_at"] = when(c.last_used_at);
  return j;
}

}  // namespace

std::string s3_credential_json(const S3Credential& credential,
                               std::optional<std::string_view> secret_key) {
  return boost::json::serialize(credential_object(credential, secret_key));
}

std::string s3_credential_list_json(const std::vector<S3Credential>& credentials) {
  boost::json::array items;
  for (const S3Credential& c : credentials) {
    items.push_back(credential_object(c, std::nullopt));
  }
  boost::json::object j;
  j["credentials"] = std::move(items);
  return boost::json::serialize(j);
}

Result<S3CredentialRequest> parse_s3_credential_request(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) {
    return invalid_argument("body must be a JSON object");
  }
  const boost::json::object& o = v.as_object();
  const auto* tenant = o.if_contains("tenant_id");
  if (tenant == nullptr || !tenant->is_string()) {
    return invalid_argument("tenant_id (one tenant) is required");
  }
  if (tenant->as_string() == "*") {
    return invalid_argument("an S3 credential is bound to one tenant: tenant_id cannot be \"*\"");
  }
  auto t = TenantId::parse(std::string_view(tenant->as_string()));
  if (!t) {
    return std::move(t).error();
  }
  const auto* scopes = o.if_contains("scopes");
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
  auto parsed = Scopes::parse(names);
  if (!parsed) {
    return std::move(parsed).error();
  }
  S3CredentialRequest r{std::move(*t), *parsed, {}, std::nullopt, {}};
  if (const auto* n = o.if_contains("namespaces"); n != nullptr && !n->is_null()) {
    if (!n->is_array() || n->as_array().empty()) {
      return invalid_argument(
          "namespaces must be a non-empty list of namespace names, or null for every namespace");
    }
    for (const auto& v : n->as_array()) {
      auto ns = v.is_string() ? Namespace::parse(std::string_view(v.as_string()))
                              : Result<Namespace>(invalid_argument("namespaces must be strings"));
      if (!ns) {
        return std::move(ns).error();
      }
      r.namespaces.push_back(std::move(*ns));
    }
  }
  if (const auto* d = o.if_contains("description"); d != nullptr && !d->is_null()) {
    if (!d->is_string()) {
      return invalid_argument("description must be a string");
    }
    r.description = std::string(d->as_string());
  }
  if (const auto* e = o.if_contains("expires_in_seconds"); e != nullptr && !e->is_null()) {
    // At most 100 years: further out overflows the clock (and PostgreSQL's timestamps).
    constexpr std::int64_t kMaxExpiresIn = std::int64_t{100} * 366 * 86400;
    if (!e->is_int64() || e->as_int64() <= 0 || e->as_int64() > kMaxExpiresIn) {
      return invalid_argument(
          "expires_in_seconds must be a whole number of seconds from 1 to 100 years");
    }
    r.expires_in = std::chrono::seconds(e->as_int64());
  }
  return r;
}

}  // namespace castor
