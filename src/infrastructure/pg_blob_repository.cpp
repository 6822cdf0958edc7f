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
  conn.prepare("blob_lock_unreferenced",
               "SELECT storage_class, content_hash, size_bytes, ref_count FROM blobs "
               "WHERE ref_count = 0 LIMIT $1 FOR UPDATE SKIP LOCKED");
  conn.prepare("blob_remove_unreferenced",
               "DELETE FROM blobs WHERE storage_class = $1 AND content_hash = $2 "
               "AND ref_count = 0");
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

Result<std::vector<Blob>> PgBlobRepository::lock_unreferenced(std::size_t limit) {
  return guarded([&]() -> Result<std::vector<Blob>> {
    std::vector<Blob> out;
    for (const auto& row : sql_.exec("blob_lock_unreferenced", limit)) {
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

}  // namespace castor
