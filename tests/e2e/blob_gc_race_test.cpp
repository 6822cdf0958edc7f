// A blob read while the collector deletes it is gone (404), never lost (500): the collector
// removes the content file before its transaction deletes the row, so a reader can see the row
// without the file (found by the chaos run).

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/sha256.h"
#include "support/test_database.h"

namespace castor::e2e {

TEST_CASE("GET of a blob the collector is deleting answers 200 or 404, never 500", "[e2e][blobs]") {
  testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_blob_race");
  testing::ServerOptions options{.binary = castor_binary(), .database_url = database.url()};
  options.extra_env = {{"BLOB_GRACE_SECONDS", "0"}, {"GC_INTERVAL_SECONDS", "0"}};
  testing::ServerProcess server = testing::ServerProcess::start(std::move(options));
  const std::string tenant = testing::unique_name("blobrace");
  const testing::Headers as_tenant{{"X-Tenant", tenant}};
  testing::HttpClient client = server.client();

  std::map<int, int> statuses;  // every GET's status, counted
  for (int round = 0; round < 5; ++round) {
    std::vector<std::string> hashes;
    for (int i = 0; i < 40; ++i) {
      const std::string content = testing::random_bytes(200'000);
      hashes.push_back(testing::sha256_hex(content));
      const testing::HttpResponse put =
          client.request("PUT", "/v1/blobs/" + hashes.back(), as_tenant, content);
      REQUIRE(put.status == 201);
    }
    // Nothing references these blobs and their grace is 0: one collection takes them all while
    // the readers below race it.
    std::atomic<bool> collected{false};
    std::thread collector([&] {
      testing::HttpClient gc = server.client();
      REQUIRE(gc.request("POST", "/v1/admin/gc").status == 200);
      collected = true;
    });
    std::vector<int> seen;
    while (!collected.load()) {
      for (const std::string& hash : hashes) {
        seen.push_back(client.request("GET", "/v1/blobs/" + hash, as_tenant).status);
      }
    }
    collector.join();
    for (int status : seen) {
      ++statuses[status];
    }
    for (const std::string& hash : hashes) {
      CHECK(client.request("GET", "/v1/blobs/" + hash, as_tenant).status == 404);
    }
  }
  INFO("200: " << statuses[200] << ", 404: " << statuses[404]);
  for (const auto& [status, count] : statuses) {
    CHECK((status == 200 || status == 404));
  }
}

}  // namespace castor::e2e
