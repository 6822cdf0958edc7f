#include "e2e/shared_server.h"

#include <utility>

namespace castor::e2e {

std::filesystem::path castor_binary() { return CASTOR_BINARY; }

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
