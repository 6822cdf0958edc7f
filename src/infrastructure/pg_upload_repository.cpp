#include "infrastructure/pg_upload_repository.h"

#include <string>

#include <pqxx/result>

#include "infrastructure/pg_attributes_json.h"
#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

std::int64_t to_us(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp from_us(std::int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

constexpr const char* kColumns =
    "id::text, tenant_id, namespace, key, storage_class, size_bytes, sha256, content_type, state, "
    "castor_us(created_at), castor_us(expires_at), result_hash, result_size, object_id::text, s3, "
    "metadata::text, attributes::text";

constexpr const char* kPartColumns =
    "part_number, content_hash, size_bytes, md5, checksum_algorithm, checksum, "
    "castor_us(uploaded_at)";

template <class T>
std::optional<T> optional_field(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<T>(f.as<T>());
}

// Parses an optional text column with `parse`; false when present but malformed.
template <class T, class Parse>
bool parse_optional(const pqxx::field& f, std::optional<T>& out, Parse parse) {
  if (f.is_null()) {
    return true;
  }
  auto v = parse(f.as<std::string>());
  if (!v) {
    return false;
  }
  out = std::move(*v);
  return true;
}

// A session from a row of kColumns. DataLoss if the row is malformed.
Result<UploadSession> session_from(const pqxx::row& row) {
  const Error malformed{ErrorCode::kDataLoss, "malformed upload_sessions row"};
  auto id = UploadId::parse(row[0].as<std::string>());
  auto tenant = TenantId::parse(row[1].as<std::string>());
  auto storage_class = parse_storage_class(row[4].as<std::string>());
  auto state = parse_upload_state(row[8].as<std::string>());
  if (!id || !tenant || !storage_class || !state) {
    return malformed;
  }
  UploadSession::Fields f{.id = *id,
                          .tenant = *tenant,
                          .ns = {},
                          .key = {},
                          .storage_class = *storage_class,
                          .size_bytes = optional_field<std::uint64_t>(row[5]),
                          .sha256 = {},
                          .content_type = optional_field<std::string>(row[7]),
                          .state = *state,
                          .created_at = from_us(row[9].as<std::int64_t>()),
                          .expires_at = from_us(row[10].as<std::int64_t>()),
                          .outcome = {}};
  std::optional<ContentHash> result_hash;
  std::optional<ObjectId> object_id;
  if (!parse_optional(row[2], f.ns, Namespace::parse) ||
      !parse_optional(row[3], f.key, [](const std::string& k) { return ObjectKey::parse(k); }) ||
      !parse_optional(row[6], f.sha256, ContentHash::parse) ||
      !parse_optional(row[11], result_hash, ContentHash::parse) ||
      !parse_optional(row[13], object_id, ObjectId::parse)) {
    return malformed;
  }
  f.s3 = row[14].as<bool>();
  auto attributes = attributes_from_json(row[15].as<std::string>(), row[16].as<std::string>());
  if (!attributes) {
    return std::move(attributes).error();
  }
  f.attributes = std::move(*attributes);
  if (result_hash) {
    f.outcome = UploadSession::Outcome{*result_hash, row[12].as<std::uint64_t>(0), object_id};
  }
  return UploadSession::restore(std::move(f));
}

Result<std::vector<UploadSession>> sessions_from(const pqxx::result& rows) {
  std::vector<UploadSession> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    auto session = session_from(row);
    if (!session) {
      return std::move(session).error();
    }
    out.push_back(std::move(*session));
  }
  return out;
}

Result<std::vector<UploadPart>> parts_from(const pqxx::result& rows) {
  std::vector<UploadPart> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    auto hash = ContentHash::parse(row[1].as<std::string>());
    if (!hash) {
      return Error{ErrorCode::kDataLoss, "malformed upload_parts row"};
    }
    UploadPart part{.number = row[0].as<std::uint32_t>(),
                    .hash = std::move(*hash),
                    .size_bytes = row[2].as<std::uint64_t>(),
                    .md5 = row[3].as<std::string>(""),
                    .checksums = {},
                    .uploaded_at = from_us(row[6].as<std::int64_t>(0))};
    if (!row[4].is_null()) {
      part.checksums.emplace_back(row[4].as<std::string>(), row[5].as<std::string>(""));
    }
    out.push_back(std::move(part));
  }
  return out;
}

// The text of an optional value, or null.
template <class T, class Text>
std::optional<std::string> text_or_null(const std::optional<T>& v, Text text) {
  return v ? std::optional<std::string>(text(*v)) : std::nullopt;
}

}  // namespace

void PgUploadRepository::prepare(pqxx::connection& conn) {
  conn.prepare("upload_insert",
               "INSERT INTO upload_sessions (id, tenant_id, namespace, key, storage_class, "
               "size_bytes, sha256, content_type, state, created_at, expires_at, s3, metadata, "
               "attributes) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, castor_ts($10), "
               "castor_ts($11), $12, $13::jsonb, $14::jsonb)");
  conn.prepare("upload_find",
               std::string("SELECT ") + kColumns + " FROM upload_sessions WHERE id = $1::uuid");
  conn.prepare("upload_find_for_update", std::string("SELECT ") + kColumns +
                                             " FROM upload_sessions WHERE id = $1::uuid "
                                             "FOR UPDATE");
  conn.prepare("upload_update",
               "UPDATE upload_sessions SET state = $2, expires_at = castor_ts($3), "
               "result_hash = $4, result_size = $5, object_id = $6::uuid WHERE id = $1::uuid");
  conn.prepare("upload_remove", "DELETE FROM upload_sessions WHERE id = $1::uuid");
  // Through upload_sessions_open.
  conn.prepare("upload_count_open",
               "SELECT count(*) FROM upload_sessions WHERE tenant_id = $1 AND state = 'open'");
  conn.prepare(
      "upload_list_open",
      std::string("SELECT ") + kColumns +
          " FROM upload_sessions WHERE tenant_id = $1 AND state = 'open' "
          "AND ($2::text IS NULL OR sha256 = $2) AND ($3::text IS NULL OR namespace = $3) "
          "AND ($4::text IS NULL OR key = $4) AND ($5::text IS NULL OR storage_class = $5) "
          "ORDER BY created_at DESC, id DESC LIMIT $6");
  // Through upload_sessions_s3_open.
  conn.prepare("upload_list_open_s3",
               std::string("SELECT ") + kColumns +
                   " FROM upload_sessions WHERE tenant_id = $1 AND namespace = $2 AND "
                   "state = 'open' AND s3 AND starts_with(key, $3) AND (key > $4 OR "
                   "(key = $4 AND $5::uuid IS NOT NULL AND id > $5::uuid)) "
                   "ORDER BY key, id LIMIT $6");
  // Through upload_sessions_expiry.
  conn.prepare("upload_lock_expired", std::string("SELECT ") + kColumns +
                                          " FROM upload_sessions WHERE expires_at < castor_ts($1) "
                                          "ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED");
  conn.prepare("upload_parts", std::string("SELECT ") + kPartColumns +
                                   " FROM upload_parts WHERE upload_id = $1::uuid "
                                   "ORDER BY part_number");
  conn.prepare("upload_part_lock", std::string("SELECT ") + kPartColumns +
                                       " FROM upload_parts WHERE upload_id = $1::uuid AND "
                                       "part_number = $2 FOR UPDATE");
  conn.prepare("upload_part_put",
               "INSERT INTO upload_parts (upload_id, part_number, content_hash, size_bytes, md5, "
               "checksum_algorithm, checksum, uploaded_at) VALUES ($1::uuid, $2, $3, $4, $5, $6, "
               "$7, castor_ts($8)) ON CONFLICT (upload_id, part_number) DO UPDATE "
               "SET content_hash = EXCLUDED.content_hash, size_bytes = EXCLUDED.size_bytes, "
               "md5 = EXCLUDED.md5, checksum_algorithm = EXCLUDED.checksum_algorithm, "
               "checksum = EXCLUDED.checksum, uploaded_at = EXCLUDED.uploaded_at");
  conn.prepare("upload_parts_remove", std::string("DELETE FROM upload_parts WHERE upload_id = "
                                                  "$1::uuid RETURNING ") +
                                          kPartColumns);
}

Status PgUploadRepository::insert(const UploadSession& session) {
  return guarded([&]() -> Status {
    const auto& f = session.fields();
    const AttributesJson json = attributes_to_json(f.attributes);
    sql_.exec("upload_insert", f.id.to_string(), f.tenant.str(),
              text_or_null(f.ns, [](const Namespace& n) { return n.str(); }),
              text_or_null(f.key, [](const ObjectKey& k) { return k.str(); }),
              std::string(to_string(f.storage_class)), f.size_bytes,
              text_or_null(f.sha256, [](const ContentHash& h) { return h.hex(); }), f.content_type,
              std::string(to_string(f.state)), to_us(f.created_at), to_us(f.expires_at), f.s3,
              json.metadata, json.attributes);
    return {};
  });
}

Result<UploadSession> PgUploadRepository::find(const UploadId& id, bool for_update) {
  return guarded([&]() -> Result<UploadSession> {
    auto r = sql_.exec(for_update ? "upload_find_for_update" : "upload_find", id.to_string());
    if (r.empty()) {
      return Error{ErrorCode::kNotFound, "no upload " + id.to_string()};
    }
    return session_from(r[0]);
  });
}

Status PgUploadRepository::update(const UploadSession& session) {
  return guarded([&]() -> Status {
    const auto& f = session.fields();
    std::optional<std::string> hash, object_id;
    std::optional<std::uint64_t> size;
    if (f.outcome) {
      hash = f.outcome->hash.hex();
      size = f.outcome->size_bytes;
      object_id =
          text_or_null(f.outcome->object_id, [](const ObjectId& o) { return o.to_string(); });
    }
    auto r = sql_.exec("upload_update", f.id.to_string(), std::string(to_string(f.state)),
                       to_us(f.expires_at), hash, size, object_id);
    if (r.affected_rows() == 0) {
      return Error{ErrorCode::kNotFound, "no upload " + f.id.to_string()};
    }
    return {};
  });
}

Status PgUploadRepository::remove(const UploadId& id) {
  return guarded([&]() -> Status {
    sql_.exec("upload_remove", id.to_string());
    return {};
  });
}

Result<std::size_t> PgUploadRepository::count_open(const TenantId& tenant) {
  return guarded([&]() -> Result<std::size_t> {
    return sql_.exec("upload_count_open", tenant.str())[0][0].as<std::size_t>();
  });
}

Result<std::vector<UploadSession>> PgUploadRepository::list_open(const UploadFilter& filter) {
  return guarded([&]() -> Result<std::vector<UploadSession>> {
    return sessions_from(
        sql_.exec("upload_list_open", filter.tenant.str(),
                  text_or_null(filter.sha256, [](const ContentHash& h) { return h.hex(); }),
                  text_or_null(filter.ns, [](const Namespace& n) { return n.str(); }),
                  text_or_null(filter.key, [](const ObjectKey& k) { return k.str(); }),
                  text_or_null(filter.storage_class,
                               [](StorageClass c) { return std::string(to_string(c)); }),
                  filter.limit));
  });
}

Result<std::vector<UploadSession>> PgUploadRepository::list_open_s3(const S3UploadFilter& filter) {
  return guarded([&]() -> Result<std::vector<UploadSession>> {
    return sessions_from(
        sql_.exec("upload_list_open_s3", filter.tenant.str(), filter.ns.str(), filter.prefix,
                  filter.after_key,
                  text_or_null(filter.after_id, [](const UploadId& id) { return id.to_string(); }),
                  filter.limit));
  });
}

Result<std::vector<UploadSession>> PgUploadRepository::lock_expired(Timestamp now,
                                                                    std::size_t limit) {
  return guarded([&]() -> Result<std::vector<UploadSession>> {
    return sessions_from(sql_.exec("upload_lock_expired", to_us(now), limit));
  });
}

Result<std::vector<UploadPart>> PgUploadRepository::parts(const UploadId& id) {
  return guarded([&]() -> Result<std::vector<UploadPart>> {
    return parts_from(sql_.exec("upload_parts", id.to_string()));
  });
}

Result<std::optional<UploadPart>> PgUploadRepository::put_part(const UploadId& id,
                                                               const UploadPart& part) {
  return guarded([&]() -> Result<std::optional<UploadPart>> {
    // The caller holds the session row, so the part row cannot change between these two.
    auto old = parts_from(sql_.exec("upload_part_lock", id.to_string(), part.number));
    if (!old) {
      return std::move(old).error();
    }
    std::optional<std::string> md5, algorithm, checksum;
    if (!part.md5.empty()) {
      md5 = part.md5;
    }
    if (!part.checksums.empty()) {
      algorithm = part.checksums.front().first;
      checksum = part.checksums.front().second;
    }
    sql_.exec("upload_part_put", id.to_string(), part.number, part.hash.hex(), part.size_bytes, md5,
              algorithm, checksum, to_us(part.uploaded_at));
    return old->empty() ? std::optional<UploadPart>() : std::optional<UploadPart>(old->front());
  });
}

Result<std::vector<UploadPart>> PgUploadRepository::remove_parts(const UploadId& id) {
  return guarded([&]() -> Result<std::vector<UploadPart>> {
    auto parts = parts_from(sql_.exec("upload_parts_remove", id.to_string()));
    if (parts) {
      std::sort(parts->begin(), parts->end(),
                [](const UploadPart& a, const UploadPart& b) { return a.number < b.number; });
    }
    return parts;
  });
}

}  // namespace castor
