// Scale-out (issue 13): three stateless `castor serve` processes on one database and one content
// store (the same S3 bucket and prefixes under tests/e2e/with_s3_backend.sh, the same storage root
// otherwise), with clients spread over them: the same content uploaded at once through different
// processes (dedup races across processes), different content, upload sessions whose parts are
// shared, deletes, and GC cycles started on all three at once, twice over. Then, exactly:
//   1. every committed object downloads from each server with its SHA-256, every deleted one is
//      gone;
//   2. every blob row's ref_count equals its live references (PostgreSQL, and fsck);
//   3. after a final GC pass, no content key without a blob row and no blob row (but inline and
//      composite ones) without its content key (storage_view.h lists the bucket or the files).
// It runs as the ctest e2e_scaleout (under with_s3_backend.sh); e2e leaves it out.

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/failure_log.h"
#include "e2e/shared_server.h"
#include "e2e/storage_state.h"
#include "e2e/storage_view.h"
#include "e2e/upload_api.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/sha256.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

constexpr int kServers = 3;
constexpr int kClients = 6;
constexpr int kRounds = 2;
constexpr int kUniquePerClient = 6;
// GC passes (on all three servers at once) after the workload before the storage must be settled:
// each pass tombstones, then collects what the previous one released.
constexpr int kMaxFinalPasses = 20;

// One object a client committed, and whether a later DELETE was acknowledged.
struct Committed {
  std::string tenant;
  std::string key;
  std::string id;
  std::string hash;
  bool deleted = false;
};

// Every committed object of the test. Thread-safe.
class Ledger {
 public:
  void add(Committed object) {
    std::lock_guard lock(mutex_);
    objects_.push_back(std::move(object));
  }
  std::vector<Committed> all() const {
    std::lock_guard lock(mutex_);
    return objects_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Committed> objects_;  // guarded by mutex_
};

// The string `name` of a JSON object text, or nullopt.
std::optional<std::string> json_string(const std::string& text, std::string_view name) {
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) {
    return std::nullopt;
  }
  const boost::json::value* field = value.as_object().if_contains(name);
  if (field == nullptr || !field->is_string()) {
    return std::nullopt;
  }
  return std::string(field->as_string());
}

// What every client thread shares.
struct Workload {
  std::array<std::uint16_t, kServers> ports;
  const std::vector<testing::RandomContent>& shared_contents;
  const std::string& shared_part;
  Ledger& ledger;
  FailureLog& failures;
};

// One client: each request goes to the next server in turn, starting at server `client`.
class Client {
 public:
  Client(const Workload& workload, int client, int round)
      : workload_(workload), client_(client), round_(round), next_(client) {}

  void run() {
    std::vector<Committed> mine;
    // The same contents as every other client, at about the same moment.
    for (std::size_t i = 0; i < workload_.shared_contents.size(); ++i) {
      upload(workload_.shared_contents[i], "shared-" + std::to_string(i), mine);
    }
    for (int i = 0; i < kUniquePerClient; ++i) {
      const std::size_t size = i == 0 ? 6 * 1024 * 1024 : testing::random_between(1, 300 * 1024);
      upload(testing::random_content(size), "unique-" + std::to_string(i), mine);
    }
    upload_session(mine);
    // Every other object goes again, through another server than the one that stored it (which
    // half depends on the client and round: each shared content keeps references from half of
    // the clients while the other half drop theirs).
    for (std::size_t i = (client_ + round_) % 2; i < mine.size(); i += 2) {
      HttpClient http = next_client();
      const HttpResponse response =
          http.request("DELETE", "/v1/objects/" + mine[i].id, {{"X-Tenant", mine[i].tenant}});
      if (response.status == 204) {
        mine[i].deleted = true;
      } else {
        fail("DELETE " + mine[i].key, response);
      }
    }
    for (Committed& object : mine) {
      workload_.ledger.add(std::move(object));
    }
  }

 private:
  HttpClient next_client() {
    return HttpClient("127.0.0.1", workload_.ports[next_++ % kServers], std::chrono::seconds(60));
  }

  std::string tenant() const { return "scale-" + std::to_string(client_); }
  std::string key(const std::string& name) const {
    return "r" + std::to_string(round_) + "/" + name;
  }

  void fail(const std::string& what, const HttpResponse& response) {
    workload_.failures.add("client " + std::to_string(client_) + " round " +
                           std::to_string(round_) + ": " + what + " answered " +
                           std::to_string(response.status) + " " + response.body.substr(0, 300));
  }

  void upload(const testing::RandomContent& content, const std::string& name,
              std::vector<Committed>& mine) {
    HttpClient http = next_client();
    const HttpResponse response =
        post_object(http, {.tenant = tenant(), .key = key(name)}, content.bytes);
    const std::optional<std::string> id = json_string(response.body, "id");
    if (response.status != 201 || !id ||
        json_string(response.body, "content_hash") != "sha256:" + content.hash) {
      fail("upload " + name, response);
      return;
    }
    mine.push_back({tenant(), key(name), *id, content.hash});
  }

  // A session of two parts through two servers: the first part is the same for every client
  // (shared part blobs), the second its own; completed through a third.
  void upload_session(std::vector<Committed>& mine) {
    const std::string second = testing::random_bytes(testing::random_between(1, 100 * 1024));
    HttpClient create = next_client();
    const HttpResponse created = post_upload(
        create, tenant(), R"({"namespace": "e2e", "key": ")" + key("session") + R"("})");
    const std::optional<std::string> id = json_string(created.body, "upload_id");
    if (created.status != 201 || !id) {
      fail("POST /v1/uploads", created);
      return;
    }
    int n = 1;
    for (const std::string* part : {&workload_.shared_part, &second}) {
      HttpClient http = next_client();
      const HttpResponse stored = put_part(http, tenant(), *id, std::to_string(n++), *part);
      if (stored.status != 200) {
        fail("PUT part " + std::to_string(n - 1), stored);
        return;
      }
    }
    HttpClient complete = next_client();
    const HttpResponse done = complete_upload(complete, tenant(), *id);
    boost::system::error_code ec;
    const boost::json::value body = boost::json::parse(done.body, ec);
    const boost::json::object* object = !ec && body.is_object() &&
                                                body.as_object().contains("object") &&
                                                body.as_object().at("object").is_object()
                                            ? &body.as_object().at("object").as_object()
                                            : nullptr;
    const std::string hash = testing::sha256_hex(workload_.shared_part + second);
    if (done.status != 201 || object == nullptr || !object->contains("id") ||
        object->at("content_hash") != boost::json::value("sha256:" + hash)) {
      fail("complete " + *id, done);
      return;
    }
    mine.push_back({tenant(), key("session"), std::string(object->at("id").as_string()), hash});
  }

  const Workload& workload_;
  const int client_;
  const int round_;
  int next_;
};

// POST /v1/admin/gc on every server at once; true when none of them had anything to do.
bool gc_everywhere(const std::array<std::uint16_t, kServers>& ports, FailureLog& failures) {
  std::atomic<bool> idle{true};
  {
    std::vector<std::jthread> threads;
    for (const std::uint16_t port : ports) {
      threads.emplace_back([port, &idle, &failures] {
        HttpClient http("127.0.0.1", port, std::chrono::seconds(120));
        const HttpResponse response = http.request("POST", "/v1/admin/gc");
        boost::system::error_code ec;
        const boost::json::value counts = boost::json::parse(response.body, ec);
        if (response.status != 200 || ec || !counts.is_object()) {
          failures.add("GC on port " + std::to_string(port) + " answered " +
                       std::to_string(response.status) + " " + response.body.substr(0, 300));
          idle = false;
          return;
        }
        for (const auto& [name, value] : counts.as_object()) {
          if (value.is_number() && value.to_number<double>() != 0) {
            idle = false;
          }
        }
      });
    }
  }
  return idle;
}

}  // namespace

TEST_CASE(
    "three servers on one database and one content store: concurrent same and different "
    "content, sessions, deletes and GC everywhere keep every invariant",
    "[scaleout]") {
  testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_scaleout");
  testing::TempDir storage("castor-scaleout");  // shared: one set of prefixes (or directories)
  const testing::ServerOptions options{
      .binary = castor_binary(),
      .database_url = database.url(),
      .storage_root = storage.path(),
      .max_object_size = 64 * 1024 * 1024,
      // The smallest S3 part, so that the 7 MiB content goes as a multipart upload (ignored by
      // the fs backend); deleted content is collectable at once.
      .extra_env = {{"HOT_S3_PART_SIZE", "5242880"},
                    {"COLD_S3_PART_SIZE", "5242880"},
                    {"BLOB_GRACE_SECONDS", "0"}}};
  std::vector<testing::ServerProcess> servers;
  std::array<std::uint16_t, kServers> ports{};
  for (int i = 0; i < kServers; ++i) {
    servers.push_back(testing::ServerProcess::start(options));
    ports[i] = servers.back().port();
  }
  const std::vector<testing::RandomContent> shared_contents = {
      testing::random_content(1000), testing::random_content(200 * 1024),
      testing::random_content(7 * 1024 * 1024)};
  const std::string shared_part = testing::random_bytes(150 * 1024);
  Ledger ledger;
  FailureLog failures;
  const Workload workload{ports, shared_contents, shared_part, ledger, failures};

  for (int round = 0; round < kRounds; ++round) {
    std::atomic<bool> clients_done{false};
    std::jthread collector([&] {
      while (!clients_done) {
        gc_everywhere(ports, failures);
      }
    });
    {
      std::vector<std::jthread> clients;
      for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&workload, c, round] { Client(workload, c, round).run(); });
      }
    }
    clients_done = true;
  }
  INFO("client failures:\n" << failures.report());
  REQUIRE(failures.empty());

  const std::vector<Committed> objects = ledger.all();
  // Every upload and session of every client of every round was acknowledged.
  REQUIRE(objects.size() ==
          static_cast<std::size_t>(kRounds * kClients *
                                   (shared_contents.size() + kUniquePerClient + 1)));

  // 1. Every committed object downloads from each server with its hash; deleted ones are gone.
  for (const Committed& object : objects) {
    for (int i = 0; i < kServers; ++i) {
      HttpClient http = servers[i].client();
      const HttpResponse response =
          http.request("GET", "/v1/objects/" + object.id, {{"X-Tenant", object.tenant}});
      INFO(object.key << " of " << object.tenant << " (" << (object.deleted ? "deleted" : "live")
                      << ") from server " << i << ": " << response.status);
      if (object.deleted) {
        CHECK(response.status == 404);
      } else {
        REQUIRE(response.status == 200);
        CHECK(testing::sha256_hex(response.body) == object.hash);
      }
    }
  }

  // The final collection: GC on all three at once until a pass finds nothing to do.
  int passes = 0;
  while (!gc_everywhere(ports, failures)) {
    REQUIRE(++passes < kMaxFinalPasses);
  }
  INFO("GC failures:\n" << failures.report());
  REQUIRE(failures.empty());

  // 2 and 3. Reference counts equal live references; content keys and blob rows match one to one
  // (and each key holds the content it is named by); no upload left a temp entry.
  const StorageView view = StorageView::of(servers[0]);
  for (const std::string& violation : invariant_violations(database.url(), view)) {
    FAIL_CHECK(violation);
  }
  HttpClient client = servers[1].client();
  require_fsck_clean(client);
  // Each shared content has one blob row, referenced by exactly its live objects, whichever
  // processes stored and deleted them.
  std::map<std::string, std::int64_t> live;  // content hash -> objects not deleted
  for (const Committed& object : objects) {
    live[object.hash] += object.deleted ? 0 : 1;
  }
  for (const testing::RandomContent& content : shared_contents) {
    INFO("shared content of " << content.bytes.size() << " bytes");
    const auto blob = find_blob(database.url(), "hot", content.hash);
    REQUIRE(blob.has_value());
    CHECK(live[content.hash] > 0);
    CHECK(blob->ref_count == live[content.hash]);
  }
}

}  // namespace castor::e2e
