#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace castor::client {

// A byte count as given on the command line: digits with an optional unit, binary (KiB, MiB,
// GiB, TiB; K, M, G, T are the same) or decimal (KB, MB, GB, TB), case-insensitive, "B" allowed:
// "1048576", "64MiB", "64m", "1.5GiB" (a fraction is rounded down to whole bytes). Nullopt for
// anything else, or a value past 2^63.
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace castor::client
