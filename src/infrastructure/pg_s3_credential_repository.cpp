#include "infrastructure/pg_s3_credential_repository.h"

#include <algorithm>

#include <pqxx/result>

#include "domain/hex.h"
#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

constexpr const char* kColumns =
    "access_key_id, tenant_id, scopes, description, created_by, castor_us(created_at), "
    "castor_us(expires_at), castor_us(revoked_at), castor_us(last_used_at), "
    "encode(sealed_secret, 'hex'), coalesce(array_to_string(namespaces, ' '), '')";

std::int64_t to_us(Timestamp t) { return t.time_since_epoch().count(); }

std::optional<Timestamp> optional_time(const pqxx::field& f) {
  if (f.is_null()) {
    return std::nullopt;
  }
  return Timestamp(std::chrono::microseconds(f.as<std::int64_t>()));
}

std::optional<std::int64_t> optional_us(const std::optional<Timestamp>& t) {
  return t ? std::optional<std::int64_t>(to_us(*t)) : std::nullopt;
}

// Space-separated (a namespace name has no spaces); '' for every namespace (NULL in the row).
std::string namespaces_text(const std::vector<Namespace>& namespaces) {
  std::string out;
  for (const Namespace& ns : namespaces) {
    out += (out.empty() ? "" : " ") + ns.str();
  }
  return out;
}

Error bad_row(std::string_view what) {
  return {ErrorCode::kDataLoss, "s3_credentials row has " + std::string(what)};
}

Result<S3Credential> credential_from_row(const pqxx::row& row) {
  auto tenant = TenantId::parse(row[1].as<std::string>());
  if (!tenant) {
    return bad_row("a bad tenant");
  }
  auto scopes = Scopes::parse(row[2].as<std::string>());
  if (!scopes) {
    return bad_row("bad scopes");
  }
  const std::string hex = row[9].as<std::string>();
  std::string sealed(hex.size() / 2, '\0');
  if (!from_hex(hex, std::span(reinterpret_cast<std::uint8_t*>(sealed.data()), sealed.size()))) {
    return bad_row("a bad sealed secret");
  }
  std::vector<Namespace> namespaces;
  const std::string listed = row[10].as<std::string>();
  for (std::size_t pos = 0; pos < listed.size();) {
    const auto end = std::min(listed.find(' ', pos), listed.size());
    auto ns = Namespace::parse(std::string_view(listed).substr(pos, end - pos));
    if (!ns) {
      return bad_row("a bad namespace");
    }
    namespaces.push_back(std::move(*ns));
    pos = end + 1;
  }
  std::sort(namespaces.begin(), namespaces.end());
  return S3Credential{.access_key_id = row[0].as<std::string>(),
                      .tenant = std::move(*tenant),
                      .scopes = *scopes,
                      .description = row[3].as<std::string>(),
                      .created_by = row[4].as<std::string>(),
                      .created_at = *optional_time(row[5]),
                      .expires_at = optional_time(row[6]),
                      .revoked_at = optional_time(row[7]),
                      .last_used_at = optional_time(row[8]),
                      .sealed_secret = std::move(sealed),
                      .namespaces = std::move(namespaces)};
}

}  // namespace

void PgS3CredentialRepository::prepare(pqxx::connection& conn) {
  conn.prepare("s3_credential_insert",
               "INSERT INTO s3_credentials (access_key_id, tenant_id, scopes, description, "
               "created_by, created_at, expires_at, sealed_secret, namespaces) VALUES ($1, $2, $3, "
               "$4, $5, castor_ts($6), castor_ts($7), decode($8, 'hex'), "
               "string_to_array(nullif($9, ''), ' '))");
  conn.prepare("s3_credential_find",
               std::string("SELECT ") + kColumns + " FROM s3_credentials WHERE access_key_id = $1");
  conn.prepare("s3_credential_list", std::string("SELECT ") + kColumns +
                                         " FROM s3_credentials ORDER BY created_at DESC, "
                                         "access_key_id");
  // Of two concurrent revocations, one updates the row; the other re-checks the condition after
  // the first commits and updates nothing.
  conn.prepare("s3_credential_revoke",
               "UPDATE s3_credentials SET revoked_at = castor_ts($2) "
               "WHERE access_key_id = $1 AND revoked_at IS NULL");
  conn.prepare("s3_credential_exists", "SELECT 1 FROM s3_credentials WHERE access_key_id = $1");
  conn.prepare("s3_credential_touch",
               "UPDATE s3_credentials SET last_used_at = castor_ts($2) WHERE access_key_id = $1");
}

Status PgS3CredentialRepository::insert(const S3Credential& c) {
  return guarded([&]() -> Status {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(c.sealed_secret.data());
    sql_.exec("s3_credential_insert", c.access_key_id, c.tenant.str(), c.scopes.to_string(),
              c.description, c.created_by, to_us(c.created_at), optional_us(c.expires_at),
              to_hex(std::span(bytes, c.sealed_secret.size())), namespaces_text(c.namespaces));
    return {};
  });
}

Result<S3Credential> PgS3CredentialRepository::find(const std::string& access_key_id) {
  return guarded([&]() -> Result<S3Credential> {
    auto r = sql_.exec("s3_credential_find", access_key_id);
    if (r.empty()) {
      return not_found("no such S3 credential");
    }
    return credential_from_row(r[0]);
  });
}

Result<std::vector<S3Credential>> PgS3CredentialRepository::list() {
  return guarded([&]() -> Result<std::vector<S3Credential>> {
    std::vector<S3Credential> all;
    for (const auto& row : sql_.exec("s3_credential_list")) {
      auto c = credential_from_row(row);
      if (!c) {
        return std::move(c).error();
      }
      all.push_back(std::move(*c));
    }
    return all;
  });
}

Result<bool> PgS3CredentialRepository::revoke(const std::string& access_key_id, Timestamp now) {
  return guarded([&]() -> Result<bool> {
    if (sql_.exec("s3_credential_revoke", access_key_id, to_us(now)).affected_rows() == 1) {
      return true;
    }
    if (sql_.exec("s3_credential_exists", access_key_id).empty()) {
      return not_found("no such S3 credential");
    }
    return false;
  });
}

Status PgS3CredentialRepository::touch(const std::string& access_key_id, Timestamp now) {
  return guarded([&]() -> Status {
    sql_.exec("s3_credential_touch", access_key_id, to_us(now));
    return {};
  });
}

}  // namespace castor
