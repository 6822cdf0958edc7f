// Conditional S3 writes racing between two server processes on one database: the precondition is
// decided inside the committing transaction, so exactly one writer of a key wins.
#include <atomic>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "e2e/s3_support.h"
#include "support/random_data.h"

namespace castor::e2e {
namespace {

TEST_CASE("S3: If-None-Match: * racing on two servers has exactly one winner per key",
          "[concurrency][s3]") {
  S3Environment& env = s3_environment();
  testing::ServerProcess second = testing::ServerProcess::start(s3_server_options(env));
  const std::string tenant = testing::unique_name("race");
  const S3Credential credential = create_s3_credential(env.server.port(), tenant);
  const std::string bucket = testing::unique_name("race");
  {
    S3TestClient setup(env.server.port(), credential);
    REQUIRE(setup.create_bucket(bucket).status == 200);
  }
  constexpr int kKeys = 20;
  constexpr int kWritersPerServer = 3;
  std::atomic<int> won[kKeys] = {};
  std::atomic<int> lost[kKeys] = {};
  std::atomic<int> other{0};
  std::vector<std::thread> writers;
  for (std::uint16_t port : {env.server.port(), second.port()}) {
    for (int w = 0; w < kWritersPerServer; ++w) {
      writers.emplace_back([&, port, w] {
        S3TestClient s3(port, credential);
        for (int k = 0; k < kKeys; ++k) {
          auto r = s3.put(bucket, "key-" + std::to_string(k),
                          "writer " + std::to_string(port) + "/" + std::to_string(w),
                          {{"If-None-Match", "*"}});
          if (r.status == 200) {
            ++won[k];
          } else if (r.status == 412) {
            ++lost[k];
          } else {
            ++other;
          }
        }
      });
    }
  }
  for (auto& t : writers) {
    t.join();
  }
  CHECK(other == 0);
  S3TestClient reader(second.port(), credential);
  for (int k = 0; k < kKeys; ++k) {
    INFO("key-" << k);
    CHECK(won[k] == 1);
    CHECK(lost[k] == 2 * kWritersPerServer - 1);
    CHECK(reader.get(bucket, "key-" + std::to_string(k)).status == 200);
  }

  // Unconditional overwrites racing: every write succeeds and the key ends with one of them.
  std::atomic<int> failed{0};
  std::mutex mu;
  std::string first_failure;
  writers.clear();
  for (std::uint16_t port : {env.server.port(), second.port()}) {
    for (int w = 0; w < kWritersPerServer; ++w) {
      writers.emplace_back([&, port, w] {
        S3TestClient s3(port, credential);
        for (int i = 0; i < 10; ++i) {
          auto r = s3.put(bucket, "hot", "v" + std::to_string(w) + std::to_string(i));
          if (r.status != 200) {
            ++failed;
            std::lock_guard lock(mu);
            first_failure = std::to_string(r.status) + " " + r.body;
          }
        }
      });
    }
  }
  for (auto& t : writers) {
    t.join();
  }
  INFO(first_failure);
  CHECK(failed == 0);
  auto last = reader.get(bucket, "hot");
  CHECK(last.status == 200);
  CHECK(last.body.size() == 3);
}

}  // namespace
}  // namespace castor::e2e
