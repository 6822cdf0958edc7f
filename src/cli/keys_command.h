#pragma once

#include <string>
#include <vector>

namespace castor::cli {

// `castor keys create|list|revoke [--s3] [flags] [--setting value ...]`: API key management
// straight on the database (DATABASE_URL), for bootstrapping before any admin key exists; with
// --s3, S3 credentials (create then needs S3_MASTER_KEY_FILE and prints one line "<access key id>
// <secret access key>"). Applies pending migrations first. `create` prints the key (shown once) on
// stdout; `revoke` prints what it revoked, or that the key was already revoked (exit 0 either way,
// one audit line only for the first). Returns the exit status: 0 on success, 1 when the database
// refuses (e.g. no such key), 2 on a usage or configuration error.
int run_keys(std::vector<std::string> args);

}  // namespace castor::cli
