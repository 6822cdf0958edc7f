#include "infrastructure/pg_bundle_repository.h"

#include <string>

#include <pqxx/result>

#include "infrastructure/pg_arrays.h"
#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

std::int64_t to_us(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp from_us(std::int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

constexpr const char* kSummaryColumns =
    "id::text, tenant_id, storage_class, castor_us(created_at), merkle_root, file_count, "
    "total_bytes";

// A summary from a row of kSummaryColumns. DataLoss if the row is malformed.
Result<BundleSummary> summary_from(const pqxx::row& row) {
  auto id = BundleId::parse(row[0].as<std::string>());
  auto tenant = TenantId::parse(row[1].as<std::string>());
  auto storage_class = parse_storage_class(row[2].as<std::string>());
  if (!id || !tenant || !storage_class) {
    return Error{ErrorCode::kDataLoss, "malformed bundles row"};
  }
  return BundleSummary{.id = *id,
                       .tenant = *tenant,
                       .storage_class = *storage_class,
                       .created_at = from_us(row[3].as<std::int64_t>()),
                       .merkle_root = row[4].as<std::string>(),
                       .file_count = row[5].as<std::uint64_t>(),
                       .total_bytes = row[6].as<std::uint64_t>()};
}

}  // namespace

void PgBundleRepository::prepare(pqxx::connection& conn) {
  conn.prepare("bundle_insert",
               "INSERT INTO bundles (id, tenant_id, storage_class, created_at, merkle_root, "
               "file_count, total_bytes, metadata) VALUES ($1::uuid, $2, $3, castor_ts($4), $5, "
               "$6, $7, NULLIF($8, '')::jsonb)");
  conn.prepare("bundle_insert_files",
               "INSERT INTO bundle_files (bundle_id, path, content_hash, size_bytes, mode) "
               "SELECT $1::uuid, u.p, u.h, u.s, u.m FROM "
               "unnest($2::text[], $3::text[], $4::bigint[], $5::integer[]) AS u(p, h, s, m)");
  // Through bundles_listing, newest first.
  conn.prepare("bundle_list", std::string("SELECT ") + kSummaryColumns +
                                  " FROM bundles WHERE tenant_id = $1 "
                                  "ORDER BY created_at DESC, id DESC LIMIT $2");
  conn.prepare("bundle_list_after",
               std::string("SELECT ") + kSummaryColumns +
                   " FROM bundles WHERE tenant_id = $1 AND (created_at, id) < "
                   "(castor_ts($2), $3::uuid) ORDER BY created_at DESC, id DESC LIMIT $4");
  conn.prepare("bundle_find", std::string("SELECT ") + kSummaryColumns +
                                  ", COALESCE(metadata::text, '') FROM bundles "
                                  "WHERE id = $1::uuid AND tenant_id = $2");
  conn.prepare("bundle_files",
               "SELECT path, content_hash, size_bytes, mode FROM bundle_files "
               "WHERE bundle_id = $1::uuid ORDER BY path");
  conn.prepare("bundle_lock",
               "SELECT storage_class FROM bundles WHERE id = $1::uuid AND tenant_id = $2 "
               "FOR UPDATE");
  conn.prepare("bundle_references",
               "SELECT content_hash, count(*) FROM bundle_files WHERE bundle_id = $1::uuid "
               "GROUP BY content_hash ORDER BY content_hash COLLATE \"C\"");
  // Its files go with it (ON DELETE CASCADE).
  conn.prepare("bundle_remove", "DELETE FROM bundles WHERE id = $1::uuid");
}

Status PgBundleRepository::insert(const BundleSummary& summary, const std::string& metadata,
                                  const std::vector<BundleFile>& files) {
  return guarded([&]() -> Status {
    const std::string id = summary.id.to_string();
    sql_.exec("bundle_insert", id, summary.tenant.str(),
              std::string(to_string(summary.storage_class)), to_us(summary.created_at),
              summary.merkle_root, summary.file_count, summary.total_bytes, metadata);
    // Batches bound the size of one statement's parameters.
    constexpr std::size_t kBatch = 10'000;
    for (std::size_t start = 0; start < files.size(); start += kBatch) {
      PgArray paths, hashes, sizes, modes;
      for (std::size_t i = start; i < files.size() && i < start + kBatch; ++i) {
        paths.add(files[i].path);
        hashes.add(files[i].hash.hex());
        sizes.add(files[i].size_bytes);
        modes.add(std::uint64_t{files[i].mode});
      }
      sql_.exec("bundle_insert_files", id, paths.str(), hashes.str(), sizes.str(), modes.str());
    }
    return {};
  });
}

Result<std::vector<BundleSummary>> PgBundleRepository::list(
    const TenantId& tenant, const std::optional<BundleCursor>& after, std::size_t limit) {
  return guarded([&]() -> Result<std::vector<BundleSummary>> {
    pqxx::result rows = after ? sql_.exec("bundle_list_after", tenant.str(),
                                          to_us(after->created_at), after->id.to_string(), limit)
                              : sql_.exec("bundle_list", tenant.str(), limit);
    std::vector<BundleSummary> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
      auto summary = summary_from(row);
      if (!summary) {
        return std::move(summary).error();
      }
      out.push_back(std::move(*summary));
    }
    return out;
  });
}

Result<std::optional<Bundle>> PgBundleRepository::find(const TenantId& tenant, const BundleId& id) {
  return guarded([&]() -> Result<std::optional<Bundle>> {
    const std::string id_text = id.to_string();
    auto r = sql_.exec("bundle_find", id_text, tenant.str());
    if (r.empty()) {
      return std::optional<Bundle>();
    }
    auto summary = summary_from(r[0]);
    if (!summary) {
      return std::move(summary).error();
    }
    Bundle bundle{std::move(*summary), r[0][7].as<std::string>(), {}};
    auto rows = sql_.exec("bundle_files", id_text);
    bundle.files.reserve(rows.size());
    for (const auto& row : rows) {
      auto hash = ContentHash::parse(row[1].as<std::string>());
      if (!hash) {
        return Error{ErrorCode::kDataLoss, "malformed bundle_files row"};
      }
      bundle.files.push_back(BundleFile{.path = row[0].as<std::string>(),
                                        .hash = std::move(*hash),
                                        .size_bytes = row[2].as<std::uint64_t>(),
                                        .mode = row[3].as<std::uint32_t>()});
    }
    // Read outside a snapshot (a read-only unit may run statement by statement): a bundle
    // deleted between the two reads is gone.
    if (bundle.files.size() != bundle.summary.file_count) {
      return std::optional<Bundle>();
    }
    return std::optional<Bundle>(std::move(bundle));
  });
}

Result<std::optional<BundleRepository::Removed>> PgBundleRepository::remove(const TenantId& tenant,
                                                                            const BundleId& id) {
  return guarded([&]() -> Result<std::optional<Removed>> {
    const std::string id_text = id.to_string();
    auto r = sql_.exec("bundle_lock", id_text, tenant.str());
    if (r.empty()) {
      return std::optional<Removed>();
    }
    auto storage_class = parse_storage_class(r[0][0].as<std::string>());
    if (!storage_class) {
      return Error{ErrorCode::kDataLoss, "malformed bundles row"};
    }
    Removed removed{*storage_class, {}};
    for (const auto& row : sql_.exec("bundle_references", id_text)) {
      auto hash = ContentHash::parse(row[0].as<std::string>());
      if (!hash) {
        return Error{ErrorCode::kDataLoss, "malformed bundle_files row"};
      }
      removed.references.emplace_back(std::move(*hash), row[1].as<std::uint64_t>());
    }
    sql_.exec("bundle_remove", id_text);
    return std::optional<Removed>(std::move(removed));
  });
}

}  // namespace castor
