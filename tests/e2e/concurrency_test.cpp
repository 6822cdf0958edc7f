// Two server processes on one database and one storage root, hammered by client threads that
// upload shared and unique content, delete, and run GC cycles on both servers at once. At the end
// the metadata, the files and what the clients were told must all agree.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/failure_log.h"
#include "e2e/shared_server.h"
#include "e2e/storage_state.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/sha256.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;
using testing::RandomContent;

constexpr int kWorkers = 8;
constexpr int kOperationsPerWorker = 40;

// An object a worker was told is stored (201) and has not deleted since.
struct LiveObject {
  std::string id;
  std::optional<std::string> key;
  std::string hash;
};

// One client thread with its own tenant, talking to both servers at random. Records every
// unexpected answer in the failure log instead of asserting.
class Worker {
 public:
  Worker(int index, const std::vector<std::uint16_t>& ports,
         const std::vector<RandomContent>& shared, FailureLog& failures)
      : index_(index), tenant_(testing::unique_name("conc")), shared_(shared), failures_(failures) {
    for (std::uint16_t port : ports) {
      clients_.emplace_back("127.0.0.1", port);
    }
  }

  void run() {
    try {
      for (int op = 0; op < kOperationsPerWorker; ++op) {
        const std::size_t dice = testing::random_between(0, 99);
        if (dice < 35) {
          upload(shared_[testing::random_between(0, shared_.size() - 1)], /*keyed=*/dice >= 7);
        } else if (dice < 55) {
          upload(testing::random_content(testing::random_between(1, 20'000)), /*keyed=*/true);
        } else if (dice < 70) {
          delete_one();
        } else if (dice < 80) {
          churn();
        } else if (dice < 88) {
          gc();
        } else if (dice < 94) {
          download_one();
        } else {
          reuse_key();
        }
      }
    } catch (const std::exception& e) {
      failures_.add(tenant_ + ": " + e.what());
    }
  }

  const std::string& tenant() const { return tenant_; }
  const std::vector<LiveObject>& live() const { return live_; }

 private:
  HttpClient& any_client() { return clients_[testing::random_between(0, clients_.size() - 1)]; }

  bool expect(const HttpResponse& response, int status, const std::string& what) {
    if (response.status != status) {
      failures_.add(tenant_ + ": " + what + ": expected " + std::to_string(status) + ", got " +
                    std::to_string(response.status) + " " + response.body);
      return false;
    }
    return true;
  }

  ObjectParams params(bool keyed) {
    ObjectParams params{.tenant = tenant_};
    if (keyed) {
      params.key = std::string("w")
                       .append(std::to_string(index_))
                       .append("/")
                       .append(std::to_string(next_key_++));
    }
    params.storage_class = testing::random_between(0, 3) == 0 ? "cold" : "hot";
    return params;
  }

  void upload(const RandomContent& content, bool keyed) {
    const ObjectParams object = params(keyed);
    const HttpResponse response = post_object(any_client(), object, content.bytes);
    if (!expect(response, 201, "upload")) {
      return;
    }
    const auto json = parse_object(response.body);
    if (string_field(json, "content_hash") != "sha256:" + content.hash) {
      failures_.add(tenant_ + ": upload answered the wrong hash: " + response.body);
    }
    live_.push_back({string_field(json, "id"), object.key, content.hash});
  }

  void delete_one() {
    if (live_.empty()) {
      return;
    }
    const std::size_t index = testing::random_between(0, live_.size() - 1);
    const LiveObject object = live_[index];
    live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(index));
    const HttpResponse response =
        object.key && testing::random_between(0, 1) == 0
            ? any_client().request("DELETE", by_key_target("e2e", tenant_, *object.key))
            : by_id(any_client(), "DELETE", object.id, tenant_);
    expect(response, 204, "delete " + object.id);
  }

  // Takes a shared content's reference count up and down again, racing the GC cycles of the
  // other workers on the same blob.
  void churn() {
    const RandomContent& content = shared_[testing::random_between(0, shared_.size() - 1)];
    const HttpResponse created = post_object(any_client(), {.tenant = tenant_}, content.bytes);
    if (expect(created, 201, "churn upload")) {
      const std::string id = string_field(parse_object(created.body), "id");
      expect(by_id(any_client(), "DELETE", id, tenant_), 204, "churn delete " + id);
    }
  }

  void gc() {
    const HttpResponse response = any_client().request("POST", "/v1/admin/gc");
    expect(response, 200, "gc");
  }

  void download_one() {
    if (live_.empty()) {
      return;
    }
    const LiveObject& object = live_[testing::random_between(0, live_.size() - 1)];
    const HttpResponse response = by_id(any_client(), "GET", object.id, tenant_);
    if (expect(response, 200, "download " + object.id) &&
        testing::sha256_hex(response.body) != object.hash) {
      failures_.add(tenant_ + ": download " + object.id + " returned other content");
    }
  }

  void reuse_key() {
    for (const LiveObject& object : live_) {
      if (object.key) {
        const HttpResponse response = post_object(
            any_client(), {.tenant = tenant_, .key = object.key}, shared_.front().bytes);
        expect(response, 409, "reuse of key " + *object.key);
        return;
      }
    }
  }

  int index_;
  std::string tenant_;
  const std::vector<RandomContent>& shared_;
  FailureLog& failures_;
  std::vector<HttpClient> clients_;  // one per server
  std::vector<LiveObject> live_;
  int next_key_ = 0;
};

}  // namespace

TEST_CASE(
    "two servers sharing a database and storage root stay consistent under concurrent "
    "uploads, deletes and GC",
    "[concurrency]") {
  testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_concurrency");
  testing::TempDir storage("castor-concurrency");
  const testing::ServerOptions options{
      .binary = castor_binary(), .database_url = database.url(), .storage_root = storage.path()};
  // Launched together, so that both run the migrations at the same time too.
  testing::ServerProcess first = testing::ServerProcess::launch(options);
  testing::ServerProcess second = testing::ServerProcess::launch(options);
  first.wait_until_ready();
  second.wait_until_ready();
  const std::vector<std::uint16_t> ports = {first.port(), second.port()};

  const std::vector<RandomContent> shared = {testing::random_content(0), testing::random_content(1),
                                             testing::random_content(4096),
                                             testing::random_content(70'000)};
  FailureLog failures;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.push_back(std::make_unique<Worker>(i, ports, shared, failures));
  }
  {
    std::vector<std::jthread> threads;
    for (auto& worker : workers) {
      threads.emplace_back([&worker] { worker->run(); });
    }
  }
  INFO("worker failures:\n" << failures.report());
  REQUIRE(failures.empty());

  HttpClient client_one = first.client();
  HttpClient client_two = second.client();
  run_gc(client_one);
  run_gc(client_two);

  std::set<std::string> live_ids;
  for (const auto& worker : workers) {
    for (const LiveObject& object : worker->live()) {
      live_ids.insert(object.id);
      for (HttpClient* client : {&client_one, &client_two}) {
        const HttpResponse response = by_id(*client, "GET", object.id, worker->tenant());
        INFO("object " << object.id);
        REQUIRE(response.status == 200);
        CHECK(testing::sha256_hex(response.body) == object.hash);
      }
    }
  }
  // What the database holds is exactly what the clients were told: the live objects COMMITTED,
  // every other one a DELETED tombstone after the final GC.
  const std::map<std::string, std::string> statuses = object_statuses(database.url());
  for (const std::string& id : live_ids) {
    INFO("live object " << id);
    CHECK(statuses.contains(id));
  }
  for (const auto& [id, status] : statuses) {
    INFO("object " << id);
    CHECK(status == (live_ids.contains(id) ? "COMMITTED" : "DELETED"));
  }
  const std::vector<std::string> violations = invariant_violations(database.url(), storage.path());
  for (const std::string& violation : violations) {
    FAIL_CHECK(violation);
  }
  CHECK(client_one.request("GET", "/health").status == 200);
  CHECK(client_two.request("GET", "/health").status == 200);
}

}  // namespace castor::e2e
