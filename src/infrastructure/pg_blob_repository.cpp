#include "infrastructure/pg_blob_repository.h"

#include <string>

#include <pqxx/result>

#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

std::string class_param(StorageClass c) { return std::string(to_string(c)); }

// A blob from a row of (size_bytes, ref_count).
Blob blob_from(StorageClass c, const ContentHash& hash, const pqxx::row& row) {
  return Blob(c, hash, row[0].as<std::uint64_t>(), row[1].as<std::uint64_t>());
}

}  // namespace

void PgBlobRepository::prepare(pqxx::connection& conn) {
  conn.prepare("blob_add_ref",
               "INSERT INTO blobs AS b (storage_class, content_hash, size_bytes, ref_count) "
               "VALUES ($1, $2, $3, 1) ON CONFLICT (storage_class, content_hash) "
               "DO UPDATE SET ref_count = b.ref_count + 1, updated_at = now() "
               "RETURNING size_bytes, ref_count");
  conn.prepare("blob_release",
               "UPDATE blobs SET ref_count = ref_count - 1, updated_at = now() "
               "WHERE storage_class = $1 AND content_hash = $2 AND ref_count > 0 "
               "RETURNING size_bytes, ref_count");
  conn.prepare("blob_find",
               "SELECT size_bytes, ref_count FROM blobs "
               "WHERE storage_class = $1 AND content_hash = $2");
  conn.prepare("blob_missing",
               "SELECT h FROM unnest($2::text[]) AS h WHERE NOT EXISTS "
               "(SELECT 1 FROM blobs WHERE storage_class = $1 AND content_hash = h)");
  // Keyset pagination through blobs_unreferenced, so that rows a cycle skips (held by another
  // transaction, or whose file cannot be removed) do not hide the rows after them.
  conn.prepare("blob_lock_unreferenced",
               "SELECT storage_class, content_hash, size_bytes, ref_count FROM blobs "
               "WHERE ref_count = 0 AND (storage_class, content_hash) > ($2, $3) "
               "ORDER BY storage_class, content_hash LIMIT $1 FOR UPDATE SKIP LOCKED");
  conn.prepare("blob_remove_unreferenced",
               "DELETE FROM blobs WHERE storage_class = $1 AND content_hash = $2 "
               "AND ref_count = 0");
  // One statement, so one snapshot: ref_count and the live count agree on a consistent database.
  conn.prepare("blob_audit",
               "SELECT b.content_hash, b.size_bytes, b.ref_count, (SELECT count(*) FROM objects o "
               "WHERE o.storage_class = b.storage_class AND o.content_hash = b.content_hash "
               "AND o.status = 'COMMITTED') FROM blobs b WHERE b.storage_class = $1 "
               "AND b.content_hash > $2 ORDER BY b.content_hash LIMIT $3");
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
  // Through blobs_verify_queue.
  conn.prepare("blob_unverified_since",
               "SELECT storage_class, content_hash, size_bytes, ref_count FROM blobs "
               "WHERE ref_count > 0 AND (verified_at IS NULL OR verified_at < castor_ts($1)) "
               "ORDER BY verified_at NULLS FIRST LIMIT $2");
  conn.prepare("blob_record_verification",
               "UPDATE blobs AS b SET verified_at = castor_ts($3), damaged_at = CASE WHEN $4 "
               "THEN NULL ELSE COALESCE(b.damaged_at, castor_ts($3)) END "
               "FROM (SELECT damaged_at FROM blobs WHERE storage_class = $1 AND content_hash = $2 "
               "FOR UPDATE) AS old WHERE b.storage_class = $1 AND b.content_hash = $2 "
               "RETURNING old.damaged_at IS NOT NULL");
}

Result<Blob> PgBlobRepository::add_ref(StorageClass c, const ContentHash& hash,
                                       std::uint64_t size_bytes) {
  return guarded([&]() -> Result<Blob> {
    auto r = sql_.exec("blob_add_ref", class_param(c), hash.hex(), size_bytes);
    return blob_from(c, hash, r[0]);
  });
}

Result<Blob> PgBlobRepository::release(StorageClass c, const ContentHash& hash) {
  return guarded([&]() -> Result<Blob> {
    auto r = sql_.exec("blob_release", class_param(c), hash.hex());
    if (r.empty()) {
      return Error{ErrorCode::kFailedPrecondition,
                   "blob " + hash.hex() + " has no reference to release"};
    }
    return blob_from(c, hash, r[0]);
  });
}

Result<std::optional<Blob>> PgBlobRepository::find(StorageClass c, const ContentHash& hash) {
  return guarded([&]() -> Result<std::optional<Blob>> {
    auto r = sql_.exec("blob_find", class_param(c), hash.hex());
    if (r.empty()) {
      return std::optional<Blob>();
    }
    return std::optional<Blob>(blob_from(c, hash, r[0]));
  });
}

Result<std::vector<ContentHash>> PgBlobRepository::missing(StorageClass c,
                                                           const std::vector<ContentHash>& hashes) {
  return guarded([&]() -> Result<std::vector<ContentHash>> {
    // An array literal; hex digits need no quoting.
    std::string array = "{";
    for (const ContentHash& h : hashes) {
      if (array.size() > 1) {
        array += ',';
      }
      array += h.hex();
    }
    array += '}';
    std::vector<ContentHash> out;
    for (const auto& row : sql_.exec("blob_missing", class_param(c), array)) {
      if (auto h = ContentHash::parse(row[0].as<std::string>())) {
        out.push_back(std::move(*h));
      }
    }
    return out;
  });
}

Result<std::vector<Blob>> PgBlobRepository::lock_unreferenced(
    std::size_t limit, const std::optional<BlobAddress>& after) {
  return guarded([&]() -> Result<std::vector<Blob>> {
    std::vector<Blob> out;
    // '' sorts before every storage class name.
    const std::string after_class = after ? class_param(after->first) : "";
    const std::string after_hash = after ? after->second.hex() : "";
    for (const auto& row : sql_.exec("blob_lock_unreferenced", limit, after_class, after_hash)) {
      auto c = parse_storage_class(row[0].as<std::string>());
      auto h = ContentHash::parse(row[1].as<std::string>());
      if (!c || !h) {
        return Error{ErrorCode::kDataLoss, "malformed blobs row"};
      }
      out.emplace_back(*c, std::move(*h), row[2].as<std::uint64_t>(), row[3].as<std::uint64_t>());
    }
    return out;
  });
}

Result<bool> PgBlobRepository::remove_unreferenced(StorageClass c, const ContentHash& hash) {
  return guarded([&]() -> Result<bool> {
    auto r = sql_.exec("blob_remove_unreferenced", class_param(c), hash.hex());
    return r.affected_rows() == 1;
  });
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
      out.push_back({Blob(c, std::move(*h), row[1].as<std::uint64_t>(), row[2].as<std::uint64_t>()),
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
      out.emplace_back(*c, std::move(*h), row[2].as<std::uint64_t>(), row[3].as<std::uint64_t>());
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

}  // namespace castor
