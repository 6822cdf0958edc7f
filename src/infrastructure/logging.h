#pragma once

#include <string>

namespace castor {

// Sets up spdlog: one line per event on stderr, ISO-8601 UTC timestamps, at `level`
// (trace|debug|info|warn|error|critical|off).
void init_logging(const std::string& level);

}  // namespace castor
