#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "client/config.h"
#include "client/http_client.h"
#include "domain/error.h"

// The object API (README "HTTP API"): objects by id or by key in the configured namespace.
namespace castor::client {

// An object named on the command line: by id (a UUID) or by key.
struct ObjectRef {
  std::optional<std::string> id{};
  std::string key{};  // when id is unset

  std::string describe() const { return id ? "object " + *id : "key " + key; }
};

// `text` as an object id when it is a UUID (unless `force_key`), else as a key.
ObjectRef object_ref(std::string_view text, bool force_key = false);

// The request target for `ref`: /v1/objects/{id} or /v1/objects/by-key/{ns}/{tenant}/{key}.
// A key needs a tenant in the configuration (usage error otherwise).
Result<std::string> object_target(const Config& config, const ObjectRef& ref);

// HEAD of `ref`: the response (200) with its ETag, Content-Length, Content-Type, X-Content-Hash,
// Last-Modified. NotFound when there is no such object.
Result<HttpResponse> head_object(HttpClient& http, const Config& config, const ObjectRef& ref);

// GET of `ref` into `sink`; the response's headers (its body went to the sink).
Result<HttpResponse> get_object(HttpClient& http, const Config& config, const ObjectRef& ref,
                                BodySink& sink,
                                const std::function<void(std::int64_t)>& on_progress = {});

// POST /v1/objects storing `file` under `key` in the configured namespace and tenant, with
// X-Content-SHA256: `hash`; returns the object JSON. AlreadyExists when the key is in use;
// DataLoss when the file no longer has `hash`.
Result<boost::json::object> post_object(HttpClient& http, const Config& config,
                                        const std::string& key, const std::filesystem::path& file,
                                        const std::string& hash,
                                        const std::function<void(std::int64_t)>& on_progress = {});

// DELETE of `ref`. NotFound when there is no such object.
Status delete_object(HttpClient& http, const Config& config, const ObjectRef& ref);

// The objects of the namespace whose keys start with `prefix`, following next_cursor; at most
// `max` of them (0: all).
Result<std::vector<boost::json::object>> list_objects(HttpClient& http, const Config& config,
                                                      const std::string& prefix,
                                                      std::size_t max = 0);

// The hex SHA-256 in an ETag header ("\"<hex>\"" → "<hex>"; a weak or odd one as it is).
std::string etag_hash(std::string_view etag);

}  // namespace castor::client
