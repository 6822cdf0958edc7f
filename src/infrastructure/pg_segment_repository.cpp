#include "infrastructure/pg_segment_repository.h"

#include <map>
#include <string>

#include <pqxx/result>

#include "infrastructure/pg_arrays.h"
#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

std::string class_param(StorageClass c) { return std::string(to_string(c)); }

// Segments from rows of (segment_hash, offset_bytes, size_bytes). DataLoss if one is malformed.
Result<std::vector<Segment>> segments_from(const pqxx::result& rows) {
  std::vector<Segment> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    auto hash = ContentHash::parse(row[0].as<std::string>());
    if (!hash) {
      return Error{ErrorCode::kDataLoss, "malformed blob_segments row"};
    }
    out.push_back({std::move(*hash), row[1].as<std::uint64_t>(), row[2].as<std::uint64_t>()});
  }
  return out;
}

// Each distinct segment hash with how many segment rows name it, as two parallel arrays, in
// content-hash order (the order rows are locked in everywhere).
struct References {
  std::string hashes;
  std::string counts;
  std::size_t distinct = 0;
};

References reference_arrays(const std::vector<Segment>& segments) {
  std::map<std::string, std::uint64_t> counts;
  for (const Segment& s : segments) {
    ++counts[s.hash.hex()];
  }
  PgArray hashes, ns;
  for (const auto& [hash, n] : counts) {
    hashes.add(hash);
    ns.add(n);
  }
  return {hashes.str(), ns.str(), counts.size()};
}

}  // namespace

void PgSegmentRepository::prepare(pqxx::connection& conn) {
  conn.prepare("segment_list",
               "SELECT segment_hash, offset_bytes, size_bytes FROM blob_segments "
               "WHERE storage_class = $1 AND content_hash = $2 ORDER BY ordinal");
  conn.prepare("segment_any",
               "SELECT 1 FROM blob_segments WHERE storage_class = $1 AND content_hash = $2 "
               "LIMIT 1");
  // Locks the segment blobs' rows in hash order and counts those that exist.
  conn.prepare("segment_lock_blobs",
               "SELECT count(*) FROM (SELECT 1 FROM blobs WHERE storage_class = $1 AND "
               "content_hash = ANY($2::text[]) ORDER BY content_hash COLLATE \"C\" FOR UPDATE) l");
  conn.prepare("segment_add_refs",
               "UPDATE blobs AS b SET ref_count = b.ref_count + u.n, updated_at = now() "
               "FROM unnest($2::text[], $3::bigint[]) AS u(h, n) "
               "WHERE b.storage_class = $1 AND b.content_hash = u.h");
  conn.prepare("segment_release_refs",
               "UPDATE blobs AS b SET ref_count = GREATEST(b.ref_count - u.n, 0), "
               "updated_at = now() FROM unnest($2::text[], $3::bigint[]) AS u(h, n) "
               "WHERE b.storage_class = $1 AND b.content_hash = u.h");
  conn.prepare("segment_insert",
               "INSERT INTO blob_segments (storage_class, content_hash, ordinal, segment_hash, "
               "offset_bytes, size_bytes) SELECT $1, $2, u.o - 1, u.h, u.off, u.s FROM "
               "unnest($3::text[], $4::bigint[], $5::bigint[]) WITH ORDINALITY AS u(h, off, s, o)");
  conn.prepare("segment_delete",
               "DELETE FROM blob_segments WHERE storage_class = $1 AND content_hash = $2 "
               "RETURNING segment_hash, offset_bytes, size_bytes");
}

Result<std::vector<Segment>> PgSegmentRepository::segments(StorageClass c,
                                                           const ContentHash& hash) {
  return guarded([&]() -> Result<std::vector<Segment>> {
    return segments_from(sql_.exec("segment_list", class_param(c), hash.hex()));
  });
}

Status PgSegmentRepository::attach(StorageClass c, const ContentHash& hash,
                                   const std::vector<Segment>& segments) {
  return guarded([&]() -> Status {
    if (!sql_.exec("segment_any", class_param(c), hash.hex()).empty()) {
      return Error{ErrorCode::kAlreadyExists, "blob " + hash.hex() + " already has segments"};
    }
    auto [hashes, counts, distinct] = reference_arrays(segments);
    if (sql_.exec("segment_lock_blobs", class_param(c), hashes)[0][0].as<std::size_t>() !=
        distinct) {
      return Error{ErrorCode::kFailedPrecondition,
                   "a segment of blob " + hash.hex() + " is no longer stored"};
    }
    sql_.exec("segment_add_refs", class_param(c), hashes, counts);
    // Batches bound the size of one statement's parameters.
    constexpr std::size_t kBatch = 10'000;
    for (std::size_t start = 0; start < segments.size(); start += kBatch) {
      PgArray seg_hashes, offsets, sizes;
      for (std::size_t i = start; i < segments.size() && i < start + kBatch; ++i) {
        seg_hashes.add(segments[i].hash.hex());
        offsets.add(segments[i].offset_bytes);
        sizes.add(segments[i].size_bytes);
      }
      sql_.exec("segment_insert", class_param(c), hash.hex(), seg_hashes.str(), offsets.str(),
                sizes.str());
    }
    return {};
  });
}

Result<std::vector<Segment>> PgSegmentRepository::detach(StorageClass c, const ContentHash& hash) {
  return guarded([&]() -> Result<std::vector<Segment>> {
    auto segments = segments_from(sql_.exec("segment_delete", class_param(c), hash.hex()));
    if (!segments || segments->empty()) {
      return segments;
    }
    auto [hashes, counts, distinct] = reference_arrays(*segments);
    sql_.exec("segment_lock_blobs", class_param(c), hashes);
    sql_.exec("segment_release_refs", class_param(c), hashes, counts);
    return segments;
  });
}

}  // namespace castor
