// kill -9 while upload sessions receive parts, complete and abort, several times over: every
// session is afterwards either open with the parts it acknowledged intact, or completed with an
// object that downloads with its hash; and once the collector has run, the reference counts, the
// composite blobs and the files are exactly what the metadata says (storage_state.h, fsck).

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/failure_log.h"
#include "e2e/shared_server.h"
#include "e2e/storage_state.h"
#include "e2e/upload_api.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/sha256.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace castor::e2e {
namespace {

namespace json = boost::json;
using testing::HttpClient;
using testing::HttpResponse;

constexpr int kRounds = 5;
constexpr int kWorkers = 3;
constexpr auto kProgressDeadline = std::chrono::seconds(20);
constexpr auto kSettleDeadline = std::chrono::seconds(30);

// What a session's client can know about its fate.
enum class Fate {
  kOpen,             // never completed nor aborted (maybe cut off while sending a part)
  kCompleteUnknown,  // complete sent, no answer: open with every part, or completed
  kCompleted,        // 201
  kAbortUnknown,     // DELETE sent, no answer: open with every part, or gone
  kAborted,          // 204
};

struct SessionRecord {
  std::string id{};
  std::string key{};
  std::vector<std::string> pieces{};  // part i + 1 is pieces[i]
  std::size_t acknowledged = 0;       // parts 1..acknowledged were answered 200
  bool part_in_flight = false;        // part acknowledged + 1 was cut off
  Fate fate = Fate::kOpen;
};

std::string concatenation(const std::vector<std::string>& pieces, std::size_t count) {
  std::string all;
  for (std::size_t i = 0; i < count; ++i) {
    all += pieces[i];
  }
  return all;
}

// One server lifetime: workers report completions; the test kills the server while one is in
// flight, after a random number were acknowledged. Thread-safe.
class Round {
 public:
  explicit Round(std::uint16_t port) : port_(port) {}
  std::uint16_t port() const { return port_; }
  bool killed() const { return killed_; }

  void completion_started() {
    change([&] { ++in_flight_; });
  }
  void completion_ended(bool acknowledged) {
    change([&] {
      --in_flight_;
      completed_ += acknowledged ? 1 : 0;
    });
  }
  void add(SessionRecord record) {
    change([&] { records_.push_back(std::move(record)); });
  }
  std::vector<SessionRecord> records() {
    std::lock_guard lock(mutex_);
    return records_;
  }

  // Waits for `completed` acknowledged completions and then one in flight (or the deadline),
  // waits `jitter` more so that the kill lands at any step of a completion, and kills.
  void kill_when_completing(testing::ServerProcess& server, int completed,
                            std::chrono::microseconds jitter) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait_until(lock, std::chrono::steady_clock::now() + kProgressDeadline,
                          [&] { return completed_ >= completed && in_flight_ > 0; });
    }
    std::this_thread::sleep_for(jitter);
    killed_ = true;
    server.kill(SIGKILL);
  }

 private:
  template <class F>
  void change(F f) {
    {
      std::lock_guard lock(mutex_);
      f();
    }
    changed_.notify_all();
  }

  const std::uint16_t port_;
  std::atomic<bool> killed_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  int in_flight_ = 0;                   // guarded by mutex_
  int completed_ = 0;                   // guarded by mutex_
  std::vector<SessionRecord> records_;  // guarded by mutex_
};

// Sessions of 2 to 4 parts of up to 2 MiB (a third of them one of `shared`, cut anywhere), one
// in six aborted instead of completed, until the server dies.
void run_worker(Round& round, FailureLog& failures, const std::vector<std::string>& shared,
                const std::string& tenant, const std::string& prefix) {
  HttpClient client("127.0.0.1", round.port());
  const auto fail = [&](const std::string& what) {
    if (!round.killed()) {
      failures.add(what);
    }
  };
  for (int n = 0; !round.killed(); ++n) {
    SessionRecord r{.key = prefix + std::to_string(n)};
    const std::size_t count = testing::random_between(2, 4);
    const std::string content =
        testing::random_between(0, 2) == 0
            ? shared[testing::random_between(0, shared.size() - 1)]
            : testing::random_bytes(testing::random_between(count, count * 2 * 1024 * 1024));
    std::set<std::size_t> cuts;
    while (cuts.size() < count - 1) {
      cuts.insert(testing::random_between(1, content.size() - 1));
    }
    r.pieces = split_at(content, {cuts.begin(), cuts.end()});
    try {
      const HttpResponse created =
          post_upload(client, tenant, R"({"namespace": "e2e", "key": ")" + r.key + R"("})");
      if (created.status != 201) {
        return fail("create " + r.key + ": " + std::to_string(created.status) + created.body);
      }
      r.id = string_field(parse_object(created.body), "upload_id");
    } catch (const std::exception& e) {
      return fail("create " + r.key + " failed before the kill: " + e.what());
    }
    try {
      for (; r.acknowledged < r.pieces.size(); ++r.acknowledged) {
        const std::string& piece = r.pieces[r.acknowledged];
        r.part_in_flight = true;
        const HttpResponse part =
            put_part(client, tenant, r.id, std::to_string(r.acknowledged + 1), piece);
        r.part_in_flight = false;
        if (part.status != 200 ||
            string_field(parse_object(part.body), "sha256") != testing::sha256_hex(piece)) {
          round.add(r);
          return fail("part of " + r.key + ": " + std::to_string(part.status) + part.body);
        }
      }
    } catch (const std::exception& e) {
      round.add(r);
      return fail("part of " + r.key + " failed before the kill: " + e.what());
    }
    const bool abort = testing::random_between(0, 5) == 0;
    r.fate = abort ? Fate::kAbortUnknown : Fate::kCompleteUnknown;
    round.completion_started();
    bool acknowledged = false;
    try {
      const HttpResponse done = abort ? upload_request(client, "DELETE", tenant, r.id)
                                      : complete_upload(client, tenant, r.id);
      if (done.status == (abort ? 204 : 201)) {
        acknowledged = true;
        r.fate = abort ? Fate::kAborted : Fate::kCompleted;
      } else {
        fail("finishing " + r.key + ": " + std::to_string(done.status) + " " + done.body);
      }
      if (!abort && acknowledged &&
          string_field(parse_object(done.body).at("object").as_object(), "content_hash") !=
              "sha256:" + testing::sha256_hex(content)) {
        fail("completed " + r.key + " with the wrong hash: " + done.body);
      }
    } catch (const std::exception& e) {
      fail("finishing " + r.key + " failed before the kill: " + e.what());
    }
    round.completion_ended(acknowledged && !abort);
    round.add(r);
    if (!acknowledged) {
      return;
    }
  }
}

void run_collector(Round& round, FailureLog& failures) {
  HttpClient client("127.0.0.1", round.port());
  while (!round.killed()) {
    try {
      const HttpResponse gc = client.request("POST", "/v1/admin/gc");
      if (gc.status != 200) {
        return failures.add("gc: " + std::to_string(gc.status) + " " + gc.body);
      }
    } catch (const std::exception& e) {
      if (!round.killed()) {
        failures.add(std::string("gc failed before the kill: ") + e.what());
      }
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // pacing, not synchronisation
  }
}

// Requires the object under `key` to download with the hash of `content`.
void require_object(HttpClient& client, const std::string& tenant, const std::string& key,
                    const std::string& content) {
  const HttpResponse got = client.request("GET", by_key_target("e2e", tenant, key));
  REQUIRE(got.status == 200);
  CHECK(got.body.size() == content.size());
  CHECK(testing::sha256_hex(got.body) == testing::sha256_hex(content));
}

// Checks one session after the crashes against what its client was told, and then completes (or
// aborts) what is still open, so that the parts are known to be usable.
void check_and_settle(HttpClient& client, const std::string& tenant, const SessionRecord& r) {
  const HttpResponse got = upload_request(client, "GET", tenant, r.id);
  INFO("session " << r.key << " (" << r.id << "), fate " << static_cast<int>(r.fate) << ", "
                  << r.acknowledged << "/" << r.pieces.size() << " parts acknowledged"
                  << (r.part_in_flight ? " and one in flight" : "") << ": " << got.status << " "
                  << got.body.substr(0, 600));
  if (r.fate == Fate::kAborted) {
    CHECK(got.status == 404);
    return;
  }
  if (r.fate == Fate::kAbortUnknown && got.status == 404) {
    return;
  }
  REQUIRE(got.status == 200);
  const json::object session = parse_object(got.body);
  const std::string all = concatenation(r.pieces, r.pieces.size());
  if (string_field(session, "state") == "completed") {
    CHECK((r.fate == Fate::kCompleted || r.fate == Fate::kCompleteUnknown));
    CHECK(session.at("parts").as_array().empty());
    require_object(client, tenant, r.key, all);
    return;
  }
  CHECK(r.fate != Fate::kCompleted);
  CHECK(string_field(session, "state") == "open");
  std::vector<PartInfo> expected;
  for (std::size_t i = 0; i < r.acknowledged; ++i) {
    expected.push_back(part_info(static_cast<int>(i + 1), r.pieces[i]));
  }
  std::vector<PartInfo> held = parts_of(session);
  if (r.part_in_flight && held.size() == expected.size() + 1) {
    CHECK(held.back() == part_info(static_cast<int>(r.acknowledged + 1), r.pieces[r.acknowledged]));
    held.pop_back();
  }
  CHECK(held == expected);
  if (r.fate == Fate::kAbortUnknown || r.acknowledged == 0) {
    CHECK(upload_request(client, "DELETE", tenant, r.id).status == 204);
    return;
  }
  json::array numbers;
  for (std::size_t i = 1; i <= r.acknowledged; ++i) {
    numbers.emplace_back(i);
  }
  const HttpResponse done =
      complete_upload(client, tenant, r.id, json::serialize(json::object{{"parts", numbers}}));
  INFO("completing it now: " << done.status << " " << done.body);
  REQUIRE(done.status == 201);
  require_object(client, tenant, r.key, concatenation(r.pieces, r.acknowledged));
}

bool all_zero(const json::object& counts) {
  return std::all_of(counts.begin(), counts.end(), [](const auto& entry) {
    return entry.value().is_number() && entry.value().template to_number<double>() == 0;
  });
}

}  // namespace

TEST_CASE("upload sessions survive kill -9 open with their parts or completed with their object",
          "[crash][uploads]") {
  testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_upcrash");
  testing::TempDir storage("castor-upcrash");
  testing::ServerOptions options{.binary = castor_binary(),
                                 .database_url = database.url(),
                                 .storage_root = storage.path(),
                                 .max_object_size = 64 * 1024 * 1024,
                                 .extra_env = {{"WRITING_TIMEOUT_SECONDS", "30"}}};
  const std::string tenant = testing::unique_name("upcrash");
  const std::vector<std::string> shared = {testing::random_bytes(300 * 1024),
                                           testing::random_bytes(3 * 1024 * 1024)};
  FailureLog failures;
  std::vector<SessionRecord> records;

  testing::ServerProcess server = testing::ServerProcess::start(options);
  for (int number = 0; number < kRounds; ++number) {
    if (number > 0) {
      server.restart();
    }
    Round round(server.port());
    {
      std::vector<std::jthread> workers;
      for (int w = 0; w < kWorkers; ++w) {
        const std::string prefix = "r" + std::to_string(number) + "/w" + std::to_string(w) + "/";
        workers.emplace_back([&, prefix] { run_worker(round, failures, shared, tenant, prefix); });
      }
      workers.emplace_back([&] { run_collector(round, failures); });
      round.kill_when_completing(server, static_cast<int>(testing::random_between(1, 6)),
                                 std::chrono::microseconds(testing::random_between(0, 20'000)));
    }
    CHECK(server.wait().signal == SIGKILL);
    for (SessionRecord& r : round.records()) {
      records.push_back(std::move(r));
    }
  }
  INFO("client failures:\n" << failures.report());
  REQUIRE(failures.empty());
  REQUIRE(records.size() >= kRounds * kWorkers);

  options.extra_env["WRITING_TIMEOUT_SECONDS"] = "1";  // to collect the cut-off parts' temp files
  testing::ServerProcess janitor = testing::ServerProcess::start(options);
  HttpClient client = janitor.client();
  std::set<std::string> keys;
  for (const SessionRecord& r : records) {
    check_and_settle(client, tenant, r);
    keys.insert(r.key);
  }
  std::vector<std::string> violations;
  const auto deadline = std::chrono::steady_clock::now() + kSettleDeadline;
  for (;;) {
    const bool idle = all_zero(run_gc(client));
    violations = invariant_violations(database.url(), storage.path());
    if ((idle && violations.empty()) || std::chrono::steady_clock::now() > deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // poll interval
  }
  for (const std::string& violation : violations) {
    FAIL_CHECK(violation);
  }
  require_fsck_clean(client);
  // After the collector: every object still downloads with its hash, and each is a session's.
  for (const json::object& object : list_objects(client, "e2e", tenant).objects) {
    const std::string key = string_field(object, "key");
    INFO("object " << key);
    CHECK(keys.contains(key));
    const HttpResponse got = by_id(client, "GET", string_field(object, "id"), tenant);
    REQUIRE(got.status == 200);
    CHECK("sha256:" + testing::sha256_hex(got.body) == string_field(object, "content_hash"));
  }
}

}  // namespace castor::e2e
