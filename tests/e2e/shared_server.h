#pragma once

#include <filesystem>

#include "support/server_process.h"
#include "support/test_database.h"

namespace castor::e2e {

// The castor executable under test: $CASTOR_E2E_BINARY if set, else the one CMake built (its path
// comes as CASTOR_BINARY).
std::filesystem::path castor_binary();

// MAX_OBJECT_SIZE of the shared server: small, so that the 413 tests stay fast.
inline constexpr std::uint64_t kSharedMaxObjectSize = 8 * 1024 * 1024;

// One database and one `castor serve` for the functional tests of this executable, started on
// first use and stopped at exit. Test cases share it but never each other's tenants (see
// testing::unique_name), and run one at a time.
struct SharedServer {
  testing::TestDatabase database;
  testing::ServerProcess server;
};

SharedServer& shared_server();

}  // namespace castor::e2e
