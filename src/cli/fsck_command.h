#pragma once

#include <string>
#include <vector>

namespace castor::cli {

// `castor fsck [--repair] [--setting value ...]`: checks that the database and the content files
// agree (see CheckIntegrity) and prints one line per finding, then a summary line:
//   fsck: blobs=N files=N missing=N size_mismatch=N orphans=N refcount_mismatch=N repaired=N
// Reads DATABASE_URL, HOT_STORAGE_PATH and COLD_STORAGE_PATH like `castor gc`. Returns the exit
// status: 0 when nothing is wrong (or everything found was repaired), 1 when problems remain or
// the check could not finish, 2 on a usage or configuration error.
int run_fsck(const std::vector<std::string>& args);

}  // namespace castor::cli
