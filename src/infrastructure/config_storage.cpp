// The storage backends' settings (config.h load_storage_backends; docs/OPERATIONS.md "Storage
// backends"): for each class, fs or s3, and the S3 bucket's address, credentials and tuning.
#include <fstream>

#include "infrastructure/config.h"
#include "infrastructure/config_parse.h"

namespace castor {
namespace {

Status load_class(const std::string& cls, Config::Backend& backend, bool& fallback,
                  S3BackendSettings& s3,
                  const std::function<const std::string*(const char*)>& get) {
  auto value = [&](const char* name) { return get((cls + name).c_str()); };
  auto flag = [&](const char* name, bool& out) -> Status {
    if (const std::string* v = value(name)) {
      auto b = parse_bool(cls + name, *v);
      if (!b) {
        return std::move(b).error();
      }
      out = *b;
    }
    return {};
  };
  auto number = [&](const char* name, std::uint64_t min, std::uint64_t max,
                    std::uint64_t& out) -> Status {
    if (const std::string* v = value(name)) {
      auto n = parse_uint(cls + name, *v, min, max);
      if (!n) {
        return std::move(n).error();
      }
      out = *n;
    }
    return {};
  };

  if (const std::string* v = value("STORAGE_BACKEND")) {
    if (*v == "fs") {
      backend = Config::Backend::kFs;
    } else if (*v == "s3") {
      backend = Config::Backend::kS3;
    } else {
      return bad(cls + "STORAGE_BACKEND", "'" + *v + "' is not fs or s3");
    }
  }
  if (const std::string* v = value("STORAGE_FALLBACK")) {
    if (*v != "fs") {
      return bad(cls + "STORAGE_FALLBACK", "'" + *v + "' is not fs (the only fallback)");
    }
    fallback = true;
  }
  if (backend == Config::Backend::kFs) {
    if (fallback) {
      return bad(cls + "STORAGE_FALLBACK", "needs " + cls + "STORAGE_BACKEND=s3");
    }
    return {};
  }
  for (auto [name, out] :
       {std::pair{"S3_ENDPOINT", &s3.endpoint}, std::pair{"S3_REGION", &s3.region},
        std::pair{"S3_BUCKET", &s3.bucket}, std::pair{"S3_PREFIX", &s3.prefix},
        std::pair{"S3_ACCESS_KEY_ID", &s3.access_key_id},
        std::pair{"S3_SECRET_ACCESS_KEY", &s3.secret_access_key}}) {
    if (const std::string* v = value(name)) {
      *out = *v;
    }
  }
  if (const std::string* file = value("S3_SECRET_ACCESS_KEY_FILE")) {
    if (value("S3_SECRET_ACCESS_KEY") != nullptr) {
      return bad(cls + "S3_SECRET_ACCESS_KEY_FILE",
                 "set either it or " + cls + "S3_SECRET_ACCESS_KEY, not both");
    }
    std::ifstream in(*file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      return bad(cls + "S3_SECRET_ACCESS_KEY_FILE", "cannot read " + *file);
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
      line.pop_back();
    }
    s3.secret_access_key = line;
  }
  if (const std::string* v = value("S3_PUBLIC_URL")) {
    s3.public_url = *v;
  }
  for (const char* required : {"S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY_ID"}) {
    if (value(required) == nullptr) {
      return bad(cls + required, "required when " + cls + "STORAGE_BACKEND=s3");
    }
  }
  if (s3.secret_access_key.empty()) {
    return bad(
        cls + "S3_SECRET_ACCESS_KEY",
        "required (or " + cls + "S3_SECRET_ACCESS_KEY_FILE) when " + cls + "STORAGE_BACKEND=s3");
  }
  if (!s3.endpoint.starts_with("http://") && !s3.endpoint.starts_with("https://")) {
    return bad(cls + "S3_ENDPOINT", "'" + s3.endpoint + "' is not an http:// or https:// URL");
  }
  while (s3.endpoint.ends_with('/')) {
    s3.endpoint.pop_back();
  }
  if (!s3.prefix.empty() && !s3.prefix.ends_with('/')) {
    return bad(cls + "S3_PREFIX", "'" + s3.prefix + "' must end with '/'");
  }
  if (s3.prefix.starts_with('/')) {
    return bad(cls + "S3_PREFIX", "must not start with '/'");
  }
  std::uint64_t ttl = static_cast<std::uint64_t>(s3.redirect_ttl.count());
  std::uint64_t connections = s3.max_connections, timeout = s3.timeout.count();
  std::uint64_t retries = static_cast<std::uint64_t>(s3.max_retries);
  for (Status s :
       {flag("S3_PATH_STYLE", s3.path_style), flag("REDIRECT_DOWNLOADS", s3.redirect_downloads),
        number("REDIRECT_TTL_SECONDS", 1, 604800, ttl),
        number("S3_PART_SIZE", std::uint64_t{5} << 20, std::uint64_t{5} << 30, s3.part_size),
        number("S3_MAX_CONNECTIONS", 1, 1024, connections),
        number("S3_TIMEOUT_SECONDS", 1, 3600, timeout), number("S3_MAX_RETRIES", 0, 20, retries)}) {
    if (!s) {
      return s;
    }
  }
  s3.redirect_ttl = std::chrono::seconds(ttl);
  s3.max_connections = static_cast<std::size_t>(connections);
  s3.timeout = std::chrono::seconds(timeout);
  s3.max_retries = static_cast<int>(retries);
  return {};
}

}  // namespace

Status load_storage_backends(Config& config,
                             const std::function<const std::string*(const char*)>& get) {
  if (auto s = load_class("HOT_", config.hot_backend, config.hot_fs_fallback, config.hot_s3, get);
      !s) {
    return s;
  }
  if (auto s =
          load_class("COLD_", config.cold_backend, config.cold_fs_fallback, config.cold_s3, get);
      !s) {
    return s;
  }
  // Two classes in one place would share content keys, and one class's collector would delete
  // the other's content.
  if (config.hot_backend == Config::Backend::kS3 && config.cold_backend == Config::Backend::kS3 &&
      config.hot_s3.endpoint == config.cold_s3.endpoint &&
      config.hot_s3.bucket == config.cold_s3.bucket &&
      (config.hot_s3.prefix.starts_with(config.cold_s3.prefix) ||
       config.cold_s3.prefix.starts_with(config.hot_s3.prefix))) {
    return bad("COLD_S3_PREFIX",
               "hot and cold content in one bucket need prefixes that do not contain each other "
               "(e.g. hot/ and cold/)");
  }
  return {};
}

}  // namespace castor
