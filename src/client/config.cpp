#include "client/config.h"

#include <string_view>

#include "client/exit_code.h"

namespace castor::client {
namespace {

std::optional<std::string> env_value(const Getenv& getenv, const char* name) {
  const char* value = getenv(name);
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::string(value);
}

template <class T>
std::optional<T> first_of(const std::optional<T>& a, const std::optional<T>& b,
                          const std::optional<T>& c) {
  if (a) {
    return a;
  }
  return b ? b : c;
}

}  // namespace

ConfigLayer config_from_env(const Getenv& getenv) {
  return {.url = env_value(getenv, "CASTOR_URL"),
          .api_key = env_value(getenv, "CASTOR_API_KEY"),
          .ns = env_value(getenv, "CASTOR_NAMESPACE"),
          .tenant = env_value(getenv, "CASTOR_TENANT")};
}

std::optional<std::filesystem::path> config_file_path(const Getenv& getenv) {
  if (auto explicit_path = env_value(getenv, "CASTOR_CONFIG")) {
    return std::filesystem::path(*explicit_path);
  }
  if (auto xdg = env_value(getenv, "XDG_CONFIG_HOME")) {
    return std::filesystem::path(*xdg) / "castor" / "config.toml";
  }
  if (auto home = env_value(getenv, "HOME")) {
    return std::filesystem::path(*home) / ".config" / "castor" / "config.toml";
  }
  return std::nullopt;
}

Result<Config> resolve_config(const ConfigLayer& flags, const ConfigLayer& env,
                              const ConfigLayer& file) {
  Config config;
  config.url = first_of(flags.url, env.url, file.url).value_or(kDefaultUrl);
  config.api_key = first_of(flags.api_key, env.api_key, file.api_key);
  config.ns = first_of(flags.ns, env.ns, file.ns).value_or(kDefaultNamespace);
  config.tenant = first_of(flags.tenant, env.tenant, file.tenant);
  const std::string_view url = config.url;
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return usage_error("the server URL must start with http:// or https:// (got '" + config.url +
                       "')");
  }
  while (config.url.size() > 8 && config.url.back() == '/') {
    config.url.pop_back();
  }
  return config;
}

std::optional<std::string> permission_warning(const std::filesystem::path& path, unsigned mode,
                                              bool holds_key) {
  if (!holds_key || (mode & 077u) == 0) {
    return std::nullopt;
  }
  return "warning: " + path.string() +
         " holds an API key and other users may access it; run: chmod 600 " + path.string();
}

}  // namespace castor::client
