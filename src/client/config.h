#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "domain/error.h"

namespace castor::client {

// One source of settings (flags, environment or config file); unset fields defer to the next.
struct ConfigLayer {
  std::optional<std::string> url{};
  std::optional<std::string> api_key{};
  std::optional<std::string> ns{};  // namespace
  std::optional<std::string> tenant{};
};

// The settings castorctl runs with.
struct Config {
  std::string url{};                     // base URL without a trailing '/', e.g. http://host:8080
  std::optional<std::string> api_key{};  // sent as a bearer token; never printed
  std::string ns{};                      // namespace of keyed objects
  std::optional<std::string> tenant{};   // unset: the credential's own tenant
};

inline constexpr const char* kDefaultUrl = "http://localhost:8080";
inline constexpr const char* kDefaultNamespace = "default";

// Looks up an environment variable (nullptr when unset); std::getenv in production.
using Getenv = std::function<const char*(const char*)>;

// CASTOR_URL, CASTOR_API_KEY, CASTOR_NAMESPACE, CASTOR_TENANT (empty values count as unset).
ConfigLayer config_from_env(const Getenv& getenv);

// The config file to read: $CASTOR_CONFIG, else $XDG_CONFIG_HOME/castor/config.toml, else
// $HOME/.config/castor/config.toml; nullopt when none of these variables is set.
std::optional<std::filesystem::path> config_file_path(const Getenv& getenv);

// Flags win over the environment, which wins over the file; then the defaults (kDefaultUrl,
// kDefaultNamespace). Returns InvalidArgument (a usage error) for a URL that is not http(s)://.
Result<Config> resolve_config(const ConfigLayer& flags, const ConfigLayer& env,
                              const ConfigLayer& file);

// The warning to print for a config file with permission bits `mode`, or nullopt: a file that
// holds an API key and grants its group or others any access gets one (it names `path`, never the
// key).
std::optional<std::string> permission_warning(const std::filesystem::path& path, unsigned mode,
                                              bool holds_key);

}  // namespace castor::client
