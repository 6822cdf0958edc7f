#include "e2e/storage_state.h"

#include <regex>
#include <set>
#include <utility>

#include <pqxx/pqxx>

#include "support/sha256.h"
#include "support/storage_files.h"

namespace castor::e2e {
namespace {

namespace fs = std::filesystem;

// Rows of blobs whose ref_count differs from the number of live references of every kind
// (docs/BLOBS_AND_BUNDLES.md: COMMITTED objects, segments of composite blobs, bundle files, parts
// of open upload sessions), references to no blob, and unreferenced rows out of their grace. The
// casts keep this independent of the column types.
constexpr const char* kRefCountMismatches = R"sql(
  WITH refs AS (
    SELECT storage_class::text AS storage_class, content_hash::text AS content_hash
      FROM objects WHERE upper(status::text) = 'COMMITTED'
    UNION ALL
    SELECT storage_class::text, segment_hash::text FROM blob_segments
    UNION ALL
    SELECT b.storage_class::text, f.content_hash::text
      FROM bundle_files f JOIN bundles b ON b.id = f.bundle_id
    UNION ALL
    SELECT s.storage_class::text, p.content_hash::text
      FROM upload_parts p JOIN upload_sessions s ON s.id = p.upload_id),
  live AS (SELECT storage_class, content_hash, count(*) AS refs FROM refs GROUP BY 1, 2)
  SELECT coalesce(b.storage_class::text, l.storage_class), coalesce(b.content_hash::text,
         l.content_hash), b.ref_count, coalesce(l.refs, 0)
  FROM blobs b FULL OUTER JOIN live l
    ON b.storage_class::text = l.storage_class AND b.content_hash::text = l.content_hash
  WHERE b.ref_count IS DISTINCT FROM coalesce(l.refs, 0)
     OR (b.ref_count = 0 AND (b.retain_until IS NULL OR b.retain_until < now())))sql";

// Composite blobs whose segments do not tile their content: ordinals 0.., each offset the sum of
// the sizes before it, the sizes adding up to the blob's size, each segment a blob of its size.
constexpr const char* kSegmentMismatches = R"sql(
  WITH seg AS (
    SELECT storage_class::text AS storage_class, content_hash::text AS content_hash, ordinal,
           offset_bytes, size_bytes, segment_hash::text AS segment_hash,
           row_number() OVER w - 1 AS expected_ordinal,
           sum(size_bytes) OVER w - size_bytes AS expected_offset
      FROM blob_segments
    WINDOW w AS (PARTITION BY storage_class, content_hash ORDER BY ordinal))
  SELECT seg.storage_class, seg.content_hash, 'segment ' || seg.ordinal || ' misplaced or sized '
         || seg.size_bytes || ' against its blob ' || coalesce(sb.size_bytes::text, '(no row)')
    FROM seg LEFT JOIN blobs sb
      ON sb.storage_class::text = seg.storage_class AND sb.content_hash::text = seg.segment_hash
   WHERE seg.ordinal <> seg.expected_ordinal OR seg.offset_bytes <> seg.expected_offset
      OR sb.size_bytes IS DISTINCT FROM seg.size_bytes
  UNION ALL
  SELECT t.storage_class, t.content_hash, 'segments add up to ' || t.total || ', the blob has '
         || coalesce(b.size_bytes::text, '(no row)')
    FROM (SELECT storage_class::text AS storage_class, content_hash::text AS content_hash,
                 sum(size_bytes) AS total FROM blob_segments GROUP BY 1, 2) t
    LEFT JOIN blobs b
      ON b.storage_class::text = t.storage_class AND b.content_hash::text = t.content_hash
   WHERE b.size_bytes IS DISTINCT FROM t.total)sql";

// Parts of upload sessions whose size is not their blob's.
constexpr const char* kPartSizeMismatches = R"sql(
  SELECT p.upload_id::text, p.part_number, p.size_bytes, b.size_bytes
    FROM upload_parts p JOIN upload_sessions s ON s.id = p.upload_id
    LEFT JOIN blobs b
      ON b.storage_class::text = s.storage_class::text AND b.content_hash::text = p.content_hash::text
   WHERE b.size_bytes IS DISTINCT FROM p.size_bytes)sql";

constexpr const char* kUnsettledObjects = R"sql(
  SELECT upper(status::text), count(*) FROM objects
  WHERE upper(status::text) IN ('WRITING', 'DELETING') GROUP BY 1)sql";

constexpr const char* kObjectBlobSizeMismatches = R"sql(
  SELECT o.id::text, o.size_bytes, b.size_bytes FROM objects o JOIN blobs b
    ON b.storage_class::text = o.storage_class::text AND b.content_hash::text = o.content_hash::text
  WHERE upper(o.status::text) = 'COMMITTED' AND o.size_bytes <> b.size_bytes)sql";

using BlobKey = std::pair<std::string, std::string>;  // (storage class, content hash)

void check_database(pqxx::work& tx, std::vector<std::string>& violations) {
  for (const auto& row : tx.exec(kRefCountMismatches)) {
    violations.push_back("blob " + row[0].as<std::string>() + "/" + row[1].as<std::string>() +
                         ": ref_count " + (row[2].is_null() ? "(no row)" : row[2].c_str()) +
                         ", live references " + row[3].c_str());
  }
  for (const auto& row : tx.exec(kUnsettledObjects)) {
    violations.push_back(std::string(row[1].c_str()) + " objects still " + row[0].c_str());
  }
  for (const auto& row : tx.exec(kObjectBlobSizeMismatches)) {
    violations.push_back("object " + row[0].as<std::string>() + " has size " + row[1].c_str() +
                         " but its blob " + row[2].c_str());
  }
  for (const auto& row : tx.exec(kSegmentMismatches)) {
    violations.push_back("composite blob " + row[0].as<std::string>() + "/" +
                         row[1].as<std::string>() + ": " + row[2].as<std::string>());
  }
  for (const auto& row : tx.exec(kPartSizeMismatches)) {
    violations.push_back("upload " + row[0].as<std::string>() + " part " + row[1].c_str() +
                         " has size " + row[2].c_str() + " but its blob " +
                         (row[3].is_null() ? "(no row)" : row[3].c_str()));
  }
}

void check_class_root(const fs::path& root, const std::string& storage_class,
                      const std::map<BlobKey, std::int64_t>& blob_sizes,
                      const std::set<BlobKey>& composites, std::vector<std::string>& violations) {
  static const std::regex kShardedName("([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})");
  std::set<std::string> hashes_on_disk;
  for (const fs::path& file : testing::content_files(root)) {
    const std::string relative = fs::relative(file, root).generic_string();
    std::smatch match;
    if (!std::regex_match(relative, match, kShardedName) ||
        match[3].str().substr(0, 4) != match[1].str() + match[2].str()) {
      violations.push_back("stray file " + file.string());
      continue;
    }
    const std::string hash = match[3].str();
    hashes_on_disk.insert(hash);
    const auto blob = blob_sizes.find({storage_class, hash});
    if (blob == blob_sizes.end()) {
      violations.push_back("file without blob row: " + file.string());
    } else if (static_cast<std::int64_t>(fs::file_size(file)) != blob->second) {
      violations.push_back("file size differs from its blob row: " + file.string());
    } else if (testing::sha256_file_hex(file) != hash) {
      violations.push_back("file content does not match its name: " + file.string());
    }
  }
  for (const auto& [key, size] : blob_sizes) {
    if (key.first == storage_class && !hashes_on_disk.contains(key.second) &&
        !composites.contains(key)) {
      violations.push_back("blob row without file: " + key.first + "/" + key.second);
    }
  }
  for (const fs::path& file : testing::temp_files(root)) {
    violations.push_back("temp file left: " + file.string());
  }
}

}  // namespace

std::optional<BlobRow> find_blob(const std::string& database_url, std::string_view storage_class,
                                 std::string_view content_hash) {
  pqxx::connection connection(database_url);
  pqxx::work tx(connection);
  const pqxx::result rows = tx.exec_params(
      "SELECT ref_count, size_bytes FROM blobs WHERE storage_class::text = $1 AND "
      "content_hash::text = $2",
      std::string(storage_class), std::string(content_hash));
  if (rows.empty()) {
    return std::nullopt;
  }
  return BlobRow{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>()};
}

std::map<std::string, std::int64_t> object_status_counts(const std::string& database_url,
                                                         std::string_view tenant) {
  pqxx::connection connection(database_url);
  pqxx::work tx(connection);
  std::map<std::string, std::int64_t> counts;
  for (const auto& row : tx.exec_params(
           "SELECT upper(status::text), count(*) FROM objects WHERE tenant_id::text = $1 "
           "GROUP BY 1",
           std::string(tenant))) {
    counts[row[0].as<std::string>()] = row[1].as<std::int64_t>();
  }
  return counts;
}

std::map<std::string, std::string> object_statuses(const std::string& database_url) {
  pqxx::connection connection(database_url);
  pqxx::work tx(connection);
  std::map<std::string, std::string> statuses;
  for (const auto& row : tx.exec("SELECT id::text, upper(status::text) FROM objects")) {
    statuses[row[0].as<std::string>()] = row[1].as<std::string>();
  }
  return statuses;
}

std::vector<std::string> invariant_violations(const std::string& database_url,
                                              const fs::path& storage_root) {
  std::vector<std::string> violations;
  std::map<BlobKey, std::int64_t> blob_sizes;
  std::set<BlobKey> composites;  // their content is their segments' files
  {
    pqxx::connection connection(database_url);
    pqxx::work tx(connection);
    check_database(tx, violations);
    for (const auto& row :
         tx.exec("SELECT storage_class::text, content_hash::text, size_bytes FROM blobs")) {
      blob_sizes[{row[0].as<std::string>(), row[1].as<std::string>()}] = row[2].as<std::int64_t>();
    }
    for (const auto& row :
         tx.exec("SELECT DISTINCT storage_class::text, content_hash::text FROM blob_segments")) {
      composites.insert({row[0].as<std::string>(), row[1].as<std::string>()});
    }
  }
  for (const char* storage_class : {"hot", "cold"}) {
    check_class_root(storage_root / storage_class, storage_class, blob_sizes, composites,
                     violations);
  }
  return violations;
}

}  // namespace castor::e2e
