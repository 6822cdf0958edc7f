#include "client/blob_api.h"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "client/api_common.h"
#include "client/api_error.h"

namespace castor::client {

Result<BlobPut> put_blob(HttpClient& http, const Config& config, const std::filesystem::path& file,
                         const std::string& hash, std::uint64_t size,
                         const std::function<void(std::int64_t)>& on_progress,
                         bool expect_continue) {
  HttpRequest request{.method = "PUT",
                      .target = "/v1/blobs/" + hash + "?size_bytes=" + std::to_string(size),
                      .headers = tenant_headers(config),
                      .body_file = file,
                      .expect_continue = expect_continue};
  request.headers.emplace_back("Content-Type", "application/octet-stream");
  auto response = http.send(request, nullptr, on_progress);
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != 200 && response->status != 201) {
    return server_error(*response, "PUT blob " + hash + " (" + file.string() + ")");
  }
  return BlobPut{.stored = response->status == 201, .bytes_sent = response->bytes_sent};
}

Result<std::vector<std::string>> preflight(HttpClient& http, const Config& config,
                                           const std::vector<std::string>& hashes) {
  boost::json::array list;
  list.reserve(hashes.size());
  for (const std::string& hash : hashes) {
    list.emplace_back(hash);
  }
  HttpRequest request{.method = "POST",
                      .target = "/v1/blobs/preflight",
                      .headers = tenant_headers(config),
                      .body = boost::json::serialize(boost::json::object{{"hashes", list}})};
  request.headers.emplace_back("Content-Type", "application/json");
  auto response = http.send(request);
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != 200) {
    return server_error(*response, "preflight");
  }
  auto body = json_body(*response, "preflight");
  if (!body) {
    return std::move(body).error();
  }
  std::vector<std::string> missing;
  const boost::json::value* array = body->if_contains("missing");
  if (array == nullptr || !array->is_array()) {
    return internal_error("preflight: the answer has no 'missing' array");
  }
  for (const boost::json::value& hash : array->as_array()) {
    if (hash.is_string()) {
      missing.emplace_back(hash.as_string());
    }
  }
  return missing;
}

namespace {

Status find_missing_in(HttpClient& http, const Config& config,
                       std::vector<std::string>::const_iterator begin,
                       std::vector<std::string>::const_iterator end,
                       std::vector<std::string>& missing) {
  auto answer = preflight(http, config, {begin, end});
  if (!answer && answer.error().code == ErrorCode::kOutOfRange && end - begin > 1) {
    const auto middle = begin + (end - begin) / 2;
    if (Status s = find_missing_in(http, config, begin, middle, missing); !s) {
      return s;
    }
    return find_missing_in(http, config, middle, end, missing);
  }
  if (!answer) {
    return std::move(answer).error();
  }
  missing.insert(missing.end(), answer->begin(), answer->end());
  return {};
}

}  // namespace

Result<std::vector<std::string>> find_missing(HttpClient& http, const Config& config,
                                              const std::vector<std::string>& hashes) {
  std::vector<std::string> missing;
  for (std::size_t start = 0; start < hashes.size(); start += kMaxPreflightHashes) {
    const std::size_t end = std::min(hashes.size(), start + kMaxPreflightHashes);
    if (Status s =
            find_missing_in(http, config, hashes.begin() + static_cast<std::ptrdiff_t>(start),
                            hashes.begin() + static_cast<std::ptrdiff_t>(end), missing);
        !s) {
      return s.error();
    }
  }
  return missing;
}

Status get_blob(HttpClient& http, const Config& config, const std::string& hash, BodySink& sink,
                const std::function<void(std::int64_t)>& on_progress) {
  HttpRequest request{.target = "/v1/blobs/" + hash, .headers = tenant_headers(config)};
  auto response = http.send(request, &sink, on_progress);
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != 200) {
    return server_error(*response, "GET blob " + hash);
  }
  return {};
}

}  // namespace castor::client
