#pragma once

#include <string>
#include <utility>

namespace castor::chaos {

// Runs `command` with /bin/sh and returns its exit status (128 + signal if a signal ended it)
// and everything it wrote to stdout and stderr. Throws std::runtime_error if it cannot start.
std::pair<int, std::string> run_command(const std::string& command);

// `text` quoted for /bin/sh.
std::string shell_quote(const std::string& text);

}  // namespace castor::chaos
