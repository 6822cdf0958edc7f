// castor_chaos: two `castor serve` processes on one database and one storage root under a mixed
// load, while faults hit them one after another (kill -9, PostgreSQL restarts, a full disk).
// After each fault, with the load paused, it checks the storage invariants, that every
// acknowledged object downloads byte-exact, and that blobs, bundles and upload sessions are what
// their clients were told. scripts/chaos sets up what it needs (a private
// PostgreSQL cluster, a size-limited storage filesystem) and runs it.
//
//   castor_chaos --castor BIN --storage-root DIR --pg-stop CMD --pg-start CMD
//                [--database-url URL] [--seed N] [--faults N | --duration SECONDS]
//                [--workers N] [--fsck auto|builtin|castor]
//
// Exit status: 0 every fault survived, 1 a failure (printed), 2 usage error.

#include <chrono>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "chaos/blob_ledger.h"
#include "chaos/checks.h"
#include "chaos/checks_blobs.h"
#include "chaos/faults.h"
#include "chaos/ledger.h"
#include "chaos/load.h"
#include "support/server_process.h"

namespace castor::chaos {
namespace {

// Unreferenced blobs are kept this long: short, so that the collector races bundle creations and
// the storage of the run stays bounded.
constexpr int kBlobGraceSeconds = 4;

struct Options {
  std::filesystem::path castor;
  std::string database_url;
  std::filesystem::path storage_root;
  PostgresControl postgres;
  std::uint64_t seed = 0;
  std::optional<int> faults;
  std::optional<int> duration_seconds;
  int workers = 4;
  std::string fsck = "auto";
};

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  if (const char* url = std::getenv("DATABASE_URL")) {
    options.database_url = url;
  }
  options.seed = std::random_device{}();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string value = argv[i + 1];
    if (name == "--castor") {
      options.castor = value;
    } else if (name == "--database-url") {
      options.database_url = value;
    } else if (name == "--storage-root") {
      options.storage_root = value;
    } else if (name == "--pg-stop") {
      options.postgres.stop_command = value;
    } else if (name == "--pg-start") {
      options.postgres.start_command = value;
    } else if (name == "--seed") {
      options.seed = std::stoull(value);
    } else if (name == "--faults") {
      options.faults = std::stoi(value);
    } else if (name == "--duration") {
      options.duration_seconds = std::stoi(value);
    } else if (name == "--workers") {
      options.workers = std::stoi(value);
    } else if (name == "--fsck") {
      options.fsck = value;
    } else {
      return std::nullopt;
    }
  }
  if (argc % 2 != 1 || options.castor.empty() || options.database_url.empty() ||
      options.storage_root.empty() || options.postgres.stop_command.empty() ||
      options.postgres.start_command.empty() ||
      options.faults.has_value() == options.duration_seconds.has_value() ||
      (options.fsck != "auto" && options.fsck != "builtin" && options.fsck != "castor")) {
    return std::nullopt;
  }
  return options;
}

std::string log_tail(const testing::ServerProcess& server) {
  const std::string log = server.log();
  return log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
}

int run(const Options& options) {
  const auto started = std::chrono::steady_clock::now();
  FsckMode fsck = options.fsck == "castor" ? FsckMode::kCastor : FsckMode::kBuiltin;
  if (options.fsck == "auto") {
    fsck = detect_fsck(options.castor);
  }
  // The servers inherit INLINE_MAX_BYTES (castor's default when unset: the small-object path on);
  // chaos_short_file_path sets 0 to run the file path alone.
  const char* inline_max_bytes = std::getenv("INLINE_MAX_BYTES");
  std::printf("chaos: seed=%llu workers=%d invariants=%s INLINE_MAX_BYTES=%s\n",
              static_cast<unsigned long long>(options.seed), options.workers,
              fsck == FsckMode::kCastor ? "castor fsck + builtin" : "builtin",
              inline_max_bytes != nullptr ? inline_max_bytes : "(default)");
  std::fflush(stdout);
  std::mt19937_64 rng(options.seed);

  std::vector<testing::ServerProcess> servers;
  Endpoints endpoints(2);
  for (std::size_t server = 0; server < endpoints.count(); ++server) {
    servers.push_back(testing::ServerProcess::start(
        {.binary = options.castor,
         .database_url = options.database_url,
         .storage_root = options.storage_root,
         .max_object_size = 8 << 20,
         .extra_env = {{"WRITING_TIMEOUT_SECONDS", "1"},
                       {"BLOB_GRACE_SECONDS", std::to_string(kBlobGraceSeconds)}}},
        std::chrono::seconds(60)));
    endpoints.set_port(server, servers.back().port());
  }
  const CheckTarget target{
      options.castor, options.database_url, options.storage_root, fsck, "chaos", "chaos"};
  Ledger ledger;
  BlobLedger blob_ledger{std::chrono::seconds(kBlobGraceSeconds)};
  Observations observations;
  Load load(
      {.ns = target.ns, .tenant = target.tenant, .workers = options.workers, .seed = options.seed},
      endpoints, ledger, blob_ledger, observations);
  BlobContext blob_context{load.settings(), endpoints, ledger, blob_ledger, observations};
  std::mt19937_64 check_rng(options.seed + 1);
  FaultInjector injector(servers, endpoints, options.postgres, options.storage_root, load, ledger,
                         observations);

  std::map<std::string, int> survived;
  int faults = 0;
  std::uint64_t stored_after_5xx = 0;
  const auto done = [&] {
    return options.faults ? faults >= *options.faults
                          : std::chrono::steady_clock::now() - started >=
                                std::chrono::seconds(*options.duration_seconds);
  };
  while (!done()) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 400)(rng)));
    const FaultKind kind = pick_fault(rng);
    const std::string description = injector.inject(kind, rng);
    const auto ready_after = injector.wait_ready(std::chrono::seconds(60));
    ++faults;

    load.pause();
    const auto blob_checks_started = std::chrono::steady_clock::now();
    settle_blob_api(blob_context, check_rng);  // first: it may complete or abort sessions
    auto blob_checks = std::chrono::steady_clock::now() - blob_checks_started;
    const StorageCheck storage = check_storage(target, endpoints.port(0), std::chrono::seconds(30));
    std::vector<std::string> failures = storage.violations;
    const auto blob_checks_resumed = std::chrono::steady_clock::now();
    check_blob_api(blob_context, check_rng);
    blob_checks += std::chrono::steady_clock::now() - blob_checks_resumed;
    for (std::string& failure : check_objects(target, endpoints, ledger, stored_after_5xx)) {
      failures.push_back(std::move(failure));
    }
    for (std::string& failure : observations.failures()) {
      failures.push_back(std::move(failure));
    }
    std::printf(
        "fault %d %s: %s; ready after %lld ms, settled after %lld ms, %zu live, %zu blobs, %zu "
        "bundles, %zu sessions (checked in %lld ms)%s%s\n",
        faults, to_string(kind), description.c_str(), static_cast<long long>(ready_after.count()),
        static_cast<long long>(storage.settle_time.count()), ledger.live_count(),
        blob_ledger.blob_count(), blob_ledger.live_bundles(), blob_ledger.active_sessions(),
        static_cast<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(blob_checks).count()),
        storage.fsck_summary.empty() ? "" : "; ", storage.fsck_summary.c_str());
    std::fflush(stdout);
    if (!failures.empty()) {
      std::printf("FAILED after fault %d (%s), seed %llu:\n", faults, to_string(kind),
                  static_cast<unsigned long long>(options.seed));
      for (const std::string& failure : failures) {
        std::printf("  %s\n", failure.c_str());
      }
      for (std::size_t server = 0; server < servers.size(); ++server) {
        std::printf("--- end of server %zu's log ---\n%s\n", server,
                    log_tail(servers[server]).c_str());
      }
      return 1;
    }
    ++survived[to_string(kind)];
    load.resume();
  }
  load.pause();

  const Ledger::Counts counts = ledger.counts();
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  std::printf("chaos: survived %d faults in %lld s (seed %llu):", faults,
              static_cast<long long>(seconds), static_cast<unsigned long long>(options.seed));
  for (const auto& [kind, count] : survived) {
    std::printf(" %s=%d", kind.c_str(), count);
  }
  std::printf(
      "\nchaos: uploads=%llu acknowledged=%llu rejected=%llu unknown=%llu deleted=%llu "
      "stored_after_5xx=%llu\nchaos: answers:",
      static_cast<unsigned long long>(counts.uploads),
      static_cast<unsigned long long>(counts.acknowledged),
      static_cast<unsigned long long>(counts.rejected),
      static_cast<unsigned long long>(counts.unknown),
      static_cast<unsigned long long>(counts.deleted),
      static_cast<unsigned long long>(stored_after_5xx));
  for (const auto& [what, count] : observations.counters()) {
    std::printf(" [%s]=%llu", what.c_str(), static_cast<unsigned long long>(count));
  }
  std::printf("\nchaos: bundles:");
  for (const auto& [outcome, count] : blob_ledger.bundle_counts()) {
    std::printf(" %s=%llu", outcome.c_str(), static_cast<unsigned long long>(count));
  }
  std::printf("\n");
  for (const std::string& finding : observations.findings()) {
    std::printf("chaos: finding: %s\n", finding.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace castor::chaos

int main(int argc, char** argv) {
  // libarchive reads the bundles' UTF-8 paths back through the locale's charset.
  if (std::setlocale(LC_CTYPE, "C.UTF-8") == nullptr) {
    std::fprintf(stderr, "castor_chaos: the C.UTF-8 locale is missing\n");
    return 2;
  }
  const auto options = castor::chaos::parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr,
                 "usage: castor_chaos --castor BIN --storage-root DIR --pg-stop CMD --pg-start CMD "
                 "[--database-url URL] [--seed N] (--faults N | --duration SECONDS) "
                 "[--workers N] [--fsck auto|builtin|castor]\n");
    return 2;
  }
  try {
    return castor::chaos::run(*options);
  } catch (const std::exception& e) {
    std::printf("FAILED: %s\n", e.what());
    return 1;
  }
}
