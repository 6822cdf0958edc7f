#include "e2e/shared_server.h"

#include <cstdlib>
#include <utility>

namespace castor::e2e {

std::filesystem::path castor_binary() {
  // CASTOR_E2E_BINARY runs the tests against another build (e.g. an older one, to see them fail).
  const char* other = std::getenv("CASTOR_E2E_BINARY");
  return other != nullptr && *other != '\0' ? other : CASTOR_BINARY;
}

SharedServer& shared_server() {
  static SharedServer shared = [] {
    testing::TestDatabase database = testing::TestDatabase::create("castor_e2e");
    testing::ServerOptions options;
    options.binary = castor_binary();
    options.database_url = database.url();
    options.max_object_size = kSharedMaxObjectSize;
    testing::ServerProcess server = testing::ServerProcess::start(std::move(options));
    return SharedServer{std::move(database), std::move(server)};
  }();
  return shared;
}

}  // namespace castor::e2e
