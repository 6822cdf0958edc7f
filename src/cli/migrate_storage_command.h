#pragma once

#include <string>
#include <vector>

namespace castor::cli {

// `castor migrate-storage --class hot|cold --to s3|fs [--restart] [--parallel N]
// [--setting value ...]`: copies the class's content files from its other backend (fs when --to
// s3, s3 when --to fs) to the one named, verified by hash, resumable, online (MigrateStorage;
// docs/OPERATIONS.md "Moving a class between backends"). Reads DATABASE_URL, <CLASS>_STORAGE_PATH
// and the <CLASS>_S3_* settings whatever <CLASS>_STORAGE_BACKEND says. Prints a progress line at
// most every second on stderr,
//   migrate-storage: hot fs→s3: 1200/5000 blobs, 3.1/12.0 GiB, 85 MiB/s, 0 damaged
// a line per damaged content on stdout, and a summary on stdout:
//   migrate-storage: hot fs→s3 done: blobs=N copied=N copied_bytes=N present=N unfiled=N
//   damaged=N vanished=N seconds=S
// Returns the exit status: 0 when every row was walked and nothing was damaged, 1 when something
// was damaged or the run failed (a re-run resumes), 2 on a usage or configuration error.
int run_migrate_storage(const std::vector<std::string>& args);

}  // namespace castor::cli
