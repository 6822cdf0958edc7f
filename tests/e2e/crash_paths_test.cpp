// The crash test of issue 11, once on each write path: kill -9 at random points during uploads,
// deletes and GC cycles, at least 50 times over, then the invariants. The small-object path
// (INLINE_MAX_BYTES=65536, every upload at most 64 KiB: content kept in the blob row, written by
// the transaction that commits the object) and the file path (INLINE_MAX_BYTES=0, small and
// multi-MiB uploads: temporary file, fsync, rename) must both keep what crash_test.cpp proves:
// - every acknowledged (201) upload is readable after the crashes with its exact bytes (SHA-256);
// - nothing unacknowledged is visible half-done: a GET answers 404 or the exact bytes;
// - after GC, every blob's ref_count equals its live references, no object is WRITING, no temp
//   file is left, every content (file or inline bytes) hashes to its name, and fsck is clean;
// - the path under test is the one that stored the content (checked once migration 010's
//   blobs.content exists): inline without a file, or a file with no inline bytes.
// CASTOR_CRASH_KILLS overrides the number of kills (default 50) for quick local runs.

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/crash_workload.h"
#include "e2e/inline_state.h"
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

constexpr int kDefaultKills = 50;
constexpr auto kProgressDeadline = std::chrono::seconds(20);
constexpr auto kSettleDeadline = std::chrono::seconds(30);

int kills() {
  const char* text = std::getenv("CASTOR_CRASH_KILLS");
  return text != nullptr && std::atoi(text) > 0 ? std::atoi(text) : kDefaultKills;
}

struct PathUnderTest {
  const char* name;
  std::uint64_t inline_max_bytes;
  int small_uploaders;
  int large_uploaders;  // multi-MiB objects sent slowly: always the file path
};

bool must_exist(const UploadRecord& record) {
  return record.outcome == UploadOutcome::kCommitted && record.deleted == DeleteOutcome::kNotTried;
}

bool must_not_exist(const UploadRecord& record) {
  return record.outcome == UploadOutcome::kRejected || record.deleted == DeleteOutcome::kDeleted;
}

// Kills the server at a random point: after 1 to 30 acknowledged uploads (while the others are
// mid-request, a delete or a GC cycle runs), and with large uploaders at a random fraction of a
// large body.
void kill_at_random_moment(testing::ServerProcess& server, CrashRound& round,
                           const PathUnderTest& path) {
  static constexpr double kLargeFractions[] = {0.0, 0.1, 0.5, 0.9, 1.0};
  const double fraction =
      path.large_uploaders > 0 ? kLargeFractions[testing::random_between(0, 4)] : 0.0;
  round.wait_for_progress(static_cast<int>(testing::random_between(1, 30)), fraction,
                          std::chrono::steady_clock::now() + kProgressDeadline);
  round.mark_killed();
  server.kill(SIGKILL);
}

// What a client sees of every upload, against what it was told. Returns how many were checked
// as must-exist.
int check_visibility(HttpClient& client, const std::string& tenant,
                     const std::vector<UploadRecord>& records) {
  int acknowledged = 0;
  for (const UploadRecord& record : records) {
    const HttpResponse response = client.request("GET", by_key_target("e2e", tenant, record.key));
    INFO("upload " << record.key << " (round " << record.round << ", outcome "
                   << static_cast<int>(record.outcome) << ", deleted "
                   << static_cast<int>(record.deleted) << "): GET " << response.status);
    if (must_exist(record)) {
      ++acknowledged;
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
  return acknowledged;
}

bool all_zero(const boost::json::object& counts) {
  for (const auto& [name, value] : counts) {
    if (!value.is_number() || value.to_number<double>() != 0) {
      return false;
    }
  }
  return true;
}

void run_crash_test(const PathUnderTest& path) {
  const auto started = std::chrono::steady_clock::now();
  testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_crash_paths");
  testing::TempDir storage("castor-crash-paths");
  testing::ServerOptions options{
      .binary = castor_binary(),
      .database_url = database.url(),
      .storage_root = storage.path(),
      .max_object_size = 64 * 1024 * 1024,
      .extra_env = {{"WRITING_TIMEOUT_SECONDS", "30"},
                    {"INLINE_MAX_BYTES", std::to_string(path.inline_max_bytes)}}};
  const std::string tenant = testing::unique_name("crashpaths");
  // Shared contents make uploads hit an existing blob (dedup) across rounds. On the small-object
  // path all are inline-sized, the largest exactly at the limit.
  const std::vector<testing::RandomContent> shared_contents =
      path.large_uploaders == 0
          ? std::vector<testing::RandomContent>{testing::random_content(1000),
                                                testing::random_content(30 * 1024),
                                                testing::random_content(kDefaultInlineMaxBytes)}
          : std::vector<testing::RandomContent>{testing::random_content(1000),
                                                testing::random_content(300 * 1024),
                                                testing::random_content(2 * 1024 * 1024)};
  Ledger ledger;
  FailureLog failures;
  const int rounds = kills();

  testing::ServerProcess server = testing::ServerProcess::start(options);
  for (int round_number = 0; round_number < rounds; ++round_number) {
    if (round_number > 0) {
      server.restart();
    }
    CrashRound round(server.port(), round_number);
    const WorkloadContext context{round, ledger, failures, shared_contents, tenant};
    {
      std::vector<std::jthread> workers;
      for (int worker = 0; worker < path.large_uploaders + path.small_uploaders; ++worker) {
        const bool large = worker < path.large_uploaders;
        workers.emplace_back([&context, worker, large] { run_uploader(context, worker, large); });
      }
      workers.emplace_back([&context] { run_collector(context); });
      if (round_number > 0) {
        workers.emplace_back([&context] { run_deleter(context); });
      }
      kill_at_random_moment(server, round, path);
    }
    const testing::ProcessExit exit = server.wait();
    CHECK(exit.signal == SIGKILL);
  }
  const auto crashed = std::chrono::steady_clock::now();
  INFO("client failures:\n" << failures.report());
  REQUIRE(failures.empty());
  const std::vector<UploadRecord> records = ledger.all();
  REQUIRE(records.size() >= static_cast<std::size_t>(rounds));

  options.extra_env["WRITING_TIMEOUT_SECONDS"] = "1";
  testing::ServerProcess janitor = testing::ServerProcess::start(options);
  HttpClient client = janitor.client();
  int acknowledged = 0;
  {
    INFO("after the crashes, before any GC");
    acknowledged = check_visibility(client, tenant, records);
  }

  std::vector<std::string> violations;
  const auto deadline = std::chrono::steady_clock::now() + kSettleDeadline;
  for (;;) {
    const bool idle = all_zero(run_gc(client));
    violations = path_invariant_violations(database.url(), storage.path());
    if ((idle && violations.empty()) || std::chrono::steady_clock::now() > deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // poll interval
  }
  for (const std::string& violation : violations) {
    FAIL_CHECK(violation);
  }
  {
    INFO("after GC");
    check_visibility(client, tenant, records);
  }
  const boost::json::object fsck = run_fsck(client);
  INFO("fsck: " << boost::json::serialize(fsck).substr(0, 2000));
  CHECK(fsck.at("clean").as_bool());

  // The path under test stored the content.
  if (inline_column_exists(database.url())) {
    std::set<std::string> hashes;
    for (const UploadRecord& record : records) {
      if (must_exist(record)) {
        hashes.insert(record.hash);
      }
    }
    const std::map<std::string, StoredContent> contents =
        stored_contents(database.url(), storage.path(), "hot", hashes);
    for (const UploadRecord& record : records) {
      if (!must_exist(record)) {
        continue;
      }
      const StoredContent& stored = contents.at(record.hash);
      INFO("acknowledged " << record.key << ": " << stored.describe());
      CHECK(stored.row);
      if (path.inline_max_bytes > 0) {
        CHECK(stored.inline_content);
        CHECK_FALSE(stored.file);
      } else {
        CHECK_FALSE(stored.inline_content);
        CHECK(stored.file);
      }
    }
  } else {
    WARN("blobs.content does not exist (migration 010 not merged): every content is a file");
  }
  std::map<UploadOutcome, int> outcomes;
  for (const UploadRecord& record : records) {
    ++outcomes[record.outcome];
  }
  const auto finished = std::chrono::steady_clock::now();
  using Seconds = std::chrono::duration<double>;
  WARN(path.name << ": " << rounds << " kills, " << records.size() << " uploads (" << acknowledged
                 << " acknowledged and not deleted; " << outcomes[UploadOutcome::kCommitted]
                 << " committed, " << outcomes[UploadOutcome::kUnknown]
                 << " cut after the whole body, " << outcomes[UploadOutcome::kRejected]
                 << " cut mid-body), crash phase " << Seconds(crashed - started).count()
                 << " s, total " << Seconds(finished - started).count() << " s");
}

}  // namespace

TEST_CASE("small-object path: acknowledged uploads survive 50 kill -9 and GC leaves it exact",
          "[crash][crash_paths][crash_inline]") {
  run_crash_test({.name = "small-object path (INLINE_MAX_BYTES=65536)",
                  .inline_max_bytes = kDefaultInlineMaxBytes,
                  .small_uploaders = 4,
                  .large_uploaders = 0});
}

TEST_CASE("file path: acknowledged uploads survive 50 kill -9 and GC leaves it exact",
          "[crash][crash_paths][crash_file]") {
  run_crash_test({.name = "file path (INLINE_MAX_BYTES=0)",
                  .inline_max_bytes = 0,
                  .small_uploaders = 2,
                  .large_uploaders = 2});
}

}  // namespace castor::e2e
