#include "api/json_views.h"

#include <boost/json.hpp>

#include "api/http_date.h"

namespace castor {
namespace {

boost::json::object to_json(const Object& o) {
  boost::json::object j;
  j["id"] = o.id().to_string();
  j["namespace"] = o.ns().str();
  j["tenant_id"] = o.tenant().str();
  j["key"] = o.key() ? boost::json::value(o.key()->str()) : boost::json::value(nullptr);
  j["status"] = to_string(o.status());
  j["storage_class"] = to_string(o.storage_class());
  j["content_hash"] = o.content_hash() ? boost::json::value(o.content_hash()->to_string())
                                       : boost::json::value(nullptr);
  j["size_bytes"] = o.size_bytes();
  j["content_type"] = o.content_type();
  j["created_at"] = http_params::rfc3339(o.created_at());
  j["updated_at"] = http_params::rfc3339(o.updated_at());
  return j;
}

}  // namespace

std::string object_json(const Object& object) { return boost::json::serialize(to_json(object)); }

std::string list_page_json(const ListObjects::Page& page) {
  boost::json::array objects;
  objects.reserve(page.objects.size());
  for (const Object& o : page.objects) {
    objects.push_back(to_json(o));
  }
  boost::json::object j;
  j["objects"] = std::move(objects);
  j["next_cursor"] =
      page.next_cursor ? boost::json::value(*page.next_cursor) : boost::json::value(nullptr);
  boost::json::array prefixes;
  for (const std::string& p : page.common_prefixes) {
    prefixes.emplace_back(p);
  }
  j["common_prefixes"] = std::move(prefixes);
  return boost::json::serialize(j);
}

std::string api_key_json(const ApiKey& key, std::optional<std::string> token) {
  auto when = [](const std::optional<Timestamp>& t) {
    return t ? boost::json::value(http_params::rfc3339(*t)) : boost::json::value(nullptr);
  };
  boost::json::object j;
  j["id"] = key.id;
  if (token) {
    j["key"] = *token;
  }
  j["tenant"] = key.tenant ? key.tenant->str() : "*";
  boost::json::array scopes;
  std::string names = key.scopes.to_string();
  for (std::size_t pos = 0; pos < names.size();) {
    const auto space = std::min(names.find(' ', pos), names.size());
    scopes.emplace_back(names.substr(pos, space - pos));
    pos = space + 1;
  }
  j["scopes"] = std::move(scopes);
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
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) {
    return invalid_argument("body must be a JSON object");
  }
  const boost::json::object& o = v.as_object();
  ApiKeyRequest r;
  const auto* tenant = o.if_contains("tenant");
  if (tenant == nullptr || !tenant->is_string()) {
    return invalid_argument("tenant (a tenant name or \"*\") is required");
  }
  if (tenant->as_string() != "*") {
    auto t = TenantId::parse(std::string_view(tenant->as_string()));
    if (!t) {
      return std::move(t).error();
    }
    r.tenant = std::move(*t);
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
  r.scopes = *parsed;
  if (const auto* d = o.if_contains("description")) {
    if (!d->is_string()) {
      return invalid_argument("description must be a string");
    }
    r.description = std::string(d->as_string());
  }
  if (const auto* e = o.if_contains("expires_at"); e != nullptr && !e->is_null()) {
    auto t = e->is_string() ? http_params::parse_rfc3339(std::string_view(e->as_string()))
                            : std::nullopt;
    if (!t) {
      return invalid_argument("expires_at must be an RFC 3339 time like 2027-01-31T00:00:00Z");
    }
    r.expires_at = *t;
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

std::string gc_report_json(const CollectGarbage::Report& r) {
  boost::json::object j;
  j["tombstoned_objects"] = r.tombstoned_objects;
  j["expired_writing_objects"] = r.expired_writing_objects;
  j["removed_temp_files"] = r.removed_temp_files;
  j["expired_uploads"] = r.expired_uploads;
  j["deleted_blobs"] = r.deleted_blobs;
  j["reclaimed_bytes"] = r.reclaimed_bytes;
  j["removed_orphan_files"] = r.removed_orphan_files;
  j["purged_tombstones"] = r.purged_tombstones;
  j["failed_items"] = r.failed_items;
  return boost::json::serialize(j);
}

}  // namespace castor
