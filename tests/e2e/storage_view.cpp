#include "e2e/storage_view.h"

#include <charconv>
#include <stdexcept>
#include <system_error>

#include <pugixml.hpp>

#include "e2e/s3_support.h"
#include "support/sha256.h"
#include "support/storage_files.h"

namespace castor::e2e {
namespace {

namespace fs = std::filesystem;

std::string setting(const testing::ServerProcess& server, const std::string& name) {
  const auto found = server.settings().find(name);
  return found == server.settings().end() ? std::string() : found->second;
}

// An S3 client of the backend: path style, to the port of its http://127.0.0.1:<port> endpoint.
S3TestClient client_of(const testing::S3BackendTarget& target) {
  const std::string_view endpoint = target.endpoint;
  const std::size_t colon = endpoint.rfind(':');
  unsigned port = 0;
  if (colon == std::string_view::npos ||
      std::from_chars(endpoint.data() + colon + 1, endpoint.data() + endpoint.size(), port).ec !=
          std::errc() ||
      port == 0 || port > 65535) {
    throw std::runtime_error("the S3 backend endpoint has no port: " + target.endpoint);
  }
  return S3TestClient(static_cast<std::uint16_t>(port),
                      S3Credential{target.access_key_id, target.secret_access_key});
}

[[noreturn]] void unexpected(const std::string& what, const testing::HttpResponse& response) {
  throw std::runtime_error(what + " answered " + std::to_string(response.status) + ": " +
                           response.body.substr(0, 300));
}

}  // namespace

std::string content_name(std::string_view hex) {
  return std::string(hex.substr(0, 2)) + "/" + std::string(hex.substr(2, 2)) + "/" +
         std::string(hex);
}

StorageView StorageView::of(const testing::ServerProcess& server) {
  StorageView view;
  view.hot_.directory = setting(server, "HOT_STORAGE_PATH");
  view.cold_.directory = setting(server, "COLD_STORAGE_PATH");
  for (auto [cls, root] : {std::pair{"HOT", &view.hot_}, std::pair{"COLD", &view.cold_}}) {
    const std::string name(cls);
    if (setting(server, name + "_STORAGE_BACKEND") != "s3") {
      continue;
    }
    const testing::S3BackendTarget target{setting(server, name + "_S3_ENDPOINT"),
                                          setting(server, name + "_S3_BUCKET"),
                                          setting(server, name + "_S3_ACCESS_KEY_ID"),
                                          setting(server, name + "_S3_SECRET_ACCESS_KEY")};
    if (view.s3_ && (view.s3_->endpoint != target.endpoint || view.s3_->bucket != target.bucket)) {
      throw std::runtime_error("StorageView: hot and cold in different buckets is not supported");
    }
    view.s3_ = target;
    root->s3_prefix = setting(server, name + "_S3_PREFIX");
  }
  return view;
}

const StorageView::ClassRoot& StorageView::root(std::string_view storage_class) const {
  if (storage_class == "hot") {
    return hot_;
  }
  if (storage_class == "cold") {
    return cold_;
  }
  throw std::invalid_argument("no storage class " + std::string(storage_class));
}

bool StorageView::is_s3(std::string_view storage_class) const {
  return root(storage_class).s3_prefix.has_value();
}

std::optional<std::string> StorageView::content(std::string_view storage_class,
                                                std::string_view hex) const {
  const ClassRoot& r = root(storage_class);
  if (!r.s3_prefix) {
    const fs::path file = testing::content_path(r.directory, hex);
    std::error_code ec;
    if (!fs::exists(file, ec)) {
      return std::nullopt;
    }
    return testing::read_file(file);
  }
  const std::string key = *r.s3_prefix + content_name(hex);
  const testing::HttpResponse response = client_of(*s3_).get(s3_->bucket, key);
  if (response.status == 404) {
    return std::nullopt;
  }
  if (response.status != 200) {
    unexpected("GetObject " + key, response);
  }
  return response.body;
}

bool StorageView::has_content(std::string_view storage_class, std::string_view hex) const {
  const ClassRoot& r = root(storage_class);
  if (!r.s3_prefix) {
    std::error_code ec;
    return fs::exists(testing::content_path(r.directory, hex), ec);
  }
  const std::string key = *r.s3_prefix + content_name(hex);
  const testing::HttpResponse response = client_of(*s3_).head(s3_->bucket, key);
  if (response.status != 200 && response.status != 404) {
    unexpected("HeadObject " + key, response);
  }
  return response.status == 200;
}

std::vector<StoredEntry> StorageView::list(const ClassRoot& r, bool temp) const {
  std::vector<StoredEntry> entries;
  if (!r.s3_prefix) {
    for (const fs::path& file :
         temp ? testing::temp_files(r.directory) : testing::content_files(r.directory)) {
      entries.push_back({fs::relative(file, r.directory).generic_string(), fs::file_size(file)});
    }
    return entries;
  }
  // ListObjectsV2 of the prefix, page by page.
  S3TestClient client = client_of(*s3_);
  const std::string prefix = *r.s3_prefix + (temp ? ".tmp/" : "");
  std::optional<std::string> token;
  do {
    std::vector<std::pair<std::string, std::string>> query = {{"list-type", "2"},
                                                              {"prefix", prefix}};
    if (token) {
      query.emplace_back("continuation-token", *token);
    }
    const testing::HttpResponse response =
        client.send({.method = "GET", .bucket = s3_->bucket, .query = query});
    if (response.status != 200) {
      unexpected("ListObjectsV2 " + prefix, response);
    }
    pugi::xml_document xml;
    if (!xml.load_string(response.body.c_str())) {
      throw std::runtime_error("ListObjectsV2 answered unreadable XML: " + response.body);
    }
    const pugi::xml_node result = xml.child("ListBucketResult");
    for (const pugi::xml_node contents : result.children("Contents")) {
      std::string name = contents.child_value("Key");
      name.erase(0, r.s3_prefix->size());
      const bool is_temp = name.starts_with(".tmp/");
      if (temp ? name.starts_with(".tmp/.") : is_temp) {
        continue;
      }
      entries.push_back({std::move(name), std::stoull(contents.child_value("Size"))});
    }
    token.reset();
    if (std::string_view(result.child_value("IsTruncated")) == "true") {
      token = result.child_value("NextContinuationToken");
    }
  } while (token);
  return entries;
}

std::vector<StoredEntry> StorageView::content_entries(std::string_view storage_class) const {
  return list(root(storage_class), /*temp=*/false);
}

std::vector<StoredEntry> StorageView::temp_entries(std::string_view storage_class) const {
  return list(root(storage_class), /*temp=*/true);
}

std::string StorageView::read_entry(std::string_view storage_class, std::string_view name) const {
  const ClassRoot& r = root(storage_class);
  if (!r.s3_prefix) {
    return testing::read_file(r.directory / std::string(name));
  }
  const std::string key = *r.s3_prefix + std::string(name);
  const testing::HttpResponse response = client_of(*s3_).get(s3_->bucket, key);
  if (response.status != 200) {
    unexpected("GetObject " + key, response);
  }
  return response.body;
}

std::string StorageView::describe(std::string_view storage_class, std::string_view hex) const {
  return describe_entry(storage_class, content_name(hex));
}

std::string StorageView::describe_entry(std::string_view storage_class,
                                        std::string_view name) const {
  const ClassRoot& r = root(storage_class);
  if (!r.s3_prefix) {
    return (r.directory / std::string(name)).string();
  }
  return "s3://" + s3_->bucket + "/" + *r.s3_prefix + std::string(name);
}

std::vector<StoredClass> StorageView::stored_classes() const {
  std::vector<StoredClass> stored;
  for (const char* cls : {"hot", "cold"}) {
    const std::string name(cls);
    stored.push_back(
        {.storage_class = name,
         .content = content_entries(name),
         .temps = temp_entries(name),
         .sha256_of =
             [view = *this, name](const std::string& entry) {
               return testing::sha256_hex(view.read_entry(name, entry));
             },
         .describe = [view = *this, name](
                         const std::string& entry) { return view.describe_entry(name, entry); }});
  }
  return stored;
}

std::optional<std::string> stored_bytes(const std::string& database_url, const StorageView& view,
                                        std::string_view storage_class,
                                        std::string_view content_hash) {
  if (std::optional<std::string> bytes = view.content(storage_class, content_hash)) {
    return bytes;
  }
  return row_content(database_url, storage_class, content_hash);
}

std::vector<std::string> invariant_violations(const std::string& database_url,
                                              const StorageView& view) {
  return invariant_violations(database_url, view.stored_classes());
}

}  // namespace castor::e2e
