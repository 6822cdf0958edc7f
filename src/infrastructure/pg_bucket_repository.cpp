#include "infrastructure/pg_bucket_repository.h"

#include <cstdint>
#include <string>

#include <pqxx/result>

#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

// Attempts of ensure() when a concurrent DeleteBucket removes the row between its insert and its
// lock (each attempt waits for that DeleteBucket to end, so a second one rarely fails again).
constexpr int kEnsureAttempts = 3;

constexpr const char* kColumns = "name, tenant_id, castor_us(created_at)";

std::string select_where(const std::string& condition) {
  return std::string("SELECT ") + kColumns + " FROM buckets WHERE " + condition;
}

std::int64_t to_us(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp from_us(std::int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

Result<Bucket> bucket_from_row(const pqxx::row& row) {
  auto name = Namespace::parse(row[0].as<std::string>());
  auto tenant = TenantId::parse(row[1].as<std::string>());
  if (!name || !tenant) {
    return Error{ErrorCode::kDataLoss, "buckets row: bad name or tenant"};
  }
  return Bucket{std::move(*name), std::move(*tenant), from_us(row[2].as<std::int64_t>())};
}

Result<Bucket> single(const pqxx::result& rows, const Namespace& name) {
  if (rows.empty()) {
    return not_found("no bucket " + name.str());
  }
  return bucket_from_row(rows[0]);
}

}  // namespace

void PgBucketRepository::prepare(pqxx::connection& conn) {
  conn.prepare("bucket_insert",
               "INSERT INTO buckets (tenant_id, name, created_at) VALUES ($1, $2, castor_ts($3))");
  conn.prepare("bucket_insert_missing",
               "INSERT INTO buckets (tenant_id, name, created_at) VALUES ($1, $2, castor_ts($3)) "
               "ON CONFLICT (tenant_id, name) DO NOTHING");
  const std::string by_name = "tenant_id = $1 AND name = $2";
  conn.prepare("bucket_find", select_where(by_name));
  conn.prepare("bucket_find_for_update", select_where(by_name + " FOR UPDATE"));
  conn.prepare("bucket_find_for_key_share", select_where(by_name + " FOR KEY SHARE"));
  // Through the primary key: the tenant's names from $3 on. starts_with() narrows to the prefix;
  // a tenant has few enough buckets that reading past the prefix's range costs little.
  conn.prepare("bucket_list", select_where("tenant_id = $1 AND name > $2 AND name >= $3 AND "
                                           "starts_with(name, $3) ORDER BY name LIMIT $4"));
  conn.prepare("bucket_remove", "DELETE FROM buckets WHERE tenant_id = $1 AND name = $2");
}

Status PgBucketRepository::insert(const Bucket& b) {
  return guarded([&]() -> Status {
    sql_.exec("bucket_insert", b.tenant.str(), b.name.str(), to_us(b.created_at));
    return {};
  });
}

Result<Bucket> PgBucketRepository::find(const Namespace& name, const TenantId& tenant,
                                        bool for_update) {
  return guarded([&]() -> Result<Bucket> {
    return single(
        sql_.exec(for_update ? "bucket_find_for_update" : "bucket_find", tenant.str(), name.str()),
        name);
  });
}

Result<Bucket> PgBucketRepository::ensure(const Namespace& name, const TenantId& tenant,
                                          Timestamp now) {
  return guarded([&]() -> Result<Bucket> {
    for (int attempt = 0; attempt < kEnsureAttempts; ++attempt) {
      sql_.exec("bucket_insert_missing", tenant.str(), name.str(), to_us(now));
      // Under READ COMMITTED the lock waits for a DeleteBucket holding the row FOR UPDATE, then
      // finds no row if it deleted it: insert again.
      auto rows = sql_.exec("bucket_find_for_key_share", tenant.str(), name.str());
      if (!rows.empty()) {
        return bucket_from_row(rows[0]);
      }
    }
    return Error{ErrorCode::kAborted, "bucket " + name.str() + " keeps being deleted; retry"};
  });
}

Result<Bucket> PgBucketRepository::require(const Namespace& name, const TenantId& tenant) {
  return guarded([&]() -> Result<Bucket> {
    return single(sql_.exec("bucket_find_for_key_share", tenant.str(), name.str()), name);
  });
}

Result<std::vector<Bucket>> PgBucketRepository::list(const BucketQuery& q) {
  return guarded([&]() -> Result<std::vector<Bucket>> {
    std::vector<Bucket> buckets;
    for (const auto& row : sql_.exec("bucket_list", q.tenant.str(), q.after, q.prefix, q.limit)) {
      auto bucket = bucket_from_row(row);
      if (!bucket) {
        return std::move(bucket).error();
      }
      buckets.push_back(std::move(*bucket));
    }
    return buckets;
  });
}

Status PgBucketRepository::remove(const Namespace& name, const TenantId& tenant) {
  return guarded([&]() -> Status {
    if (sql_.exec("bucket_remove", tenant.str(), name.str()).affected_rows() != 1) {
      return not_found("no bucket " + name.str());
    }
    return {};
  });
}

}  // namespace castor
