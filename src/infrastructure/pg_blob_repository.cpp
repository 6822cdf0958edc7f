#include "infrastructure/pg_blob_repository.h"

#include <string>

#include <pqxx/binarystring>
#include <pqxx/result>

#include "infrastructure/pg_arrays.h"
#include "infrastructure/pg_blob_rows.h"
#include "infrastructure/pg_errors.h"

namespace castor {

void PgBlobRepository::prepare(pqxx::connection& conn) {
  conn.prepare("blob_add_ref",
               "INSERT INTO blobs AS b (storage_class, content_hash, size_bytes, ref_count) "
               "VALUES ($1, $2, $3, 1) ON CONFLICT (storage_class, content_hash) "
               "DO UPDATE SET ref_count = b.ref_count + 1, updated_at = now() "
               "RETURNING size_bytes, ref_count, content IS NOT NULL");
  conn.prepare("blob_add_ref_inline",
               "INSERT INTO blobs AS b (storage_class, content_hash, size_bytes, ref_count, "
               "content) VALUES ($1, $2, $3, 1, $4) ON CONFLICT (storage_class, content_hash) "
               "DO UPDATE SET ref_count = b.ref_count + 1, updated_at = now(), "
               "content = COALESCE(b.content, EXCLUDED.content) "
               "RETURNING size_bytes, ref_count, content IS NOT NULL");
  conn.prepare("blob_inline_content",
               "SELECT content FROM blobs WHERE storage_class = $1 AND content_hash = $2 "
               "AND content IS NOT NULL");
  conn.prepare("blob_release",
               "UPDATE blobs SET ref_count = ref_count - 1, updated_at = now() "
               "WHERE storage_class = $1 AND content_hash = $2 AND ref_count > 0 "
               "RETURNING size_bytes, ref_count");
  conn.prepare("blob_find",
               "SELECT size_bytes, ref_count, content IS NOT NULL FROM blobs "
               "WHERE storage_class = $1 AND content_hash = $2");
  conn.prepare("blob_missing",
               "SELECT h FROM unnest($2::text[]) AS h WHERE NOT EXISTS "
               "(SELECT 1 FROM blobs WHERE storage_class = $1 AND content_hash = h)");
  // Keyset pagination through blobs_unreferenced, so that rows a cycle skips (held by another
  // transaction, or whose file cannot be removed) do not hide the rows after them.
  conn.prepare("blob_lock_unreferenced",
               "SELECT storage_class, content_hash, size_bytes, ref_count FROM blobs "
               "WHERE ref_count = 0 AND (storage_class, content_hash) > ($2, $3) "
               "AND (retain_until IS NULL OR retain_until < castor_ts($4)) "
               "ORDER BY storage_class, content_hash LIMIT $1 FOR UPDATE SKIP LOCKED");
  // The blob's grants go with it (ON DELETE CASCADE).
  conn.prepare("blob_remove_unreferenced",
               "DELETE FROM blobs WHERE storage_class = $1 AND content_hash = $2 "
               "AND ref_count = 0 AND (retain_until IS NULL OR retain_until < castor_ts($3))");
  // Possession and retention.
  conn.prepare("blob_retain",
               "INSERT INTO blobs AS b (storage_class, content_hash, size_bytes, ref_count, "
               "retain_until) VALUES ($1, $2, $3, 0, castor_ts($4)) "
               "ON CONFLICT (storage_class, content_hash) DO UPDATE SET retain_until = "
               "GREATEST(b.retain_until, EXCLUDED.retain_until), updated_at = now() "
               "RETURNING size_bytes, ref_count");
  conn.prepare("blob_grant",
               "INSERT INTO blob_grants (tenant_id, storage_class, content_hash, granted_at) "
               "VALUES ($1, $2, $3, castor_ts($4)) ON CONFLICT DO NOTHING");
  conn.prepare("blob_find_held",
               "SELECT b.size_bytes, b.ref_count FROM blobs b JOIN blob_grants g "
               "ON g.storage_class = b.storage_class AND g.content_hash = b.content_hash "
               "WHERE g.tenant_id = $1 AND b.storage_class = $2 AND b.content_hash = $3");
  conn.prepare("blob_retain_held",
               "UPDATE blobs AS b SET retain_until = GREATEST(b.retain_until, castor_ts($4)), "
               "updated_at = now() WHERE b.storage_class = $2 AND b.content_hash = $3 "
               "AND EXISTS (SELECT 1 FROM blob_grants g WHERE g.tenant_id = $1 "
               "AND g.storage_class = $2 AND g.content_hash = $3) RETURNING size_bytes, ref_count");
  conn.prepare(
      "blob_not_held",
      "SELECT h FROM unnest($3::text[]) AS h WHERE NOT EXISTS (SELECT 1 FROM blob_grants g "
      "JOIN blobs b ON b.storage_class = g.storage_class AND b.content_hash = "
      "g.content_hash WHERE g.tenant_id = $1 AND g.storage_class = $2 "
      "AND g.content_hash = h)");
  // Rows are locked in the order of the sort (the locking happens after ORDER BY), so bundle
  // creations and deletions naming overlapping contents cannot deadlock.
  conn.prepare("blob_lock_held",
               "SELECT b.content_hash, b.size_bytes, b.ref_count FROM blobs b "
               "WHERE b.storage_class = $2 AND b.content_hash = ANY($3::text[]) AND EXISTS "
               "(SELECT 1 FROM blob_grants g WHERE g.tenant_id = $1 AND g.storage_class = "
               "b.storage_class AND g.content_hash = b.content_hash) "
               "ORDER BY b.content_hash COLLATE \"C\" FOR UPDATE OF b");
  conn.prepare("blob_add_refs",
               "UPDATE blobs AS b SET ref_count = b.ref_count + u.n, updated_at = now() "
               "FROM unnest($2::text[], $3::bigint[]) AS u(h, n) "
               "WHERE b.storage_class = $1 AND b.content_hash = u.h AND b.ref_count >= 0");
  conn.prepare("blob_lock_refs",
               "SELECT 1 FROM blobs WHERE storage_class = $1 AND content_hash = ANY($2::text[]) "
               "ORDER BY content_hash COLLATE \"C\" FOR UPDATE");
  conn.prepare("blob_release_refs",
               "UPDATE blobs AS b SET ref_count = GREATEST(b.ref_count - u.n, 0), "
               "updated_at = now() FROM unnest($2::text[], $3::bigint[]) AS u(h, n) "
               "WHERE b.storage_class = $1 AND b.content_hash = u.h");
  // Through blobs_verify_queue.
  prepare_integrity(conn);
}

Result<Blob> PgBlobRepository::add_ref(StorageClass c, const ContentHash& hash,
                                       std::uint64_t size_bytes) {
  return guarded([&]() -> Result<Blob> {
    auto r = sql_.exec("blob_add_ref", class_param(c), hash.hex(), size_bytes);
    return blob_from(c, hash, r[0]);
  });
}

namespace {
pqxx::binarystring bytea_param(std::span<const std::byte> content) {
  return pqxx::binarystring(content.data(), content.size());
}
}  // namespace

Result<Blob> PgBlobRepository::add_ref_inline(StorageClass c, const ContentHash& hash,
                                              std::span<const std::byte> content) {
  return guarded([&]() -> Result<Blob> {
    auto r = sql_.exec("blob_add_ref_inline", class_param(c), hash.hex(),
                       static_cast<std::uint64_t>(content.size()), bytea_param(content));
    return blob_from(c, hash, r[0]);
  });
}

Result<std::optional<std::vector<std::byte>>> PgBlobRepository::inline_content(
    StorageClass c, const ContentHash& hash) {
  return guarded([&]() -> Result<std::optional<std::vector<std::byte>>> {
    auto r = sql_.exec("blob_inline_content", class_param(c), hash.hex());
    if (r.empty()) {
      return std::optional<std::vector<std::byte>>();
    }
    const pqxx::binarystring bytes(r[0][0]);
    const auto* data = reinterpret_cast<const std::byte*>(bytes.data());
    return std::optional<std::vector<std::byte>>(std::in_place, data, data + bytes.size());
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
    std::size_t limit, const std::optional<BlobAddress>& after, Timestamp now) {
  return guarded([&]() -> Result<std::vector<Blob>> {
    std::vector<Blob> out;
    // '' sorts before every storage class name.
    const std::string after_class = after ? class_param(after->first) : "";
    const std::string after_hash = after ? after->second.hex() : "";
    for (const auto& row : sql_.exec("blob_lock_unreferenced", limit, after_class, after_hash,
                                     now.time_since_epoch().count())) {
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

Result<bool> PgBlobRepository::remove_unreferenced(StorageClass c, const ContentHash& hash,
                                                   Timestamp now) {
  return guarded([&]() -> Result<bool> {
    auto r = sql_.exec("blob_remove_unreferenced", class_param(c), hash.hex(),
                       now.time_since_epoch().count());
    return r.affected_rows() == 1;
  });
}

namespace {

// The references as two parallel arrays: hashes and counts.
std::pair<std::string, std::string> ref_arrays(
    const std::vector<std::pair<ContentHash, std::uint64_t>>& refs) {
  PgArray hashes;
  PgArray counts;
  for (const auto& [hash, n] : refs) {
    hashes.add(hash.hex());
    counts.add(n);
  }
  return {hashes.str(), counts.str()};
}

Result<std::optional<Blob>> optional_blob(StorageClass c, const ContentHash& hash,
                                          const pqxx::result& r) {
  if (r.empty()) {
    return std::optional<Blob>();
  }
  return std::optional<Blob>(blob_from(c, hash, r[0]));
}

}  // namespace

Result<Blob> PgBlobRepository::retain(StorageClass c, const ContentHash& hash,
                                      std::uint64_t size_bytes, Timestamp until) {
  return guarded([&]() -> Result<Blob> {
    auto r = sql_.exec("blob_retain", class_param(c), hash.hex(), size_bytes,
                       until.time_since_epoch().count());
    return blob_from(c, hash, r[0]);
  });
}

Result<bool> PgBlobRepository::grant(const TenantId& tenant, StorageClass c,
                                     const ContentHash& hash, Timestamp now) {
  return guarded([&]() -> Result<bool> {
    auto r = sql_.exec("blob_grant", tenant.str(), class_param(c), hash.hex(),
                       now.time_since_epoch().count());
    return r.affected_rows() == 1;
  });
}

Result<std::optional<Blob>> PgBlobRepository::find_held(const TenantId& tenant, StorageClass c,
                                                        const ContentHash& hash) {
  return guarded([&]() -> Result<std::optional<Blob>> {
    return optional_blob(c, hash,
                         sql_.exec("blob_find_held", tenant.str(), class_param(c), hash.hex()));
  });
}

Result<std::optional<Blob>> PgBlobRepository::retain_held(const TenantId& tenant, StorageClass c,
                                                          const ContentHash& hash,
                                                          Timestamp until) {
  return guarded([&]() -> Result<std::optional<Blob>> {
    return optional_blob(c, hash,
                         sql_.exec("blob_retain_held", tenant.str(), class_param(c), hash.hex(),
                                   until.time_since_epoch().count()));
  });
}

Result<std::vector<ContentHash>> PgBlobRepository::not_held(
    const TenantId& tenant, StorageClass c, const std::vector<ContentHash>& hashes) {
  return guarded([&]() -> Result<std::vector<ContentHash>> {
    PgArray array;
    for (const ContentHash& h : hashes) {
      array.add(h.hex());
    }
    std::vector<ContentHash> out;
    for (const auto& row : sql_.exec("blob_not_held", tenant.str(), class_param(c), array.str())) {
      auto h = ContentHash::parse(row[0].as<std::string>());
      if (!h) {
        return internal_error("blob_not_held returned a malformed hash");
      }
      out.push_back(std::move(*h));
    }
    return out;
  });
}

Result<std::vector<Blob>> PgBlobRepository::lock_held(const TenantId& tenant, StorageClass c,
                                                      const std::vector<ContentHash>& hashes) {
  return guarded([&]() -> Result<std::vector<Blob>> {
    PgArray array;
    for (const ContentHash& h : hashes) {
      array.add(h.hex());
    }
    std::vector<Blob> out;
    for (const auto& row : sql_.exec("blob_lock_held", tenant.str(), class_param(c), array.str())) {
      auto h = ContentHash::parse(row[0].as<std::string>());
      if (!h) {
        return Error{ErrorCode::kDataLoss, "malformed blobs row"};
      }
      out.emplace_back(c, std::move(*h), row[1].as<std::uint64_t>(), row[2].as<std::uint64_t>());
    }
    return out;
  });
}

Result<std::size_t> PgBlobRepository::add_refs(
    StorageClass c, const std::vector<std::pair<ContentHash, std::uint64_t>>& refs) {
  return guarded([&]() -> Result<std::size_t> {
    auto [hashes, counts] = ref_arrays(refs);
    auto r = sql_.exec("blob_add_refs", class_param(c), hashes, counts);
    return static_cast<std::size_t>(r.affected_rows());
  });
}

Status PgBlobRepository::release_refs(
    StorageClass c, const std::vector<std::pair<ContentHash, std::uint64_t>>& refs) {
  return guarded([&]() -> Status {
    if (refs.empty()) {
      return {};
    }
    auto [hashes, counts] = ref_arrays(refs);
    sql_.exec("blob_lock_refs", class_param(c), hashes);
    sql_.exec("blob_release_refs", class_param(c), hashes, counts);
    return {};
  });
}

}  // namespace castor
