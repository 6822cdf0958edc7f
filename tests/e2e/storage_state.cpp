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

// Rows of blobs whose ref_count differs from the number of reference rows pointing at them
// (COMMITTED objects, bundle files, segments of composite blobs, parts of open upload sessions;
// docs/BLOBS_AND_BUNDLES.md), references to no blob row, and unreferenced rows past their grace
// (retain_until), which a collection that did nothing would have deleted. The casts keep this
// independent of the column types.
constexpr const char* kRefCountMismatches = R"sql(
  WITH refs AS (
    SELECT storage_class::text AS storage_class, content_hash::text AS content_hash, 'objects' AS kind
      FROM objects WHERE upper(status::text) = 'COMMITTED'
    UNION ALL
    SELECT u.storage_class::text, f.content_hash::text, 'bundle files'
      FROM bundle_files f JOIN bundles u ON u.id = f.bundle_id
    UNION ALL
    SELECT storage_class::text, segment_hash::text, 'segments' FROM blob_segments
    UNION ALL
    SELECT u.storage_class::text, p.content_hash::text, 'upload parts'
      FROM upload_parts p JOIN upload_sessions u ON u.id = p.upload_id),
  live AS (
    SELECT storage_class, content_hash, count(*) AS refs,
           string_agg(DISTINCT kind, ', ') AS kinds
    FROM refs GROUP BY 1, 2)
  SELECT coalesce(b.storage_class::text, l.storage_class), coalesce(b.content_hash::text,
         l.content_hash), b.ref_count, coalesce(l.refs, 0), coalesce(l.kinds, 'none'),
         coalesce(b.retain_until::text, 'no grace')
  FROM blobs b FULL OUTER JOIN live l
    ON b.storage_class::text = l.storage_class AND b.content_hash::text = l.content_hash
  WHERE b.ref_count IS DISTINCT FROM coalesce(l.refs, 0)
     OR (b.ref_count = 0 AND (b.retain_until IS NULL OR b.retain_until < now())))sql";

// Composite blobs whose segments do not tile their content (ordinals 0..n-1, each offset the
// sum of the sizes before it, the sizes adding up to the blob's) or name a segment blob of
// another size.
constexpr const char* kBadComposites = R"sql(
  WITH s AS (
    SELECT storage_class::text AS storage_class, content_hash::text AS content_hash, ordinal,
           offset_bytes, size_bytes, segment_hash::text AS segment_hash,
           row_number() OVER w - 1 AS expected_ordinal,
           coalesce(sum(size_bytes) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
             AS expected_offset
    FROM blob_segments WINDOW w AS (PARTITION BY storage_class, content_hash ORDER BY ordinal))
  SELECT s.storage_class, s.content_hash, max(b.size_bytes), sum(s.size_bytes), count(*)
  FROM s LEFT JOIN blobs b
    ON b.storage_class::text = s.storage_class AND b.content_hash::text = s.content_hash
  LEFT JOIN blobs g
    ON g.storage_class::text = s.storage_class AND g.content_hash::text = s.segment_hash
  GROUP BY 1, 2
  HAVING bool_or(b.size_bytes IS NULL OR s.ordinal <> s.expected_ordinal
                 OR s.offset_bytes <> s.expected_offset
                 OR g.size_bytes IS DISTINCT FROM s.size_bytes)
      OR sum(s.size_bytes) <> max(b.size_bytes))sql";

// Parts held by sessions that are not open (completion and abort release them), and bundles
// whose summary disagrees with their files or whose files disagree with their blobs' sizes.
constexpr const char* kStrayParts = R"sql(
  SELECT p.upload_id::text, p.part_number FROM upload_parts p
  JOIN upload_sessions u ON u.id = p.upload_id WHERE u.state::text <> 'open')sql";
constexpr const char* kBadBundles = R"sql(
  SELECT u.id::text FROM bundles u LEFT JOIN bundle_files f ON f.bundle_id = u.id
  LEFT JOIN blobs b ON b.storage_class::text = u.storage_class::text
    AND b.content_hash::text = f.content_hash::text
  GROUP BY u.id, u.file_count, u.total_bytes
  HAVING count(f.path) <> u.file_count OR coalesce(sum(f.size_bytes), 0) <> u.total_bytes
      OR bool_or(f.path IS NOT NULL AND b.size_bytes IS DISTINCT FROM f.size_bytes))sql";

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
                         ", references " + row[3].c_str() + " (" + row[4].c_str() + "), " +
                         row[5].c_str());
  }
  for (const auto& row : tx.exec(kBadComposites)) {
    violations.push_back("composite blob " + row[0].as<std::string>() + "/" +
                         row[1].as<std::string>() + " of " +
                         (row[2].is_null() ? "(no row)" : row[2].c_str()) +
                         " bytes has segments that do not tile it (" + row[4].c_str() +
                         " segments, " + row[3].c_str() + " bytes)");
  }
  for (const auto& row : tx.exec(kStrayParts)) {
    violations.push_back("part " + std::string(row[1].c_str()) + " of upload " + row[0].c_str() +
                         " is held though the session is not open");
  }
  for (const auto& row : tx.exec(kBadBundles)) {
    violations.push_back("bundle " + std::string(row[0].c_str()) +
                         " disagrees with its files or their blobs");
  }
  for (const auto& row : tx.exec(kUnsettledObjects)) {
    violations.push_back(std::string(row[1].c_str()) + " objects still " + row[0].c_str());
  }
  for (const auto& row : tx.exec(kObjectBlobSizeMismatches)) {
    violations.push_back("object " + row[0].as<std::string>() + " has size " + row[1].c_str() +
                         " but its blob " + row[2].c_str());
  }
}

void check_class(const StoredClass& stored, const std::map<BlobKey, std::int64_t>& blob_sizes,
                 const std::set<BlobKey>& composites, std::vector<std::string>& violations) {
  static const std::regex kShardedName("([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})");
  const std::string& storage_class = stored.storage_class;
  std::set<std::string> hashes_stored;
  for (const StoredEntry& entry : stored.content) {
    std::smatch match;
    if (!std::regex_match(entry.name, match, kShardedName) ||
        match[3].str().substr(0, 4) != match[1].str() + match[2].str()) {
      violations.push_back("stray file " + stored.describe(entry.name));
      continue;
    }
    const std::string hash = match[3].str();
    hashes_stored.insert(hash);
    const auto blob = blob_sizes.find({storage_class, hash});
    if (blob == blob_sizes.end()) {
      violations.push_back("file without blob row: " + stored.describe(entry.name));
    } else if (static_cast<std::int64_t>(entry.size) != blob->second) {
      violations.push_back("file size differs from its blob row: " + stored.describe(entry.name));
    } else if (stored.sha256_of(entry.name) != hash) {
      violations.push_back("file content does not match its name: " + stored.describe(entry.name));
    }
  }
  for (const auto& [key, size] : blob_sizes) {
    if (key.first == storage_class && !hashes_stored.contains(key.second) &&
        !composites.contains(key)) {
      violations.push_back("blob row without file: " + key.first + "/" + key.second);
    }
  }
  for (const StoredEntry& entry : stored.temps) {
    violations.push_back("temp file left: " + stored.describe(entry.name));
  }
}

}  // namespace

StoredClass stored_files(const fs::path& storage_root, std::string_view storage_class) {
  const fs::path root = storage_root / storage_class;
  StoredClass stored{
      .storage_class = std::string(storage_class),
      .content = {},
      .temps = {},
      .sha256_of =
          [root](const std::string& name) { return testing::sha256_file_hex(root / name); },
      .describe = [root](const std::string& name) { return (root / name).string(); }};
  for (const fs::path& file : testing::content_files(root)) {
    stored.content.push_back({fs::relative(file, root).generic_string(), fs::file_size(file)});
  }
  for (const fs::path& file : testing::temp_files(root)) {
    stored.temps.push_back({fs::relative(file, root).generic_string(), fs::file_size(file)});
  }
  return stored;
}

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

std::optional<std::string> stored_bytes(const std::string& database_url,
                                        const fs::path& storage_root,
                                        std::string_view storage_class,
                                        std::string_view content_hash) {
  const fs::path file =
      testing::content_path(storage_root / storage_class, std::string(content_hash));
  if (fs::exists(file)) {
    return testing::read_file(file);
  }
  return row_content(database_url, storage_class, content_hash);
}

std::optional<std::string> row_content(const std::string& database_url,
                                       std::string_view storage_class,
                                       std::string_view content_hash) {
  pqxx::connection connection(database_url);
  pqxx::nontransaction tx(connection);
  const pqxx::result rows = tx.exec_params(
      "SELECT encode(content, 'hex') FROM blobs WHERE storage_class::text = $1 AND "
      "content_hash::text = $2 AND content IS NOT NULL",
      std::string(storage_class), std::string(content_hash));
  if (rows.empty()) {
    return std::nullopt;
  }
  const std::string hex = rows[0][0].as<std::string>();
  std::string bytes(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return bytes;
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
  return invariant_violations(
      database_url, {stored_files(storage_root, "hot"), stored_files(storage_root, "cold")});
}

std::vector<std::string> invariant_violations(const std::string& database_url,
                                              const std::vector<StoredClass>& stored) {
  std::vector<std::string> violations;
  std::map<BlobKey, std::int64_t> blob_sizes;
  // Content that needs no file: composites (their segments) and small content in the row.
  std::set<BlobKey> composites;
  {
    pqxx::connection connection(database_url);
    pqxx::work tx(connection);
    check_database(tx, violations);
    // Small content kept in its blob row (INLINE_MAX_BYTES) must be the content it is named by.
    for (const auto& row :
         tx.exec("SELECT storage_class::text, content_hash::text, "
                 "octet_length(content) = size_bytes, encode(sha256(content), 'hex') = "
                 "content_hash::text FROM blobs WHERE content IS NOT NULL")) {
      const std::string name = row[0].as<std::string>() + "/" + row[1].as<std::string>();
      if (!row[2].as<bool>()) {
        violations.push_back("row content size differs from its blob row: " + name);
      } else if (!row[3].as<bool>()) {
        violations.push_back("row content does not match its hash: " + name);
      }
      composites.insert({row[0].as<std::string>(), row[1].as<std::string>()});
    }
    for (const auto& row :
         tx.exec("SELECT storage_class::text, content_hash::text, size_bytes FROM blobs")) {
      blob_sizes[{row[0].as<std::string>(), row[1].as<std::string>()}] = row[2].as<std::int64_t>();
    }
    for (const auto& row :
         tx.exec("SELECT DISTINCT storage_class::text, content_hash::text FROM blob_segments")) {
      composites.insert({row[0].as<std::string>(), row[1].as<std::string>()});
    }
  }
  for (const StoredClass& one : stored) {
    check_class(one, blob_sizes, composites, violations);
  }
  return violations;
}

}  // namespace castor::e2e
