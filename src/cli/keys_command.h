#pragma once

#include <string>
#include <vector>

namespace castor::cli {

// `castor keys create|list|revoke [flags] [--setting value ...]`: API key management straight on
// the database (DATABASE_URL), for bootstrapping before any admin key exists. Applies pending
// migrations first. `create` prints the key (shown once) on stdout; `revoke` prints what it
// revoked, or that the key was already revoked (exit 0 either way, one audit line only for the
// first). Returns the exit status: 0 on success, 1 when the database refuses (e.g. no such key),
// 2 on a usage or configuration error.
int run_keys(std::vector<std::string> args);

}  // namespace castor::cli
