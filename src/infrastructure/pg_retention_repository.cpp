#include "infrastructure/pg_retention_repository.h"

#include <string>

#include "infrastructure/pg_errors.h"

namespace castor {

void PgRetentionRepository::prepare(pqxx::connection& conn) {
  const std::string find =
      "SELECT mode, default_retention_days, allow_overwrite FROM namespace_retention "
      "WHERE tenant_id = $1 AND namespace = $2";
  conn.prepare("retention_ns_find", find);
  conn.prepare("retention_ns_find_for_update", find + " FOR UPDATE");
  conn.prepare("retention_ns_insert",
               "INSERT INTO namespace_retention (tenant_id, namespace, mode, "
               "default_retention_days, allow_overwrite, updated_at) "
               "VALUES ($1, $2, $3, $4, $5, castor_ts($6))");
  conn.prepare("retention_ns_update",
               "UPDATE namespace_retention SET mode = $3, default_retention_days = $4, "
               "allow_overwrite = $5, updated_at = castor_ts($6) "
               "WHERE tenant_id = $1 AND namespace = $2");
  conn.prepare("retention_ns_remove",
               "DELETE FROM namespace_retention WHERE tenant_id = $1 AND namespace = $2");
  conn.prepare("retention_object_update",
               "UPDATE objects SET retain_until = castor_ts($2), retention_mode = $3, "
               "legal_hold = $4 WHERE id = $1::uuid");
}

Result<std::optional<NamespaceRetention>> PgRetentionRepository::find_namespace(
    const TenantId& tenant, const Namespace& ns, bool for_update) {
  return guarded([&]() -> Result<std::optional<NamespaceRetention>> {
    auto rows = sql_.exec(for_update ? "retention_ns_find_for_update" : "retention_ns_find",
                          tenant.str(), ns.str());
    if (rows.empty()) {
      return std::optional<NamespaceRetention>();
    }
    auto mode = parse_retention_mode(rows[0][0].as<std::string>());
    if (!mode) {
      return Error{ErrorCode::kDataLoss, "namespace_retention row has a bad mode"};
    }
    return std::optional<NamespaceRetention>(
        NamespaceRetention{.mode = *mode,
                           .default_retention_days = rows[0][1].as<std::uint32_t>(),
                           .allow_overwrite = rows[0][2].as<bool>()});
  });
}

Status PgRetentionRepository::insert_namespace(const TenantId& tenant, const Namespace& ns,
                                               const NamespaceRetention& config, Timestamp now) {
  return guarded([&]() -> Status {
    sql_.exec("retention_ns_insert", tenant.str(), ns.str(), std::string(to_string(config.mode)),
              config.default_retention_days, config.allow_overwrite,
              now.time_since_epoch().count());
    return {};
  });
}

Status PgRetentionRepository::update_namespace(const TenantId& tenant, const Namespace& ns,
                                               const NamespaceRetention& config, Timestamp now) {
  return guarded([&]() -> Status {
    auto r = sql_.exec("retention_ns_update", tenant.str(), ns.str(),
                       std::string(to_string(config.mode)), config.default_retention_days,
                       config.allow_overwrite, now.time_since_epoch().count());
    if (r.affected_rows() != 1) {
      return not_found("namespace " + ns.str() + " of tenant " + tenant.str() +
                       " has no retention configuration");
    }
    return {};
  });
}

Status PgRetentionRepository::remove_namespace(const TenantId& tenant, const Namespace& ns) {
  return guarded([&]() -> Status {
    sql_.exec("retention_ns_remove", tenant.str(), ns.str());
    return {};
  });
}

Status PgRetentionRepository::update_object_lock(const Object& o) {
  std::optional<std::int64_t> until;
  std::optional<std::string> mode;
  if (o.retention()) {
    until = o.retention()->retain_until.time_since_epoch().count();
    mode = std::string(to_string(o.retention()->mode));
  }
  return guarded([&]() -> Status {
    auto r = sql_.exec("retention_object_update", o.id().to_string(), until, mode, o.legal_hold());
    if (r.affected_rows() != 1) {
      return not_found("object " + o.id().to_string() + " is gone");
    }
    return {};
  });
}

}  // namespace castor
