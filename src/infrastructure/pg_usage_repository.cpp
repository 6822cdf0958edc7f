#include "infrastructure/pg_usage_repository.h"

#include <algorithm>
#include <string>

#include <pqxx/result>

#include "infrastructure/pg_arrays.h"
#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

// The quotas table's namespace column: '' (never a valid namespace) for the tenant as a whole.
std::string quota_namespace(const std::optional<Namespace>& ns) { return ns ? ns->str() : ""; }

std::optional<std::uint64_t> limit_param(const std::optional<std::uint64_t>& limit) {
  return limit;
}

std::uint64_t non_negative(const pqxx::field& f) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(0, f.as<std::int64_t>()));
}

// Rows of (storage_class, objects, logical_bytes, physical_bytes) into a Usage.
Usage usage_from(const pqxx::result& rows) {
  Usage usage;
  for (const auto& row : rows) {
    UsageFigures figures{.objects = non_negative(row[1]),
                         .logical_bytes = non_negative(row[2]),
                         .physical_bytes = non_negative(row[3])};
    (row[0].as<std::string>() == "cold" ? usage.cold : usage.hot) = figures;
    usage.total.objects += figures.objects;
    usage.total.logical_bytes += figures.logical_bytes;
    usage.total.physical_bytes += figures.physical_bytes;
  }
  return usage;
}

}  // namespace

void PgUsageRepository::prepare(pqxx::connection& conn) {
  // Through usage_counters' primary key: the shard rows of one namespace, or of one tenant.
  conn.prepare("usage_namespace",
               "SELECT storage_class, sum(objects)::bigint, sum(logical_bytes)::bigint, "
               "sum(physical_bytes)::bigint FROM usage_counters "
               "WHERE tenant_id = $1 AND namespace = $2 GROUP BY storage_class");
  conn.prepare("usage_tenant",
               "SELECT storage_class, sum(objects)::bigint, sum(logical_bytes)::bigint, "
               "sum(tenant_physical_bytes)::bigint FROM usage_counters "
               "WHERE tenant_id = $1 GROUP BY storage_class");
  // The catalog: names past the cursor with COMMITTED objects (counters summing to more than 0)
  // or a bucket row, in byte order, one page of them; then their counter rows (LEFT JOIN: a
  // bucket without objects has none). Names compare and sort COLLATE "C" (bytes), as the cursor.
  conn.prepare("catalog_tenants",
               "WITH named AS ("
               " SELECT tenant_id COLLATE \"C\" AS tenant_id FROM usage_counters"
               " WHERE tenant_id COLLATE \"C\" > $1 GROUP BY tenant_id HAVING sum(objects) > 0"
               " UNION SELECT DISTINCT tenant_id COLLATE \"C\" FROM buckets"
               " WHERE tenant_id COLLATE \"C\" > $1), "
               "page AS (SELECT tenant_id FROM named ORDER BY tenant_id LIMIT $2) "
               "SELECT p.tenant_id, coalesce(sum(u.objects), 0)::bigint, "
               "coalesce(sum(u.logical_bytes), 0)::bigint, "
               "coalesce(sum(u.tenant_physical_bytes), 0)::bigint "
               "FROM page p LEFT JOIN usage_counters u ON u.tenant_id = p.tenant_id "
               "GROUP BY p.tenant_id ORDER BY p.tenant_id");
  conn.prepare(
      "catalog_namespaces",
      "WITH named AS ("
      " SELECT namespace COLLATE \"C\" AS name FROM usage_counters"
      " WHERE tenant_id = $1 AND namespace COLLATE \"C\" > $2"
      " GROUP BY namespace HAVING sum(objects) > 0"
      " UNION SELECT name COLLATE \"C\" FROM buckets"
      " WHERE tenant_id = $1 AND name COLLATE \"C\" > $2), "
      "page AS (SELECT name FROM named"
      " WHERE $4::text[] IS NULL OR name = ANY($4::text[]) ORDER BY name LIMIT $3) "
      "SELECT p.name, u.storage_class, coalesce(sum(u.objects), 0)::bigint, "
      "coalesce(sum(u.logical_bytes), 0)::bigint, "
      "coalesce(sum(u.physical_bytes), 0)::bigint "
      "FROM page p LEFT JOIN usage_counters u ON u.tenant_id = $1 AND u.namespace = p.name "
      "GROUP BY p.name, u.storage_class ORDER BY p.name");
  conn.prepare("quota_find",
               "SELECT max_bytes, max_objects FROM quotas WHERE tenant_id = $1 AND namespace = $2");
  conn.prepare("quota_put",
               "INSERT INTO quotas (tenant_id, namespace, max_bytes, max_objects, updated_at) "
               "VALUES ($1, $2, $3, $4, castor_ts($5)) ON CONFLICT (tenant_id, namespace) "
               "DO UPDATE SET max_bytes = EXCLUDED.max_bytes, max_objects = EXCLUDED.max_objects, "
               "updated_at = EXCLUDED.updated_at");
  conn.prepare("quota_remove", "DELETE FROM quotas WHERE tenant_id = $1 AND namespace = $2");
  conn.prepare("quota_check", "SELECT castor_quota_check($1, $2, $3, $4, false)");
}

Result<Usage> PgUsageRepository::namespace_usage(const TenantId& tenant, const Namespace& ns) {
  return guarded([&]() -> Result<Usage> {
    return usage_from(sql_.exec("usage_namespace", tenant.str(), ns.str()));
  });
}

Result<Usage> PgUsageRepository::tenant_usage(const TenantId& tenant) {
  return guarded(
      [&]() -> Result<Usage> { return usage_from(sql_.exec("usage_tenant", tenant.str())); });
}

Result<std::vector<TenantUsage>> PgUsageRepository::list_tenants(const std::string& after,
                                                                 std::size_t limit) {
  return guarded([&]() -> Result<std::vector<TenantUsage>> {
    std::vector<TenantUsage> out;
    for (const auto& row : sql_.exec("catalog_tenants", after, static_cast<std::int64_t>(limit))) {
      auto tenant = TenantId::parse(row[0].as<std::string>());
      if (!tenant) {
        continue;  // not a name castor would have written: skip rather than fail the page
      }
      out.push_back({.tenant = std::move(*tenant),
                     .total = {.objects = non_negative(row[1]),
                               .logical_bytes = non_negative(row[2]),
                               .physical_bytes = non_negative(row[3])}});
    }
    return out;
  });
}

Result<std::vector<NamespaceUsage>> PgUsageRepository::list_namespaces(
    const TenantId& tenant, const std::string& after, std::size_t limit,
    const std::vector<Namespace>& only) {
  return guarded([&]() -> Result<std::vector<NamespaceUsage>> {
    std::optional<std::string> filter;
    if (!only.empty()) {
      PgArray names;
      for (const Namespace& ns : only) {
        names.add(ns.str());
      }
      filter = names.str();
    }
    std::vector<NamespaceUsage> out;
    for (const auto& row : sql_.exec("catalog_namespaces", tenant.str(), after,
                                     static_cast<std::int64_t>(limit), filter)) {
      auto ns = Namespace::parse(row[0].as<std::string>());
      if (!ns) {
        continue;  // not a name castor would have written
      }
      if (out.empty() || out.back().ns != *ns) {
        out.push_back({.ns = std::move(*ns), .usage = {}});
      }
      if (row[1].is_null()) {
        continue;  // a bucket without counter rows
      }
      Usage& usage = out.back().usage;
      UsageFigures figures{.objects = non_negative(row[2]),
                           .logical_bytes = non_negative(row[3]),
                           .physical_bytes = non_negative(row[4])};
      (row[1].as<std::string>() == "cold" ? usage.cold : usage.hot) = figures;
      usage.total.objects += figures.objects;
      usage.total.logical_bytes += figures.logical_bytes;
      usage.total.physical_bytes += figures.physical_bytes;
    }
    return out;
  });
}

Result<std::optional<Quota>> PgUsageRepository::find_quota(const TenantId& tenant,
                                                           const std::optional<Namespace>& ns) {
  return guarded([&]() -> Result<std::optional<Quota>> {
    auto r = sql_.exec("quota_find", tenant.str(), quota_namespace(ns));
    if (r.empty()) {
      return std::optional<Quota>();
    }
    Quota q;
    if (!r[0][0].is_null()) {
      q.max_bytes = r[0][0].as<std::uint64_t>();
    }
    if (!r[0][1].is_null()) {
      q.max_objects = r[0][1].as<std::uint64_t>();
    }
    return std::optional<Quota>(q);
  });
}

Status PgUsageRepository::put_quota(const TenantId& tenant, const std::optional<Namespace>& ns,
                                    const Quota& quota, Timestamp now) {
  if (!quota.limits_anything()) {
    auto removed = remove_quota(tenant, ns);
    if (!removed) {
      return std::move(removed).error();
    }
    return {};
  }
  return guarded([&]() -> Status {
    sql_.exec("quota_put", tenant.str(), quota_namespace(ns), limit_param(quota.max_bytes),
              limit_param(quota.max_objects), now.time_since_epoch().count());
    return {};
  });
}

Result<bool> PgUsageRepository::remove_quota(const TenantId& tenant,
                                             const std::optional<Namespace>& ns) {
  return guarded([&]() -> Result<bool> {
    return sql_.exec("quota_remove", tenant.str(), quota_namespace(ns)).affected_rows() > 0;
  });
}

Status PgUsageRepository::check_quota(const TenantId& tenant, const Namespace& ns,
                                      std::uint64_t objects, std::uint64_t bytes) {
  return guarded([&]() -> Status {
    sql_.exec("quota_check", tenant.str(), ns.str(), objects, bytes);
    return {};
  });
}

}  // namespace castor
