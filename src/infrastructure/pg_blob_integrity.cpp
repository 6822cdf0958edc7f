// The integrity side of PgBlobRepository: what fsck and the scrubber read and repair (live
// reference counts, audits, verification marks).
#include <string>

#include <pqxx/result>

#include "infrastructure/pg_blob_repository.h"
#include "infrastructure/pg_blob_rows.h"
#include "infrastructure/pg_errors.h"

namespace castor {

void PgBlobRepository::prepare_integrity(pqxx::connection& conn) {
  // One statement, so one snapshot: ref_count and the live count agree on a consistent database.
  conn.prepare("blob_audit",
               "SELECT b.content_hash, b.size_bytes, b.ref_count, (SELECT count(*) FROM objects o "
               "WHERE o.storage_class = b.storage_class AND o.content_hash = b.content_hash "
               "AND o.status = 'COMMITTED') + (SELECT count(*) FROM bundle_files f JOIN bundles u "
               "ON u.id = f.bundle_id WHERE f.content_hash = b.content_hash "
               "AND u.storage_class = b.storage_class) + (SELECT count(*) FROM blob_segments s "
               "WHERE s.storage_class = b.storage_class AND s.segment_hash = b.content_hash) + "
               "(SELECT count(*) FROM upload_parts p JOIN upload_sessions u ON u.id = p.upload_id "
               "WHERE p.content_hash = b.content_hash AND u.storage_class = b.storage_class), "
               "b.content IS NOT NULL FROM blobs b WHERE b.storage_class = $1 "
               "AND b.content_hash > $2 ORDER BY b.content_hash LIMIT $3");
  conn.prepare(
      "blob_count_live_refs",
      "SELECT (SELECT count(*) FROM objects WHERE storage_class = $1 "
      "AND content_hash = $2 AND status = 'COMMITTED') + (SELECT count(*) FROM "
      "bundle_files f JOIN bundles u ON u.id = f.bundle_id WHERE f.content_hash = $2 "
      "AND u.storage_class = $1) + (SELECT count(*) FROM blob_segments WHERE storage_class = $1 "
      "AND segment_hash = $2) + (SELECT count(*) FROM upload_parts p JOIN upload_sessions "
      "u ON u.id = p.upload_id WHERE p.content_hash = $2 AND u.storage_class = $1)");
  conn.prepare("blob_audit_rowless",
               "SELECT o.content_hash, max(o.size_bytes), count(*) FROM objects o "
               "WHERE o.storage_class = $1 AND o.status = 'COMMITTED' AND NOT EXISTS "
               "(SELECT 1 FROM blobs b WHERE b.storage_class = o.storage_class "
               "AND b.content_hash = o.content_hash) GROUP BY o.content_hash "
               "ORDER BY o.content_hash LIMIT $2");
  conn.prepare("blob_lock",
               "SELECT size_bytes, ref_count FROM blobs "
               "WHERE storage_class = $1 AND content_hash = $2 FOR UPDATE");
  conn.prepare("blob_set_ref_count",
               "INSERT INTO blobs AS b (storage_class, content_hash, size_bytes, ref_count) "
               "VALUES ($1, $2, $3, $4) ON CONFLICT (storage_class, content_hash) "
               "DO UPDATE SET ref_count = $4, updated_at = now()");
  conn.prepare(
      "blob_unverified_since",
      "SELECT storage_class, content_hash, size_bytes, ref_count, content IS NOT NULL "
      "FROM blobs WHERE ref_count > 0 AND (verified_at IS NULL OR verified_at < castor_ts($1)) "
      // A composite blob has no file of its own; its segments are scrubbed as blobs.
      "AND NOT EXISTS (SELECT 1 FROM blob_segments s WHERE s.storage_class = "
      "blobs.storage_class AND s.content_hash = blobs.content_hash) "
      "ORDER BY verified_at NULLS FIRST LIMIT $2");
  conn.prepare("blob_record_verification",
               "UPDATE blobs AS b SET verified_at = castor_ts($3), damaged_at = CASE WHEN $4 "
               "THEN NULL ELSE COALESCE(b.damaged_at, castor_ts($3)) END "
               "FROM (SELECT damaged_at FROM blobs WHERE storage_class = $1 AND content_hash = $2 "
               "FOR UPDATE) AS old WHERE b.storage_class = $1 AND b.content_hash = $2 "
               "RETURNING old.damaged_at IS NOT NULL");
}

Result<std::vector<BlobAudit>> PgBlobRepository::audit(StorageClass c,
                                                       const std::optional<ContentHash>& after,
                                                       std::size_t limit) {
  return guarded([&]() -> Result<std::vector<BlobAudit>> {
    std::vector<BlobAudit> out;
    for (const auto& row :
         sql_.exec("blob_audit", class_param(c), after ? after->hex() : std::string(), limit)) {
      auto h = ContentHash::parse(row[0].as<std::string>());
      if (!h) {
        return Error{ErrorCode::kDataLoss, "malformed blobs row"};
      }
      out.push_back({Blob(c, std::move(*h), row[1].as<std::uint64_t>(), row[2].as<std::uint64_t>(),
                          row[4].as<bool>()),
                     row[3].as<std::uint64_t>()});
    }
    return out;
  });
}

Result<std::vector<BlobAudit>> PgBlobRepository::audit_rowless(StorageClass c, std::size_t limit) {
  return guarded([&]() -> Result<std::vector<BlobAudit>> {
    std::vector<BlobAudit> out;
    for (const auto& row : sql_.exec("blob_audit_rowless", class_param(c), limit)) {
      auto h = ContentHash::parse(row[0].as<std::string>());
      if (!h) {
        return Error{ErrorCode::kDataLoss, "malformed objects row"};
      }
      out.push_back(
          {Blob(c, std::move(*h), row[1].as<std::uint64_t>(), 0), row[2].as<std::uint64_t>()});
    }
    return out;
  });
}

Result<std::optional<Blob>> PgBlobRepository::lock(StorageClass c, const ContentHash& hash) {
  return guarded([&]() -> Result<std::optional<Blob>> {
    auto r = sql_.exec("blob_lock", class_param(c), hash.hex());
    if (r.empty()) {
      return std::optional<Blob>();
    }
    return std::optional<Blob>(blob_from(c, hash, r[0]));
  });
}

Status PgBlobRepository::set_ref_count(StorageClass c, const ContentHash& hash,
                                       std::uint64_t size_bytes, std::uint64_t ref_count) {
  return guarded([&]() -> Status {
    sql_.exec("blob_set_ref_count", class_param(c), hash.hex(), size_bytes, ref_count);
    return {};
  });
}

Result<std::vector<Blob>> PgBlobRepository::unverified_since(Timestamp since, std::size_t limit) {
  return guarded([&]() -> Result<std::vector<Blob>> {
    std::vector<Blob> out;
    for (const auto& row :
         sql_.exec("blob_unverified_since", since.time_since_epoch().count(), limit)) {
      auto c = parse_storage_class(row[0].as<std::string>());
      auto h = ContentHash::parse(row[1].as<std::string>());
      if (!c || !h) {
        return Error{ErrorCode::kDataLoss, "malformed blobs row"};
      }
      out.emplace_back(*c, std::move(*h), row[2].as<std::uint64_t>(), row[3].as<std::uint64_t>(),
                       row[4].as<bool>());
    }
    return out;
  });
}

Result<bool> PgBlobRepository::record_verification(StorageClass c, const ContentHash& hash,
                                                   Timestamp now, bool intact) {
  return guarded([&]() -> Result<bool> {
    auto r = sql_.exec("blob_record_verification", class_param(c), hash.hex(),
                       now.time_since_epoch().count(), intact);
    return !r.empty() && r[0][0].as<bool>();
  });
}

Result<std::uint64_t> PgBlobRepository::count_live_refs(StorageClass c, const ContentHash& hash) {
  return guarded([&]() -> Result<std::uint64_t> {
    auto r = sql_.exec("blob_count_live_refs", class_param(c), hash.hex());
    return r[0][0].as<std::uint64_t>();
  });
}

}  // namespace castor
