#include "client/upload_api.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "client/api_common.h"
#include "client/api_error.h"

namespace castor::client {
namespace {

HttpRequest json_request(const Config& config, std::string method, std::string target,
                         const boost::json::object& body) {
  HttpRequest request{.method = std::move(method),
                      .target = std::move(target),
                      .headers = tenant_headers(config),
                      .body = boost::json::serialize(body)};
  request.headers.emplace_back("Content-Type", "application/json");
  return request;
}

// The session in `response`, which must have status `expected`.
Result<UploadSessionInfo> session_answer(Result<HttpResponse> response, long expected,
                                         const std::string& what) {
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != expected) {
    return server_error(*response, what);
  }
  auto body = json_body(*response, what);
  if (!body) {
    return std::move(body).error();
  }
  return parse_upload_session(*body);
}

}  // namespace

Result<UploadSessionInfo> create_upload(HttpClient& http, const Config& config,
                                        const UploadTarget& target) {
  return session_answer(http.send(json_request(config, "POST", "/v1/uploads", target.to_json())),
                        201, "create upload session for " + target.sha256);
}

Result<std::vector<UploadSessionInfo>> list_uploads(HttpClient& http, const Config& config,
                                                    const UploadTarget& target) {
  std::string query = "/v1/uploads?sha256=" + target.sha256 +
                      "&storage_class=" + percent_encode(target.storage_class);
  if (target.ns) {
    query += "&namespace=" + percent_encode(*target.ns);
  }
  if (target.key) {
    query += "&key=" + percent_encode(*target.key);
  }
  auto response = http.send({.target = query, .headers = tenant_headers(config)});
  const std::string what = "list upload sessions for " + target.sha256;
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
  const boost::json::value* uploads = body->if_contains("uploads");
  if (uploads == nullptr || !uploads->is_array()) {
    return internal_error(what + ": the answer has no 'uploads' array");
  }
  std::vector<UploadSessionInfo> sessions;
  for (const boost::json::value& entry : uploads->as_array()) {
    if (!entry.is_object()) {
      return internal_error(what + ": an entry is not an object");
    }
    auto session = parse_upload_session(entry.as_object());
    if (!session) {
      return std::move(session).error();
    }
    sessions.push_back(*std::move(session));
  }
  return sessions;
}

Result<UploadSessionInfo> get_upload(HttpClient& http, const Config& config,
                                     const std::string& id) {
  return session_answer(
      http.send({.target = "/v1/uploads/" + percent_encode(id), .headers = tenant_headers(config)}),
      200, "GET upload session " + id);
}

Result<PartPut> put_upload_part(HttpClient& http, const Config& config, const std::string& id,
                                std::uint32_t number, const std::filesystem::path& file,
                                std::uint64_t offset, std::uint64_t length,
                                const std::string& sha256,
                                const std::function<void(std::int64_t)>& on_progress) {
  HttpRequest request{
      .method = "PUT",
      .target = "/v1/uploads/" + percent_encode(id) + "/parts/" + std::to_string(number),
      .headers = tenant_headers(config),
      .body_file = file,
      .body_offset = offset,
      .body_length = length,
      .expect_continue = true};
  request.headers.emplace_back("Content-Type", "application/octet-stream");
  request.headers.emplace_back("X-Content-SHA256", sha256);
  auto response = http.send(request, nullptr, on_progress);
  const std::string what =
      "PUT part " + std::to_string(number) + " of upload " + id + " (" + file.string() + ")";
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
  auto part = parse_upload_part(*body);
  if (!part) {
    return std::move(part).error();
  }
  return PartPut{.part = *std::move(part), .bytes_sent = response->bytes_sent};
}

Result<UploadCompletion> complete_upload(HttpClient& http, const Config& config,
                                         const std::string& id,
                                         const std::vector<std::uint32_t>& parts) {
  boost::json::array numbers;
  numbers.reserve(parts.size());
  for (const std::uint32_t number : parts) {
    numbers.emplace_back(number);
  }
  auto response =
      http.send(json_request(config, "POST", "/v1/uploads/" + percent_encode(id) + "/complete",
                             boost::json::object{{"parts", std::move(numbers)}}));
  const std::string what = "complete upload " + id;
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != 200 && response->status != 201) {
    return server_error(*response, what);
  }
  auto body = json_body(*response, what);
  if (!body) {
    return std::move(body).error();
  }
  return UploadCompletion{.created = response->status == 201, .session = *std::move(body)};
}

Status abort_upload(HttpClient& http, const Config& config, const std::string& id) {
  auto response = http.send({.method = "DELETE",
                             .target = "/v1/uploads/" + percent_encode(id),
                             .headers = tenant_headers(config)});
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != 204) {
    return server_error(*response, "abort upload " + id);
  }
  return {};
}

}  // namespace castor::client
