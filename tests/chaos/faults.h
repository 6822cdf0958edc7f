#pragma once

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "chaos/ledger.h"
#include "chaos/load.h"
#include "support/server_process.h"

// The faults of the chaos run, and the recovery from each: kill -9 of castor processes,
// PostgreSQL restarts (immediate shutdown: a crash for the clients), and a full disk under the
// storage root (a size-limited filesystem that a filler file fills up).
namespace castor::chaos {

enum class FaultKind {
  kKillOne,                    // kill -9 one castor process, restart it
  kKillBoth,                   // kill -9 both, restart them
  kRestartPostgres,            // stop PostgreSQL (immediate), keep it down a while, start it
  kKillDuringPostgresRestart,  // kill -9 a castor process while PostgreSQL is down
  kDiskFull,                   // fill the storage filesystem; uploads must get 507; free it
};
inline constexpr int kFaultKinds = 5;

const char* to_string(FaultKind kind);
// A weighted random choice.
FaultKind pick_fault(std::mt19937_64& rng);

// Shell commands that stop and start the PostgreSQL cluster castor uses.
struct PostgresControl {
  std::string stop_command;
  std::string start_command;
};

class FaultInjector {
 public:
  FaultInjector(std::vector<testing::ServerProcess>& servers, Endpoints& endpoints,
                PostgresControl postgres, std::filesystem::path storage_root, Load& load,
                Ledger& ledger, Observations& observations);

  // Injects one fault of `kind` while the load runs and undoes its cause (servers restarted,
  // PostgreSQL up, space freed); castor's misbehaviour under it goes to Observations. Returns a
  // one-line description. Throws std::runtime_error if the harness itself fails (a server that
  // cannot be restarted, pg_ctl failing).
  std::string inject(FaultKind kind, std::mt19937_64& rng);

  // Waits until every server answers GET /ready with 200; returns how long that took, or throws
  // std::runtime_error quoting the server's log past `within`.
  std::chrono::milliseconds wait_ready(std::chrono::seconds within);

 private:
  void kill(std::size_t server);
  void restart(std::size_t server);
  void stop_postgres();
  void start_postgres();
  std::string fill_disk(std::mt19937_64& rng);
  // Uploads fresh content through `server` (recorded in the ledger); returns the status.
  int probe_upload(std::size_t server, std::mt19937_64& rng);

  std::vector<testing::ServerProcess>& servers_;
  Endpoints& endpoints_;
  const PostgresControl postgres_;
  const std::filesystem::path storage_root_;
  Load& load_;
  Ledger& ledger_;
  Observations& observations_;
  int probes_ = 0;
};

}  // namespace castor::chaos
