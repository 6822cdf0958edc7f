#include "client/object_api.h"

#include "client/api_common.h"
#include "client/api_error.h"
#include "client/exit_code.h"
#include "domain/object_id.h"

namespace castor::client {

ObjectRef object_ref(std::string_view text, bool force_key) {
  if (!force_key && ObjectId::parse(text)) {
    return {.id = std::string(text), .key = {}};
  }
  return {.id = std::nullopt, .key = std::string(text)};
}

Result<std::string> object_target(const Config& config, const ObjectRef& ref) {
  if (ref.id) {
    return "/v1/objects/" + *ref.id;
  }
  if (!config.tenant) {
    return usage_error(
        "naming an object by key needs a tenant: --tenant, CASTOR_TENANT or "
        "`tenant` in the config file");
  }
  return "/v1/objects/by-key/" + percent_encode(config.ns) + "/" + percent_encode(*config.tenant) +
         "/" + percent_encode(ref.key, true);
}

namespace {

Result<HttpResponse> object_request(HttpClient& http, const Config& config, const ObjectRef& ref,
                                    const std::string& method, BodySink* sink,
                                    const std::function<void(std::int64_t)>& on_progress) {
  auto target = object_target(config, ref);
  if (!target) {
    return std::move(target).error();
  }
  auto response = http.send(
      {.method = method, .target = *target, .headers = tenant_headers(config)}, sink, on_progress);
  if (!response) {
    return std::move(response).error();
  }
  if (!ok(*response)) {
    return server_error(*response, method + " " + ref.describe());
  }
  return response;
}

}  // namespace

Result<HttpResponse> head_object(HttpClient& http, const Config& config, const ObjectRef& ref) {
  return object_request(http, config, ref, "HEAD", nullptr, {});
}

Result<HttpResponse> get_object(HttpClient& http, const Config& config, const ObjectRef& ref,
                                BodySink& sink,
                                const std::function<void(std::int64_t)>& on_progress) {
  return object_request(http, config, ref, "GET", &sink, on_progress);
}

Status delete_object(HttpClient& http, const Config& config, const ObjectRef& ref) {
  auto response = object_request(http, config, ref, "DELETE", nullptr, {});
  if (!response) {
    return std::move(response).error();
  }
  return {};
}

Result<boost::json::object> post_object(HttpClient& http, const Config& config,
                                        const std::string& key, const std::filesystem::path& file,
                                        const std::string& hash,
                                        const std::function<void(std::int64_t)>& on_progress) {
  std::string target =
      "/v1/objects?namespace=" + percent_encode(config.ns) + "&key=" + percent_encode(key);
  if (config.tenant) {
    target += "&tenant_id=" + percent_encode(*config.tenant);
  }
  // No Content-Type: the server picks the type registered for the key's extension.
  HttpRequest request{.method = "POST",
                      .target = target,
                      .headers = {{"X-Content-SHA256", hash}},
                      .body_file = file,
                      .expect_continue = true};
  auto response = http.send(request, nullptr, on_progress);
  if (!response) {
    return std::move(response).error();
  }
  if (response->status != 201) {
    return server_error(*response, "POST key " + key + " (" + file.string() + ")");
  }
  return json_body(*response, "POST key " + key);
}

Result<std::vector<boost::json::object>> list_objects(HttpClient& http, const Config& config,
                                                      const std::string& prefix, std::size_t max) {
  std::vector<boost::json::object> objects;
  std::string cursor;
  const std::size_t limit = max == 0 || max > 1000 ? 1000 : max;
  do {
    std::string target =
        "/v1/objects?namespace=" + percent_encode(config.ns) + "&limit=" + std::to_string(limit);
    if (config.tenant) {
      target += "&tenant_id=" + percent_encode(*config.tenant);
    }
    if (!prefix.empty()) {
      target += "&prefix=" + percent_encode(prefix);
    }
    if (!cursor.empty()) {
      target += "&cursor=" + percent_encode(cursor);
    }
    auto response = http.send({.target = target});
    if (!response) {
      return std::move(response).error();
    }
    if (response->status != 200) {
      return server_error(*response, "list objects");
    }
    auto body = json_body(*response, "list objects");
    if (!body) {
      return std::move(body).error();
    }
    if (const auto* page = body->if_contains("objects"); page && page->is_array()) {
      for (const boost::json::value& object : page->as_array()) {
        if (object.is_object()) {
          objects.push_back(object.as_object());
        }
      }
    }
    cursor = string_member(*body, "next_cursor");
  } while (!cursor.empty() && (max == 0 || objects.size() < max));
  if (max != 0 && objects.size() > max) {
    objects.resize(max);
  }
  return objects;
}

std::string etag_hash(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

}  // namespace castor::client
