#pragma once
// Internal to the configuration (config.cpp, config_storage.cpp): how a setting's text becomes a
// value, and the one error sentence every bad setting gets.

#include <cstdint>
#include <string>

#include "domain/error.h"

namespace castor {

// InvalidArgument "invalid SETTING: why".
Error bad(const std::string& setting, const std::string& why);
// A whole number in [min, max]; `bad` naming `setting` otherwise.
Result<std::uint64_t> parse_uint(const std::string& setting, const std::string& text,
                                 std::uint64_t min, std::uint64_t max);
// true|1|yes or false|0|no; `bad` naming `setting` otherwise.
Result<bool> parse_bool(const std::string& setting, const std::string& text);

}  // namespace castor
