#include "e2e/inline_state.h"

#include <set>
#include <stdexcept>
#include <utility>

#include <boost/json/parse.hpp>
#include <pqxx/pqxx>

#include "e2e/storage_state.h"
#include "support/sha256.h"
#include "support/storage_files.h"

namespace castor::e2e {
namespace {

constexpr std::string_view kRowWithoutFile = "blob row without file: ";

// Inline blob rows whose bytes are not their content. pgcrypto is not needed: sha256() is built
// into PostgreSQL since 11.
constexpr const char* kBadInlineRows = R"sql(
  SELECT storage_class::text, content_hash::text, size_bytes, octet_length(content),
         encode(sha256(content), 'hex')
  FROM blobs
  WHERE content IS NOT NULL
    AND (octet_length(content) <> size_bytes OR encode(sha256(content), 'hex') <> content_hash::text))sql";

// COMMITTED objects whose blob row is missing (the ref-count check reports these too, but by
// blob; this names the object).
constexpr const char* kObjectsWithoutBlob = R"sql(
  SELECT o.id::text, o.storage_class::text, o.content_hash::text FROM objects o
  LEFT JOIN blobs b ON b.storage_class::text = o.storage_class::text
                   AND b.content_hash::text = o.content_hash::text
  WHERE upper(o.status::text) = 'COMMITTED' AND b.content_hash IS NULL)sql";

}  // namespace

bool inline_column_exists(const std::string& database_url) {
  pqxx::connection connection(database_url);
  pqxx::work tx(connection);
  return !tx.exec(
                "SELECT 1 FROM information_schema.columns WHERE table_name = 'blobs' AND "
                "column_name = 'content'")
              .empty();
}

std::string StoredContent::describe() const {
  std::string text =
      row ? "row ref_count " + std::to_string(ref_count) + " size " + std::to_string(size_bytes)
          : std::string("no row");
  text += inline_content ? ", inline (" + std::to_string(inline_bytes) + " bytes)" : ", not inline";
  text += file ? ", file" : ", no file";
  return text;
}

std::map<std::string, StoredContent> stored_contents(const std::string& database_url,
                                                     const std::filesystem::path& storage_root,
                                                     std::string_view storage_class,
                                                     const std::set<std::string>& content_hashes) {
  std::map<std::string, StoredContent> found;
  const bool has_column = inline_column_exists(database_url);
  pqxx::connection connection(database_url);
  pqxx::work tx(connection);
  const std::string query = has_column
                                ? "SELECT ref_count, size_bytes, content IS NOT NULL, "
                                  "coalesce(encode(sha256(content), 'hex'), ''), "
                                  "coalesce(octet_length(content), 0) FROM blobs "
                                  "WHERE storage_class::text = $1 AND content_hash::text = $2"
                                : "SELECT ref_count, size_bytes, false, '', 0 FROM blobs "
                                  "WHERE storage_class::text = $1 AND content_hash::text = $2";
  for (const std::string& content_hash : content_hashes) {
    StoredContent& stored = found[content_hash];
    const pqxx::result rows = tx.exec_params(query, std::string(storage_class), content_hash);
    if (!rows.empty()) {
      stored.row = true;
      stored.ref_count = rows[0][0].as<std::int64_t>();
      stored.size_bytes = rows[0][1].as<std::int64_t>();
      stored.inline_content = rows[0][2].as<bool>();
      stored.inline_sha256 = rows[0][3].as<std::string>();
      stored.inline_bytes = rows[0][4].as<std::int64_t>();
    }
    const std::filesystem::path file =
        testing::content_path(storage_root / std::string(storage_class), content_hash);
    stored.file = std::filesystem::exists(file);
    if (stored.file) {
      stored.file_sha256 = testing::sha256_file_hex(file);
    }
  }
  return found;
}

StoredContent stored_content(const std::string& database_url,
                             const std::filesystem::path& storage_root,
                             std::string_view storage_class, std::string_view content_hash) {
  const std::string hash(content_hash);
  return stored_contents(database_url, storage_root, storage_class, {hash}).at(hash);
}

std::int64_t blob_rows_with_hash(const std::string& database_url, std::string_view content_hash) {
  pqxx::connection connection(database_url);
  pqxx::work tx(connection);
  return tx
      .exec_params1("SELECT count(*) FROM blobs WHERE content_hash::text = $1",
                    std::string(content_hash))[0]
      .as<std::int64_t>();
}

std::vector<std::string> path_invariant_violations(const std::string& database_url,
                                                   const std::filesystem::path& storage_root) {
  std::set<std::string> inline_blobs;  // "class/hash" of rows whose content is inline
  std::vector<std::string> violations;
  if (inline_column_exists(database_url)) {
    pqxx::connection connection(database_url);
    pqxx::work tx(connection);
    for (const auto& row : tx.exec("SELECT storage_class::text || '/' || content_hash::text "
                                   "FROM blobs WHERE content IS NOT NULL")) {
      inline_blobs.insert(row[0].as<std::string>());
    }
    for (const auto& row : tx.exec(kBadInlineRows)) {
      violations.push_back("inline blob " + row[0].as<std::string>() + "/" +
                           row[1].as<std::string>() + " of size " + row[2].c_str() + " holds " +
                           row[3].c_str() + " bytes hashing to " + row[4].c_str());
    }
  }
  {
    pqxx::connection connection(database_url);
    pqxx::work tx(connection);
    for (const auto& row : tx.exec(kObjectsWithoutBlob)) {
      violations.push_back("COMMITTED object " + row[0].as<std::string>() + " has no blob row " +
                           row[1].c_str() + "/" + row[2].c_str());
    }
  }
  for (std::string& violation : invariant_violations(database_url, storage_root)) {
    if (violation.starts_with(kRowWithoutFile) &&
        inline_blobs.contains(violation.substr(kRowWithoutFile.size()))) {
      continue;  // inline content needs no file
    }
    violations.push_back(std::move(violation));
  }
  return violations;
}

boost::json::object run_fsck(testing::HttpClient& client) {
  const testing::HttpResponse response = client.request("POST", "/v1/admin/fsck");
  boost::system::error_code ec;
  boost::json::value report = boost::json::parse(response.body, ec);
  if (response.status != 200 || ec || !report.is_object()) {
    throw std::runtime_error("POST /v1/admin/fsck: " + std::to_string(response.status) + " " +
                             response.body.substr(0, 2000));
  }
  return std::move(report.as_object());
}

}  // namespace castor::e2e
