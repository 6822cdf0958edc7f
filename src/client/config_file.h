#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "client/config.h"
#include "domain/error.h"

namespace castor::client {

// Parses a config file's text: TOML with the top-level string keys `url`, `api_key`, `namespace`
// and `tenant`. Unknown keys are reported in `warnings` (by name) and ignored. Returns a usage
// error for a TOML syntax error (with its line) or a known key that is not a string. `origin`
// names the file in messages.
Result<ConfigLayer> parse_config_file(std::string_view text, std::string_view origin,
                                      std::vector<std::string>& warnings);

// The settings castorctl runs with, and the warnings to print on stderr.
struct LoadedConfig {
  Config config;
  std::vector<std::string> warnings;
};

// Resolves `flags` over the environment over the config file (see config_file_path). A missing
// file is fine unless $CASTOR_CONFIG names it; an unreadable or malformed one is a usage error.
// Warns when the file holds a key and others may access it.
Result<LoadedConfig> load_config(const ConfigLayer& flags, const Getenv& getenv);

}  // namespace castor::client
