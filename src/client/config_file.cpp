#include "client/config_file.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "client/exit_code.h"

namespace castor::client {
namespace {

Result<std::optional<std::string>> string_key(const toml::table& table, std::string_view key,
                                              std::string_view origin) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    return std::optional<std::string>();
  }
  if (const auto* value = node->as_string()) {
    return std::optional<std::string>(value->get());
  }
  return usage_error(std::string(origin) + ": '" + std::string(key) + "' must be a string");
}

}  // namespace

Result<ConfigLayer> parse_config_file(std::string_view text, std::string_view origin,
                                      std::vector<std::string>& warnings) {
  toml::table table;
  try {
    table = toml::parse(text, origin);
  } catch (const toml::parse_error& error) {
    return usage_error(std::string(origin) + ":" + std::to_string(error.source().begin.line) +
                       ": " + std::string(error.description()));
  }
  ConfigLayer layer;
  struct Field {
    std::string_view key;
    std::optional<std::string> ConfigLayer::*member;
  };
  static constexpr Field kFields[] = {{"url", &ConfigLayer::url},
                                      {"api_key", &ConfigLayer::api_key},
                                      {"namespace", &ConfigLayer::ns},
                                      {"tenant", &ConfigLayer::tenant}};
  for (const Field& field : kFields) {
    auto value = string_key(table, field.key, origin);
    if (!value) {
      return std::move(value).error();
    }
    layer.*field.member = *value;
  }
  for (const auto& [key, node] : table) {
    bool known = false;
    for (const Field& field : kFields) {
      known = known || key.str() == field.key;
    }
    if (!known) {
      warnings.push_back("warning: " + std::string(origin) + ": unknown setting '" +
                         std::string(key.str()) + "' ignored");
    }
  }
  return layer;
}

Result<LoadedConfig> load_config(const ConfigLayer& flags, const Getenv& getenv) {
  LoadedConfig loaded;
  ConfigLayer file_layer;
  if (auto path = config_file_path(getenv)) {
    const char* explicit_path = getenv("CASTOR_CONFIG");
    const bool required = explicit_path != nullptr && *explicit_path != '\0';
    struct stat st {};
    if (::stat(path->c_str(), &st) != 0) {
      if (required) {
        return usage_error("cannot read CASTOR_CONFIG file " + path->string());
      }
    } else {
      std::ifstream in(*path, std::ios::binary);
      if (!in) {
        return usage_error("cannot read config file " + path->string());
      }
      std::ostringstream text;
      text << in.rdbuf();
      auto parsed = parse_config_file(text.str(), path->string(), loaded.warnings);
      if (!parsed) {
        return std::move(parsed).error();
      }
      file_layer = *parsed;
      if (auto warning =
              permission_warning(*path, st.st_mode & 07777u, file_layer.api_key.has_value())) {
        loaded.warnings.push_back(*warning);
      }
    }
  }
  auto config = resolve_config(flags, config_from_env(getenv), file_layer);
  if (!config) {
    return std::move(config).error();
  }
  loaded.config = *std::move(config);
  return loaded;
}

}  // namespace castor::client
