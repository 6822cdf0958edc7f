// kill -9 in the middle of uploads, storage-class moves, deletes and GC cycles, several times
// over: every upload that was acknowledged survives intact (in the class its last acknowledged
// move named), nothing that was not acknowledged becomes visible half-done,
// and after the garbage collector has run the storage is exactly what the metadata says.

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/crash_workload.h"
#include "e2e/shared_server.h"
#include "e2e/storage_state.h"
#include "e2e/storage_view.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/sha256.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

// Server lifetimes, each ended by kill -9: 4, or CASTOR_E2E_CRASH_ROUNDS (1..100; the ctest
// e2e_s3backend_crash sets 20).
int rounds() {
  const char* text = std::getenv("CASTOR_E2E_CRASH_ROUNDS");
  if (text == nullptr || *text == '\0') {
    return 4;
  }
  const int n = std::atoi(text);
  if (n < 1 || n > 100) {
    throw std::invalid_argument("CASTOR_E2E_CRASH_ROUNDS must be 1..100");
  }
  return n;
}
constexpr int kUploaders = 4;  // the first two send large objects slowly
constexpr auto kProgressDeadline = std::chrono::seconds(20);
constexpr auto kSettleDeadline = std::chrono::seconds(30);

// Kills the server at a random point: after a few acknowledged uploads, while (or just after) a
// large upload sends its body.
void kill_at_random_moment(testing::ServerProcess& server, CrashRound& round) {
  static constexpr double kLargeFractions[] = {0.0, 0.1, 0.5, 0.9, 1.0};
  const auto deadline = std::chrono::steady_clock::now() + kProgressDeadline;
  round.wait_for_progress(static_cast<int>(testing::random_between(2, 15)),
                          kLargeFractions[testing::random_between(0, 4)], deadline);
  round.mark_killed();
  server.kill(SIGKILL);
}

bool must_exist(const UploadRecord& record) {
  return record.outcome == UploadOutcome::kCommitted && record.deleted == DeleteOutcome::kNotTried;
}

bool must_not_exist(const UploadRecord& record) {
  return record.outcome == UploadOutcome::kRejected || record.deleted == DeleteOutcome::kDeleted;
}

const char* describe(const UploadRecord& record) {
  if (must_exist(record)) {
    return "acknowledged";
  }
  if (must_not_exist(record)) {
    return record.deleted == DeleteOutcome::kDeleted ? "deleted" : "never fully sent";
  }
  return "unknown";
}

// What PostgreSQL and the storage (files or S3 objects) hold for a record's content, for failure
// messages.
std::string stored_state(const std::string& database_url, const testing::ServerProcess& server,
                         const UploadRecord& record) {
  const auto blob = find_blob(database_url, record.storage_class, record.hash);
  const StorageView view = StorageView::of(server);
  return "blob row: " + (blob ? "ref_count " + std::to_string(blob->ref_count) : "none") +
         ", content " + view.describe(record.storage_class, record.hash) + ": " +
         (view.has_content(record.storage_class, record.hash) ? "present" : "missing");
}

// Checks what a client can see of every upload against what its client was told.
void check_visibility(HttpClient& client, const testing::ServerProcess& server,
                      const std::string& database_url, const std::string& tenant,
                      const std::vector<UploadRecord>& records) {
  std::map<std::string, const UploadRecord*> by_key;
  for (const UploadRecord& record : records) {
    by_key[record.key] = &record;
    const HttpResponse response = client.request("GET", by_key_target("e2e", tenant, record.key));
    INFO("upload " << record.key << " (" << describe(record) << ", round " << record.round
                   << "): GET by key " << response.status << " " << response.body.substr(0, 200)
                   << "; " << stored_state(database_url, server, record));
    if (must_exist(record)) {
      CHECK(response.status == 200);
      CHECK(testing::sha256_hex(response.body) == record.hash);
      CHECK(by_id(client, "HEAD", record.id, tenant).status == 200);
    } else if (must_not_exist(record)) {
      CHECK(response.status == 404);
    } else {
      CHECK((response.status == 200 || response.status == 404));
      if (response.status == 200) {
        CHECK(testing::sha256_hex(response.body) == record.hash);
      }
    }
  }
  for (const boost::json::object& object : list_objects(client, "e2e", tenant).objects) {
    const std::string key = string_field(object, "key");
    INFO("listed " << key);
    REQUIRE(by_key.contains(key));
    CHECK_FALSE(must_not_exist(*by_key.at(key)));
    CHECK(string_field(object, "content_hash") == "sha256:" + by_key.at(key)->hash);
    if (by_key.at(key)->class_known) {
      CHECK(string_field(object, "storage_class") == by_key.at(key)->storage_class);
    }
  }
}

bool all_zero(const boost::json::object& counts) {
  for (const auto& [name, value] : counts) {
    if (!value.is_number() || value.to_number<double>() != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("acknowledged uploads survive kill -9 and the rest leave nothing behind after GC",
          "[crash][backend]") {
  const int round_count = rounds();
  testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_crash");
  testing::TempDir storage("castor-crash");
  testing::ServerOptions options{.binary = castor_binary(),
                                 .database_url = database.url(),
                                 .storage_root = storage.path(),
                                 .max_object_size = 64 * 1024 * 1024,
                                 .extra_env = {{"WRITING_TIMEOUT_SECONDS", "30"}}};
  // Under the S3 backend, large uploads cross its smallest part size (5 MiB), so that kills also
  // land in multipart uploads to temp keys and in their copy to the content key; one shared
  // content of 7 MiB makes that copy meet an existing content key.
  const bool on_s3 = testing::e2e_s3_backend().has_value();
  if (on_s3) {
    options.extra_env["HOT_S3_PART_SIZE"] = options.extra_env["COLD_S3_PART_SIZE"] = "5242880";
  }
  const std::string tenant = testing::unique_name("crash");
  std::vector<testing::RandomContent> shared_contents = {testing::random_content(1000),
                                                         testing::random_content(300 * 1024),
                                                         testing::random_content(2 * 1024 * 1024)};
  if (on_s3) {
    shared_contents.push_back(testing::random_content(7 * 1024 * 1024));
  }
  Ledger ledger;
  FailureLog failures;

  testing::ServerProcess server = testing::ServerProcess::start(options);
  for (int round_number = 0; round_number < round_count; ++round_number) {
    if (round_number > 0) {
      server.restart();
    }
    CrashRound round(server.port(), round_number);
    const WorkloadContext context{
        round, ledger, failures, shared_contents, tenant, on_s3 ? std::size_t{12} : std::size_t{4}};
    {
      std::vector<std::jthread> workers;
      for (int worker = 0; worker < kUploaders; ++worker) {
        workers.emplace_back([&context, worker] { run_uploader(context, worker, worker < 2); });
      }
      workers.emplace_back([&context] { run_collector(context); });
      workers.emplace_back([&context] { run_mover(context); });
      if (round_number > 0) {
        workers.emplace_back([&context] { run_deleter(context); });
      }
      kill_at_random_moment(server, round);
    }
    const testing::ProcessExit exit = server.wait();
    CHECK(exit.signal == SIGKILL);
  }
  INFO("client failures:\n" << failures.report());
  REQUIRE(failures.empty());
  const std::vector<UploadRecord> records = ledger.all();
  REQUIRE(records.size() >= static_cast<std::size_t>(round_count * kUploaders));
  // The mover did move objects (an acknowledged move to cold, or one cut by the kill).
  CHECK(std::count_if(records.begin(), records.end(),
                      [](const UploadRecord& r) { return r.moves > 0 || !r.class_known; }) > 0);

  // A server that expires abandoned uploads after one second, to clean up after the others.
  options.extra_env["WRITING_TIMEOUT_SECONDS"] = "1";
  testing::ServerProcess janitor = testing::ServerProcess::start(options);
  HttpClient client = janitor.client();
  {
    INFO("after the crashes, before any GC");
    check_visibility(client, janitor, database.url(), tenant, records);
  }

  std::vector<std::string> violations;
  const auto deadline = std::chrono::steady_clock::now() + kSettleDeadline;
  for (;;) {
    const bool idle = all_zero(run_gc(client));
    violations = invariant_violations(database.url(), StorageView::of(janitor));
    if ((idle && violations.empty()) || std::chrono::steady_clock::now() > deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // poll interval
  }
  for (const std::string& violation : violations) {
    FAIL_CHECK(violation);
  }
  INFO("after GC");
  check_visibility(client, janitor, database.url(), tenant, records);
}

}  // namespace castor::e2e
