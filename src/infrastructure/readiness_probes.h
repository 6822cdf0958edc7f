#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "application/ports/readiness_probe.h"
#include "infrastructure/pg_timeouts.h"

namespace castor {

// The checks behind GET /ready: the database answers (on a connection of its own, within
// `timeouts`), its migrations are current (the highest applied version equals the highest
// compiled in), and every storage root accepts a new file.
std::vector<std::unique_ptr<ReadinessProbe>> make_readiness_probes(
    std::string database_url, std::vector<std::filesystem::path> storage_roots,
    PgTimeouts timeouts = {});

}  // namespace castor
