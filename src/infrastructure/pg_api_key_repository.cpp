#include "infrastructure/pg_api_key_repository.h"

#include <algorithm>

#include <pqxx/result>

#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

constexpr const char* kColumns =
    "id, secret_hash, tenant_id, scopes, description, created_by, castor_us(created_at), "
    "castor_us(expires_at), castor_us(revoked_at), castor_us(last_used_at), name, "
    "coalesce(array_to_string(namespaces, ' '), '')";

// Namespaces travel as one space-separated string (a namespace name has no spaces): '' for none.
std::string namespaces_text(const std::vector<Namespace>& namespaces) {
  std::string out;
  for (const Namespace& ns : namespaces) {
    if (!out.empty()) {
      out += ' ';
    }
    out += ns.str();
  }
  return out;
}

Result<std::vector<Namespace>> namespaces_of(std::string_view text) {
  std::vector<Namespace> out;
  while (!text.empty()) {
    const auto end = std::min(text.find(' '), text.size());
    auto ns = Namespace::parse(text.substr(0, end));
    if (!ns) {
      return Error{ErrorCode::kDataLoss, "api_keys row has a bad namespace"};
    }
    out.push_back(std::move(*ns));
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t to_us(Timestamp t) { return t.time_since_epoch().count(); }

std::optional<Timestamp> optional_time(const pqxx::field& f) {
  if (f.is_null()) {
    return std::nullopt;
  }
  return Timestamp(std::chrono::microseconds(f.as<std::int64_t>()));
}

Result<ApiKey> key_from_row(const pqxx::row& row) {
  std::optional<TenantId> tenant;
  if (!row[2].is_null()) {
    auto t = TenantId::parse(row[2].as<std::string>());
    if (!t) {
      return Error{ErrorCode::kDataLoss, "api_keys row has a bad tenant"};
    }
    tenant = std::move(*t);
  }
  auto scopes = Scopes::parse(row[3].as<std::string>());
  if (!scopes) {
    return Error{ErrorCode::kDataLoss, "api_keys row has bad scopes"};
  }
  auto namespaces = namespaces_of(row[11].as<std::string>());
  if (!namespaces) {
    return std::move(namespaces).error();
  }
  return ApiKey{.id = row[0].as<std::string>(),
                .secret_hash = row[1].as<std::string>(),
                .tenant = std::move(tenant),
                .scopes = *scopes,
                .description = row[4].as<std::string>(),
                .created_by = row[5].as<std::string>(),
                .created_at = *optional_time(row[6]),
                .expires_at = optional_time(row[7]),
                .revoked_at = optional_time(row[8]),
                .last_used_at = optional_time(row[9]),
                .name = row[10].as<std::string>(),
                .namespaces = std::move(*namespaces)};
}

std::optional<std::int64_t> optional_us(const std::optional<Timestamp>& t) {
  return t ? std::optional<std::int64_t>(to_us(*t)) : std::nullopt;
}

}  // namespace

void PgApiKeyRepository::prepare(pqxx::connection& conn) {
  conn.prepare("api_key_insert",
               "INSERT INTO api_keys (id, secret_hash, tenant_id, scopes, description, "
               "created_by, created_at, expires_at, name, namespaces) VALUES ($1, $2, $3, $4, "
               "$5, $6, castor_ts($7), castor_ts($8), $9, string_to_array(nullif($10, ''), ' '))");
  conn.prepare("api_key_find", std::string("SELECT ") + kColumns + " FROM api_keys WHERE id = $1");
  conn.prepare("api_key_find_for_update",
               std::string("SELECT ") + kColumns + " FROM api_keys WHERE id = $1 FOR UPDATE");
  conn.prepare("api_key_list",
               std::string("SELECT ") + kColumns + " FROM api_keys ORDER BY created_at DESC, id");
  conn.prepare("api_key_list_tenant", std::string("SELECT ") + kColumns +
                                          " FROM api_keys WHERE tenant_id = $1 "
                                          "ORDER BY created_at DESC, id");
  conn.prepare("api_key_update",
               "UPDATE api_keys SET scopes = $2, name = $3, description = $4, "
               "namespaces = string_to_array(nullif($5, ''), ' '), expires_at = castor_ts($6) "
               "WHERE id = $1");
  // Of two concurrent revocations, one updates the row; the other re-checks the condition after
  // the first commits and updates nothing.
  conn.prepare("api_key_revoke",
               "UPDATE api_keys SET revoked_at = castor_ts($2) "
               "WHERE id = $1 AND revoked_at IS NULL");
  conn.prepare("api_key_exists", "SELECT 1 FROM api_keys WHERE id = $1");
  conn.prepare("api_key_touch", "UPDATE api_keys SET last_used_at = castor_ts($2) WHERE id = $1");
}

Status PgApiKeyRepository::insert(const ApiKey& k) {
  return guarded([&]() -> Status {
    sql_.exec("api_key_insert", k.id, k.secret_hash,
              k.tenant ? std::optional<std::string>(k.tenant->str()) : std::nullopt,
              k.scopes.to_string(), k.description, k.created_by, to_us(k.created_at),
              optional_us(k.expires_at), k.name, namespaces_text(k.namespaces));
    return {};
  });
}

Result<ApiKey> PgApiKeyRepository::find_for_update(const std::string& id) {
  return guarded([&]() -> Result<ApiKey> {
    auto r = sql_.exec("api_key_find_for_update", id);
    if (r.empty()) {
      return not_found("no such API key");
    }
    return key_from_row(r[0]);
  });
}

Result<std::vector<ApiKey>> PgApiKeyRepository::list_tenant(const TenantId& tenant) {
  return guarded([&]() -> Result<std::vector<ApiKey>> {
    std::vector<ApiKey> keys;
    for (const auto& row : sql_.exec("api_key_list_tenant", tenant.str())) {
      auto key = key_from_row(row);
      if (!key) {
        return std::move(key).error();
      }
      keys.push_back(std::move(*key));
    }
    return keys;
  });
}

Status PgApiKeyRepository::update(const ApiKey& k) {
  return guarded([&]() -> Status {
    if (sql_.exec("api_key_update", k.id, k.scopes.to_string(), k.name, k.description,
                  namespaces_text(k.namespaces), optional_us(k.expires_at))
            .affected_rows() == 0) {
      return not_found("no such API key");
    }
    return {};
  });
}

Result<ApiKey> PgApiKeyRepository::find(const std::string& id) {
  return guarded([&]() -> Result<ApiKey> {
    auto r = sql_.exec("api_key_find", id);
    if (r.empty()) {
      return not_found("no such API key");
    }
    return key_from_row(r[0]);
  });
}

Result<std::vector<ApiKey>> PgApiKeyRepository::list() {
  return guarded([&]() -> Result<std::vector<ApiKey>> {
    std::vector<ApiKey> keys;
    for (const auto& row : sql_.exec("api_key_list")) {
      auto key = key_from_row(row);
      if (!key) {
        return std::move(key).error();
      }
      keys.push_back(std::move(*key));
    }
    return keys;
  });
}

Result<bool> PgApiKeyRepository::revoke(const std::string& id, Timestamp now) {
  return guarded([&]() -> Result<bool> {
    if (sql_.exec("api_key_revoke", id, to_us(now)).affected_rows() == 1) {
      return true;
    }
    if (sql_.exec("api_key_exists", id).empty()) {
      return not_found("no such API key");
    }
    return false;
  });
}

Status PgApiKeyRepository::touch(const std::string& id, Timestamp now) {
  return guarded([&]() -> Status {
    sql_.exec("api_key_touch", id, to_us(now));
    return {};
  });
}

}  // namespace castor
