#include "infrastructure/pg_object_repository.h"

#include <optional>
#include <string>

#include <pqxx/binarystring>
#include <pqxx/result>

#include "domain/object_key.h"
#include "infrastructure/pg_attributes_json.h"
#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

constexpr const char* kColumns =
    "id::text, namespace, tenant_id, key, storage_class, status, content_hash, size_bytes, "
    "content_type, castor_us(created_at), castor_us(updated_at), metadata::text, attributes::text, "
    "etag, castor_us(retain_until), retention_mode, legal_hold";

std::string select_where(const std::string& condition) {
  return std::string("SELECT ") + kColumns + " FROM objects WHERE " + condition;
}

std::int64_t to_us(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp from_us(std::int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

std::optional<std::string> key_param(const Object& o) {
  return o.key() ? std::optional<std::string>(o.key()->str()) : std::nullopt;
}

std::optional<std::string> hash_param(const Object& o) {
  return o.content_hash() ? std::optional<std::string>(o.content_hash()->hex()) : std::nullopt;
}

std::optional<std::int64_t> retain_until_param(const Object& o) {
  return o.retention() ? std::optional<std::int64_t>(to_us(o.retention()->retain_until))
                       : std::nullopt;
}

std::optional<std::string> retention_mode_param(const Object& o) {
  return o.retention() ? std::optional<std::string>(to_string(o.retention()->mode)) : std::nullopt;
}

std::optional<std::string> etag_param(const Object& o) {
  const std::string& etag = o.fields().etag;
  return etag.empty() ? std::nullopt : std::optional<std::string>(etag);
}

// Rebuilds an Object from a row of kColumns. DataLoss if the row breaks a domain rule.
Result<Object> object_from_row(const pqxx::row& row) {
  auto corrupt = [&](const std::string& what) {
    return Error{ErrorCode::kDataLoss, "objects row " + row[0].as<std::string>() + ": bad " + what};
  };
  auto id = ObjectId::parse(row[0].as<std::string>());
  auto ns = Namespace::parse(row[1].as<std::string>());
  auto tenant = TenantId::parse(row[2].as<std::string>());
  auto storage_class = parse_storage_class(row[4].as<std::string>());
  auto status = parse_object_status(row[5].as<std::string>());
  if (!id || !ns || !tenant || !storage_class || !status) {
    return corrupt("identity or status");
  }
  std::optional<ObjectKey> key;
  if (!row[3].is_null()) {
    auto k = ObjectKey::parse(row[3].as<std::string>());
    if (!k) {
      return corrupt("key");
    }
    key = std::move(*k);
  }
  std::optional<ContentHash> hash;
  if (!row[6].is_null()) {
    auto h = ContentHash::parse(row[6].as<std::string>());
    if (!h) {
      return corrupt("content hash");
    }
    hash = std::move(*h);
  }
  auto attributes = attributes_from_json(row[11].as<std::string>(), row[12].as<std::string>());
  if (!attributes) {
    return corrupt("metadata");
  }
  std::optional<Retention> retention;
  if (!row[14].is_null()) {
    auto mode = parse_retention_mode(row[15].is_null() ? "" : row[15].as<std::string>());
    if (!mode) {
      return corrupt("retention");
    }
    retention = Retention{*mode, from_us(row[14].as<std::int64_t>())};
  }
  return Object::restore({.id = *id,
                          .ns = std::move(*ns),
                          .tenant = std::move(*tenant),
                          .key = std::move(key),
                          .storage_class = *storage_class,
                          .status = *status,
                          .content_hash = std::move(hash),
                          .size_bytes = row[7].as<std::uint64_t>(),
                          .content_type = row[8].as<std::string>(),
                          .created_at = from_us(row[9].as<std::int64_t>()),
                          .updated_at = from_us(row[10].as<std::int64_t>()),
                          .attributes = std::move(*attributes),
                          .etag = row[13].is_null() ? std::string() : row[13].as<std::string>(),
                          .retention = retention,
                          .legal_hold = row[16].as<bool>()});
}

Result<std::vector<Object>> objects_from(const pqxx::result& rows) {
  std::vector<Object> objects;
  objects.reserve(rows.size());
  for (const auto& row : rows) {
    auto object = object_from_row(row);
    if (!object) {
      return std::move(object).error();
    }
    objects.push_back(std::move(*object));
  }
  return objects;
}

Result<Object> single(const pqxx::result& rows) {
  if (rows.empty()) {
    return not_found("no such object");
  }
  return object_from_row(rows[0]);
}

}  // namespace

const char* object_columns() { return kColumns; }

Result<std::vector<Object>> objects_from_rows(const pqxx::result& rows) {
  return objects_from(rows);
}

void PgObjectRepository::prepare(pqxx::connection& conn) {
  conn.prepare("object_insert",
               "INSERT INTO objects (id, namespace, tenant_id, key, storage_class, status, "
               "content_hash, size_bytes, content_type, created_at, updated_at, metadata, "
               "attributes, etag, retain_until, retention_mode, legal_hold) VALUES ($1::uuid, $2, "
               "$3, $4, $5, $6, $7, $8, $9, castor_ts($10), castor_ts($11), $12::jsonb, "
               "$13::jsonb, $14, castor_ts($15), $16, $17)");
  // insert_small: one statement, so one round trip and one commit. The bucket: a new row from
  // bucket_new, or the existing one held FOR KEY SHARE (a concurrent DeleteBucket that deleted it
  // leaves both empty; then nothing below runs and the caller retries). Parameters of INSERT ...
  // SELECT take no type from the target columns: hence the casts.
  conn.prepare(
      "object_insert_small",
      "WITH bucket_new AS (INSERT INTO buckets (tenant_id, name, created_at) "
      "VALUES ($3, $2, castor_ts($10)) ON CONFLICT (tenant_id, name) DO NOTHING RETURNING 1 AS "
      "ok), "
      "bucket_old AS (SELECT 1 AS ok FROM buckets WHERE tenant_id = $3 AND name = $2 "
      "FOR KEY SHARE), "
      "bucket AS (SELECT ok FROM bucket_new UNION ALL SELECT ok FROM bucket_old LIMIT 1), "
      "blob AS (INSERT INTO blobs AS b (storage_class, content_hash, size_bytes, ref_count, "
      "content) SELECT $5, $7, $8::bigint, 1, $15::bytea FROM bucket "
      "ON CONFLICT (storage_class, content_hash) DO UPDATE SET ref_count = b.ref_count + 1, "
      "updated_at = now(), content = COALESCE(b.content, EXCLUDED.content) RETURNING 1 AS ok), "
      "granted AS (INSERT INTO blob_grants (tenant_id, storage_class, content_hash, granted_at) "
      "SELECT $3, $5, $7, castor_ts($11) FROM blob ON CONFLICT DO NOTHING) "
      "INSERT INTO objects (id, namespace, tenant_id, key, storage_class, status, content_hash, "
      "size_bytes, content_type, created_at, updated_at, metadata, attributes, etag, "
      "retain_until, retention_mode, legal_hold) "
      "SELECT $1::uuid, $2, $3, $4, $5, $6, $7, $8::bigint, $9, castor_ts($10), castor_ts($11), "
      "$12::jsonb, $13::jsonb, $14, castor_ts($16::bigint), $17::text, $18::boolean FROM blob");
  conn.prepare("object_find", select_where("id = $1::uuid"));
  conn.prepare("object_find_for_update", select_where("id = $1::uuid FOR UPDATE"));
  // COALESCE(key, '') = $3 as well as key = $3: with it, either index answers with equality on
  // every column, so even a generic plan of this prepared statement is a point lookup (without
  // it PostgreSQL's generic plan scanned the whole namespace through objects_listing, filtering on
  // the key: ~27 ms per S3 PUT in a bucket of 5,000 objects, found by bench/s3.sh).
  const std::string by_key =
      "namespace = $1 AND tenant_id = $2 AND key = $3 AND COALESCE(key, '') = $3 "
      "AND status = 'COMMITTED'";
  conn.prepare("object_find_by_key", select_where(by_key));
  conn.prepare("object_find_by_key_for_update", select_where(by_key + " FOR UPDATE"));
  conn.prepare("object_update",
               "UPDATE objects SET status = $2, content_hash = $3, size_bytes = $4, "
               "updated_at = castor_ts($5), key = $6, metadata = $7::jsonb, "
               "attributes = $8::jsonb, etag = $9, content_type = $10, storage_class = $11 "
               "WHERE id = $1::uuid");
  conn.prepare("object_remove", "DELETE FROM objects WHERE id = $1::uuid");
  // Keyset pagination: (key, id) strictly after the cursor, in the order of objects_listing. A
  // prefix is a key range, [$5, $7), so the index scan covers only the keys that match (a
  // starts_with() filter would read the tenant's key space from the cursor on). Keys are
  // COLLATE "C": byte order, which key_prefix_end() follows.
  const std::string list =
      "namespace = $1 AND tenant_id = $2 AND status = 'COMMITTED' "
      "AND (COALESCE(key, ''), id) > ($3, $4::uuid) "
      "AND COALESCE(key, '') >= $5 ";
  conn.prepare("object_list", select_where(list + "ORDER BY COALESCE(key, ''), id LIMIT $6"));
  conn.prepare("object_list_range", select_where(list + "AND COALESCE(key, '') < $7 "
                                                        "ORDER BY COALESCE(key, ''), id LIMIT $6"));
  // Through objects_listing (COMMITTED rows only).
  conn.prepare("object_any_committed",
               "SELECT EXISTS (SELECT 1 FROM objects WHERE namespace = $1 AND tenant_id = $2 "
               "AND status = 'COMMITTED')");
  conn.prepare("object_lock_batch",
               select_where("status = $1 AND updated_at < castor_ts($2) ORDER BY updated_at "
                            "LIMIT $3 FOR UPDATE SKIP LOCKED"));
  // Through objects_by_content.
  conn.prepare("object_using_content",
               "SELECT id::text FROM objects WHERE storage_class = $1 AND content_hash = $2 "
               "AND status = 'COMMITTED' ORDER BY id LIMIT $3");
  conn.prepare("object_count_using_content",
               "SELECT count(*) FROM objects WHERE storage_class = $1 AND content_hash = $2 "
               "AND status = 'COMMITTED'");
  // Through objects_tombstones.
  conn.prepare("object_purge_tombstones",
               "DELETE FROM objects WHERE id IN (SELECT id FROM objects WHERE status = 'DELETED' "
               "AND updated_at < castor_ts($1) ORDER BY updated_at LIMIT $2 "
               "FOR UPDATE SKIP LOCKED)");
}

Status PgObjectRepository::insert(const Object& o) {
  const AttributesJson json = attributes_to_json(o.attributes());
  return guarded([&]() -> Status {
    sql_.exec("object_insert", o.id().to_string(), o.ns().str(), o.tenant().str(), key_param(o),
              std::string(to_string(o.storage_class())), std::string(to_string(o.status())),
              hash_param(o), o.size_bytes(), o.content_type(), to_us(o.created_at()),
              to_us(o.updated_at()), json.metadata, json.attributes, etag_param(o),
              retain_until_param(o), retention_mode_param(o), o.legal_hold());
    return {};
  });
}

Status PgObjectRepository::insert_small(const Object& o, std::span<const std::byte> content) {
  const AttributesJson json = attributes_to_json(o.attributes());
  return guarded([&]() -> Status {
    auto r = sql_.exec("object_insert_small", o.id().to_string(), o.ns().str(), o.tenant().str(),
                       key_param(o), std::string(to_string(o.storage_class())),
                       std::string(to_string(o.status())), hash_param(o), o.size_bytes(),
                       o.content_type(), to_us(o.created_at()), to_us(o.updated_at()),
                       json.metadata, json.attributes, etag_param(o),
                       pqxx::binarystring(content.data(), content.size()), retain_until_param(o),
                       retention_mode_param(o), o.legal_hold());
    if (r.affected_rows() != 1) {
      return Error{ErrorCode::kAborted,
                   "bucket " + o.ns().str() + " was deleted during the upload; retry"};
    }
    return {};
  });
}

Result<Object> PgObjectRepository::find(const ObjectId& id, bool for_update) {
  return guarded([&]() -> Result<Object> {
    return single(sql_.exec(for_update ? "object_find_for_update" : "object_find", id.to_string()));
  });
}

Result<Object> PgObjectRepository::find_by_key(const Namespace& ns, const TenantId& tenant,
                                               const ObjectKey& key, bool for_update) {
  return guarded([&]() -> Result<Object> {
    return single(sql_.exec(for_update ? "object_find_by_key_for_update" : "object_find_by_key",
                            ns.str(), tenant.str(), key.str()));
  });
}

Status PgObjectRepository::update(const Object& o) {
  const AttributesJson json = attributes_to_json(o.attributes());
  return guarded([&]() -> Status {
    auto r = sql_.exec("object_update", o.id().to_string(), std::string(to_string(o.status())),
                       hash_param(o), o.size_bytes(), to_us(o.updated_at()), key_param(o),
                       json.metadata, json.attributes, etag_param(o), o.content_type(),
                       std::string(to_string(o.storage_class())));
    if (r.affected_rows() != 1) {
      return not_found("object " + o.id().to_string() + " is gone");
    }
    return {};
  });
}

Status PgObjectRepository::remove(const ObjectId& id) {
  return guarded([&]() -> Status {
    sql_.exec("object_remove", id.to_string());
    return {};
  });
}

Result<std::vector<Object>> PgObjectRepository::list(const ListQuery& q) {
  return guarded([&]() -> Result<std::vector<Object>> {
    static const std::string kNilId = "00000000-0000-0000-0000-000000000000";
    const std::string after_key = q.after ? q.after->key : std::string();
    const std::string after_id = q.after ? q.after->id.to_string() : kNilId;
    if (auto end = key_prefix_end(q.prefix)) {
      return objects_from(sql_.exec("object_list_range", q.ns.str(), q.tenant.str(), after_key,
                                    after_id, q.prefix, q.limit, *end));
    }
    return objects_from(sql_.exec("object_list", q.ns.str(), q.tenant.str(), after_key, after_id,
                                  q.prefix, q.limit));
  });
}

Result<bool> PgObjectRepository::any_committed(const Namespace& ns, const TenantId& tenant) {
  return guarded([&]() -> Result<bool> {
    return sql_.exec("object_any_committed", ns.str(), tenant.str())[0][0].as<bool>();
  });
}

Result<std::vector<Object>> PgObjectRepository::lock_batch(ObjectStatus status, Timestamp before,
                                                           std::size_t limit) {
  return guarded([&]() -> Result<std::vector<Object>> {
    return objects_from(
        sql_.exec("object_lock_batch", std::string(to_string(status)), to_us(before), limit));
  });
}

Result<std::vector<ObjectId>> PgObjectRepository::using_content(StorageClass storage_class,
                                                                const ContentHash& hash,
                                                                std::size_t limit) {
  return guarded([&]() -> Result<std::vector<ObjectId>> {
    std::vector<ObjectId> ids;
    for (const auto& row : sql_.exec("object_using_content", std::string(to_string(storage_class)),
                                     hash.hex(), limit)) {
      if (auto id = ObjectId::parse(row[0].as<std::string>())) {
        ids.push_back(*id);
      }
    }
    return ids;
  });
}

Result<std::uint64_t> PgObjectRepository::count_using_content(StorageClass storage_class,
                                                              const ContentHash& hash) {
  return guarded([&]() -> Result<std::uint64_t> {
    auto r =
        sql_.exec("object_count_using_content", std::string(to_string(storage_class)), hash.hex());
    return r[0][0].as<std::uint64_t>();
  });
}

Result<std::size_t> PgObjectRepository::purge_tombstones(Timestamp before, std::size_t limit) {
  return guarded([&]() -> Result<std::size_t> {
    auto r = sql_.exec("object_purge_tombstones", to_us(before), limit);
    return static_cast<std::size_t>(r.affected_rows());
  });
}

}  // namespace castor
