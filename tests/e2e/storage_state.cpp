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

// Rows of blobs whose ref_count differs from the number of COMMITTED objects pointing at them,
// or objects pointing at no blob. The casts keep this independent of the column types.
constexpr const char* kRefCountMismatches = R"sql(
  WITH live AS (
    SELECT storage_class::text AS storage_class, content_hash::text AS content_hash,
           count(*) AS objects
    FROM objects WHERE upper(status::text) = 'COMMITTED' GROUP BY 1, 2)
  SELECT coalesce(b.storage_class::text, l.storage_class), coalesce(b.content_hash::text,
         l.content_hash), b.ref_count, coalesce(l.objects, 0)
  FROM blobs b FULL OUTER JOIN live l
    ON b.storage_class::text = l.storage_class AND b.content_hash::text = l.content_hash
  WHERE b.ref_count IS DISTINCT FROM coalesce(l.objects, 0) OR b.ref_count = 0)sql";

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
                         ", committed objects " + row[3].c_str());
  }
  for (const auto& row : tx.exec(kUnsettledObjects)) {
    violations.push_back(std::string(row[1].c_str()) + " objects still " + row[0].c_str());
  }
  for (const auto& row : tx.exec(kObjectBlobSizeMismatches)) {
    violations.push_back("object " + row[0].as<std::string>() + " has size " + row[1].c_str() +
                         " but its blob " + row[2].c_str());
  }
}

void check_class_root(const fs::path& root, const std::string& storage_class,
                      const std::map<BlobKey, std::int64_t>& blob_sizes,
                      std::vector<std::string>& violations) {
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
    if (key.first == storage_class && !hashes_on_disk.contains(key.second)) {
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
  {
    pqxx::connection connection(database_url);
    pqxx::work tx(connection);
    check_database(tx, violations);
    for (const auto& row :
         tx.exec("SELECT storage_class::text, content_hash::text, size_bytes FROM blobs")) {
      blob_sizes[{row[0].as<std::string>(), row[1].as<std::string>()}] = row[2].as<std::int64_t>();
    }
  }
  for (const char* storage_class : {"hot", "cold"}) {
    check_class_root(storage_root / storage_class, storage_class, blob_sizes, violations);
  }
  return violations;
}

}  // namespace castor::e2e
