#include "chaos/faults.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include <boost/json/parse.hpp>

#include "chaos/shell.h"
#include "support/http_client.h"

namespace castor::chaos {
namespace {

using testing::HttpClient;

constexpr auto kRequestTimeout = std::chrono::seconds(20);
constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr const char* kFillerName = "chaos-filler";
// The probe uploads are larger than what a filled filesystem can have left.
constexpr std::size_t kProbeSize = 256 * 1024;

std::chrono::milliseconds random_pause(std::mt19937_64& rng, int low_ms, int high_ms) {
  return std::chrono::milliseconds(std::uniform_int_distribution<int>(low_ms, high_ms)(rng));
}

bool ready(std::uint16_t port) {
  try {
    HttpClient client("127.0.0.1", port, std::chrono::seconds(2));
    return client.request("GET", "/ready").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

// Writes `path` until the filesystem has no space left; returns the bytes written.
std::uint64_t fill(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(), "creating " + path.string());
  }
  const std::string block(1 << 20, 'x');
  std::uint64_t written = 0;
  for (std::size_t size = block.size(); size >= 512;) {
    const ssize_t n = ::write(fd, block.data(), size);
    if (n > 0) {
      written += static_cast<std::uint64_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno != ENOSPC) {
      const int error = errno;
      ::close(fd);
      throw std::system_error(error, std::generic_category(), "filling " + path.string());
    } else {
      size /= 2;  // full at this size: fill the last crumbs with smaller writes
    }
  }
  ::close(fd);
  return written;
}

}  // namespace

const char* to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kKillOne:
      return "kill_one";
    case FaultKind::kKillBoth:
      return "kill_both";
    case FaultKind::kRestartPostgres:
      return "pg_restart";
    case FaultKind::kKillDuringPostgresRestart:
      return "kill_during_pg_restart";
    case FaultKind::kDiskFull:
      return "disk_full";
  }
  return "?";
}

FaultKind pick_fault(std::mt19937_64& rng) {
  static constexpr int kWeights[kFaultKinds] = {30, 10, 25, 15, 20};
  std::discrete_distribution<int> choose(std::begin(kWeights), std::end(kWeights));
  return static_cast<FaultKind>(choose(rng));
}

FaultInjector::FaultInjector(std::vector<testing::ServerProcess>& servers, Endpoints& endpoints,
                             PostgresControl postgres, std::filesystem::path storage_root,
                             Load& load, Ledger& ledger, Observations& observations)
    : servers_(servers),
      endpoints_(endpoints),
      postgres_(std::move(postgres)),
      storage_root_(std::move(storage_root)),
      load_(load),
      ledger_(ledger),
      observations_(observations) {}

std::string FaultInjector::inject(FaultKind kind, std::mt19937_64& rng) {
  const std::size_t victim =
      std::uniform_int_distribution<std::size_t>(0, servers_.size() - 1)(rng);
  switch (kind) {
    case FaultKind::kKillOne:
      kill(victim);
      std::this_thread::sleep_for(random_pause(rng, 0, 500));  // the other one serves alone
      restart(victim);
      return "kill -9 server " + std::to_string(victim);
    case FaultKind::kKillBoth:
      for (std::size_t server = 0; server < servers_.size(); ++server) {
        kill(server);
      }
      for (std::size_t server = 0; server < servers_.size(); ++server) {
        restart(server);
      }
      return "kill -9 both servers";
    case FaultKind::kRestartPostgres: {
      stop_postgres();
      const auto down = random_pause(rng, 100, 800);
      std::this_thread::sleep_for(down);  // the load meets a dead database meanwhile
      start_postgres();
      return "PostgreSQL down for " + std::to_string(down.count()) + " ms";
    }
    case FaultKind::kKillDuringPostgresRestart:
      stop_postgres();
      std::this_thread::sleep_for(random_pause(rng, 0, 500));
      kill(victim);
      start_postgres();
      restart(victim);
      return "kill -9 server " + std::to_string(victim) + " while PostgreSQL was down";
    case FaultKind::kDiskFull:
      return fill_disk(rng);
  }
  throw std::logic_error("unknown fault kind");
}

std::chrono::milliseconds FaultInjector::wait_ready(std::chrono::seconds within) {
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t server = 0; server < servers_.size(); ++server) {
    while (!ready(endpoints_.port(server))) {
      if (std::chrono::steady_clock::now() - start > within) {
        const std::string log = servers_[server].log();
        throw std::runtime_error("server " + std::to_string(server) + " not ready within " +
                                 std::to_string(within.count()) + " s; the end of its log:\n" +
                                 log.substr(log.size() > 4000 ? log.size() - 4000 : 0));
      }
      std::this_thread::sleep_for(kPollInterval);
    }
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

void FaultInjector::kill(std::size_t server) {
  endpoints_.set_port(server, 0);
  servers_[server].kill(SIGKILL);
  const testing::ProcessExit exit = servers_[server].wait();
  if (exit.signal != SIGKILL) {
    observations_.fail("server " + std::to_string(server) + " had exited before kill -9 (code " +
                       (exit.exit_code ? std::to_string(*exit.exit_code) : "-") + ")");
  }
}

void FaultInjector::restart(std::size_t server) {
  servers_[server].restart(std::chrono::seconds(60));
  endpoints_.set_port(server, servers_[server].port());
}

void FaultInjector::stop_postgres() {
  if (const auto [status, output] = run_command(postgres_.stop_command); status != 0) {
    throw std::runtime_error("stopping PostgreSQL failed (" + std::to_string(status) +
                             "): " + output);
  }
}

void FaultInjector::start_postgres() {
  if (const auto [status, output] = run_command(postgres_.start_command); status != 0) {
    throw std::runtime_error("starting PostgreSQL failed (" + std::to_string(status) +
                             "): " + output);
  }
}

std::string FaultInjector::fill_disk(std::mt19937_64& rng) {
  const std::filesystem::path filler = storage_root_ / kFillerName;
  // Filled with no request in flight, so that the probes below meet a full disk for certain.
  load_.pause();
  const std::uint64_t filled = fill(filler);
  for (std::size_t server = 0; server < servers_.size(); ++server) {
    if (const int status = probe_upload(server, rng); status != 507) {
      observations_.fail("upload to a full disk through server " + std::to_string(server) +
                         " answered " + std::to_string(status) + ", not 507");
    }
  }
  load_.resume();
  const auto full_for = random_pause(rng, 200, 1000);
  std::this_thread::sleep_for(full_for);  // the load meets the full disk meanwhile
  load_.pause();
  std::filesystem::remove(filler);
  // Space is back: castor must accept uploads again at once.
  for (std::size_t server = 0; server < servers_.size(); ++server) {
    if (const int status = probe_upload(server, rng); status != 201) {
      observations_.fail("upload after space was freed through server " + std::to_string(server) +
                         " answered " + std::to_string(status) + ", not 201");
    }
  }
  load_.resume();
  return "disk full (" + std::to_string(filled >> 20) + " MiB filler) for " +
         std::to_string(full_for.count()) + " ms";
}

int FaultInjector::probe_upload(std::size_t server, std::mt19937_64& rng) {
  const Content content = make_content(rng, kProbeSize);
  const std::string key = "probe/" + std::to_string(probes_++);
  const std::size_t index = ledger_.begin_upload(key, content.hash, content.bytes.size());
  int status = 0;
  std::string id;
  try {
    HttpClient client("127.0.0.1", endpoints_.port(server), kRequestTimeout);
    const testing::HttpResponse response = client.request("POST", "/v1/objects",
                                                          {{"X-Namespace", load_.settings().ns},
                                                           {"X-Tenant", load_.settings().tenant},
                                                           {"X-Key", key}},
                                                          content.bytes);
    status = response.status;
    if (status == 201) {
      boost::system::error_code ec;
      const boost::json::value body = boost::json::parse(response.body, ec);
      if (const boost::json::value* value = ec ? nullptr : body.as_object().if_contains("id")) {
        id = std::string(value->as_string());
      }
    }
  } catch (const std::exception&) {
    status = 0;
  }
  ledger_.finish_upload(index,
                        status == 201   ? ObjectState::kLive
                        : status == 507 ? ObjectState::kRejected
                                        : ObjectState::kUnknown,
                        status, id);
  return status;
}

}  // namespace castor::chaos
