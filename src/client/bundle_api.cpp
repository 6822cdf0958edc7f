#include "client/bundle_api.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "client/api_common.h"
#include "client/api_error.h"
#include "client/merkle.h"

namespace castor::client {

Result<boost::json::object> create_bundle(HttpClient& http, const Config& config,
                                          const std::vector<BundleFile>& files) {
  boost::json::array list;
  list.reserve(files.size());
  std::vector<MerkleLeaf> leaves;
  leaves.reserve(files.size());
  for (const BundleFile& file : files) {
    list.push_back(boost::json::object{
        {"path", file.path}, {"hash", file.hash}, {"size_bytes", file.size}, {"mode", file.mode}});
    leaves.push_back({file.path, file.hash});
  }
  boost::json::object body{{"files", std::move(list)},
                           {"hash_algo", "sha256"},
                           {"merkle_root", merkle_root(std::move(leaves))}};
  HttpRequest request{.method = "POST",
                      .target = "/v1/bundles",
                      .headers = tenant_headers(config),
                      .body = boost::json::serialize(body)};
  request.headers.emplace_back("Content-Type", "application/json");
  auto response = http.send(request);
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != 201) {
    return server_error(*response, "create bundle");
  }
  return json_body(*response, "create bundle");
}

Result<Manifest> get_bundle(HttpClient& http, const Config& config, const std::string& id) {
  const std::string what = "GET bundle " + id;
  auto response =
      http.send({.target = "/v1/bundles/" + percent_encode(id), .headers = tenant_headers(config)});
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != 200) {
    return server_error(*response, what);
  }
  auto body = json_body(*response, what);
  if (!body) {
    return std::move(body).error();
  }
  Manifest manifest;
  const boost::json::value* files = body->if_contains("files");
  if (files == nullptr || !files->is_array()) {
    return internal_error(what + ": the manifest has no 'files' array");
  }
  for (const boost::json::value& entry : files->as_array()) {
    if (!entry.is_object()) {
      return internal_error(what + ": a manifest entry is not an object");
    }
    const boost::json::object& file = entry.as_object();
    BundleFile parsed{.path = string_member(file, "path"),
                      .hash = string_member(file, "hash"),
                      .size = static_cast<std::uint64_t>(int_member(file, "size_bytes")),
                      .mode = static_cast<std::uint32_t>(int_member(file, "mode") & 07777)};
    if (parsed.hash.starts_with("sha256:")) {
      parsed.hash.erase(0, 7);
    }
    if (file.if_contains("mode") == nullptr) {
      parsed.mode = 0644;
    }
    manifest.files.push_back(std::move(parsed));
  }
  body->erase("files");
  manifest.summary = std::move(*body);
  return manifest;
}

Result<std::vector<boost::json::object>> list_bundles(HttpClient& http, const Config& config) {
  std::vector<boost::json::object> bundles;
  std::string cursor;
  do {
    std::string target = "/v1/bundles?limit=1000";
    if (!cursor.empty()) {
      target += "&cursor=" + percent_encode(cursor);
    }
    auto response = http.send({.target = target, .headers = tenant_headers(config)});
    if (!response) {
      return std::move(response).error();
    }
    if (response->status != 200) {
      return server_error(*response, "list bundles");
    }
    auto body = json_body(*response, "list bundles");
    if (!body) {
      return std::move(body).error();
    }
    if (const auto* page = body->if_contains("bundles"); page && page->is_array()) {
      for (const boost::json::value& bundle : page->as_array()) {
        if (bundle.is_object()) {
          bundles.push_back(bundle.as_object());
        }
      }
    }
    cursor = string_member(*body, "next_cursor");
  } while (!cursor.empty());
  return bundles;
}

Status delete_bundle(HttpClient& http, const Config& config, const std::string& id) {
  auto response = http.send({.method = "DELETE",
                             .target = "/v1/bundles/" + percent_encode(id),
                             .headers = tenant_headers(config)});
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != 204 && response->status != 200) {
    return server_error(*response, "DELETE bundle " + id);
  }
  return {};
}

Status download_bundle(HttpClient& http, const Config& config, const std::string& id,
                       const std::string& format, BodySink& sink,
                       const std::function<void(std::int64_t)>& on_progress) {
  auto response = http.send(
      {.target = "/v1/bundles/" + percent_encode(id) + "/download?format=" + percent_encode(format),
       .headers = tenant_headers(config)},
      &sink, on_progress);
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != 200) {
    return server_error(*response, "download bundle " + id);
  }
  return {};
}

}  // namespace castor::client
