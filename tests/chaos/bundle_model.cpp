#include "chaos/bundle_model.h"

#include <exception>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "chaos/archive_entries.h"
#include "chaos/http_util.h"
#include "support/sha256.h"

namespace castor::chaos {
namespace {

std::string digest(std::string_view data) {
  const std::string hex = testing::sha256_hex(data);
  std::string raw(32, '\0');
  for (std::size_t i = 0; i < raw.size(); ++i) {
    raw[i] = static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return raw;
}

std::string hex(const std::string& raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace

std::string merkle_root(const std::vector<BundleFile>& files) {
  if (files.empty()) {
    return testing::sha256_hex("");
  }
  std::vector<std::string> level;
  for (const BundleFile& file : files) {  // already sorted by path
    level.push_back(digest(file.path + ":" + file.hash));
  }
  while (level.size() > 1) {
    std::vector<std::string> up;
    for (std::size_t i = 0; i < level.size(); i += 2) {
      up.push_back(digest(level[i] + (i + 1 < level.size() ? level[i + 1] : level[i])));
    }
    level = std::move(up);
  }
  return hex(level[0]);
}

std::string bundle_request(const BundleRecord& bundle, bool with_root) {
  boost::json::array files;
  for (const BundleFile& file : bundle.files) {
    files.push_back(boost::json::object{
        {"path", file.path}, {"hash", file.hash}, {"size_bytes", file.size}, {"mode", file.mode}});
  }
  boost::json::object body{{"files", std::move(files)},
                           {"metadata", boost::json::object{{"chaos", bundle.tag}}}};
  if (with_root) {
    body["merkle_root"] = bundle.merkle_root;
  }
  return boost::json::serialize(body);
}

std::string manifest_problem(const BundleRecord& bundle, const testing::HttpResponse& response) {
  if (response.status != 200) {
    return "GET answered " + status_text(response);
  }
  boost::json::value storage;
  const boost::json::object* body = parse(response.body, storage);
  if (body == nullptr || json_string(*body, "id") != bundle.id ||
      json_string(*body, "merkle_root") != bundle.merkle_root ||
      json_count(*body, "file_count") != static_cast<std::int64_t>(bundle.files.size()) ||
      !body->contains("files") || !body->at("files").is_array() || !body->contains("metadata") ||
      !body->at("metadata").is_object() ||
      json_string(body->at("metadata").as_object(), "chaos") != bundle.tag) {
    return "manifest does not match: " + response.body.substr(0, 300);
  }
  const boost::json::array& files = body->at("files").as_array();
  if (files.size() != bundle.files.size()) {
    return "manifest lists " + std::to_string(files.size()) + " files, not " +
           std::to_string(bundle.files.size());
  }
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const BundleFile& want = bundle.files[i];
    total += want.size;
    const boost::json::object* file = files[i].if_object();
    if (file == nullptr || json_string(*file, "path") != want.path ||
        json_string(*file, "hash") != want.hash ||
        json_count(*file, "size_bytes") != static_cast<std::int64_t>(want.size) ||
        json_count(*file, "mode") != static_cast<std::int64_t>(want.mode)) {
      return "manifest file " + std::to_string(i) + " is " + boost::json::serialize(files[i]) +
             ", not " + want.path + " " + want.hash;
    }
  }
  if (json_count(*body, "total_bytes") != static_cast<std::int64_t>(total)) {
    return "manifest total_bytes is not " + std::to_string(total);
  }
  return {};
}

std::string archive_problem(const BundleRecord& bundle, const testing::HttpResponse& response,
                            bool zip) {
  if (response.status != 200) {
    return "download answered " + status_text(response);
  }
  const std::string type = zip ? "application/zip" : "application/x-tar";
  if (response.header("Content-Type") != type) {
    return "download has Content-Type " + response.header("Content-Type");
  }
  std::vector<ArchiveEntry> entries;
  try {
    entries = read_archive(response.body);
  } catch (const std::exception& e) {
    return std::string("archive of ") + std::to_string(response.body.size()) +
           " bytes is unreadable: " + e.what();
  }
  if (entries.size() != bundle.files.size()) {
    return "archive has " + std::to_string(entries.size()) + " entries, not " +
           std::to_string(bundle.files.size());
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const ArchiveEntry& got = entries[i];
    const BundleFile& want = bundle.files[i];
    if (!got.regular || got.path != want.path || got.size != want.size || got.sha256 != want.hash ||
        got.mode != want.mode) {
      return "archive entry " + std::to_string(i) + " is " + got.path + " (" +
             std::to_string(got.size) + " bytes, sha256 " + got.sha256 + ", mode " +
             std::to_string(got.mode) + "), not " + want.path + " (" + std::to_string(want.size) +
             " bytes, sha256 " + want.hash + ", mode " + std::to_string(want.mode) + ")";
    }
  }
  return {};
}

}  // namespace castor::chaos
