#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/http_client.h"
#include "support/temp_dir.h"

namespace castor::testing {

// The S3 master key (64 hex digits) every test server is started with unless extra_env sets
// S3_MASTER_KEY_FILE: one key for all, so that servers sharing a database share S3 credentials.
inline constexpr std::string_view kE2eS3MasterKeyHex =
    "e2e0e2e1e2e2e2e3e2e4e2e5e2e6e2e7e2e8e2e9e2eae2ebe2ece2ede2eee2ef";

// The S3 bucket that holds the content of every test server when the tests run under
// tests/e2e/with_s3_backend.sh (issue 13): it exports
// CASTOR_E2E_S3_BACKEND="<endpoint> <bucket> <access key id> <secret access key>".
struct S3BackendTarget {
  std::string endpoint;  // "http://127.0.0.1:<port>"
  std::string bucket;
  std::string access_key_id;
  std::string secret_access_key;
};

// The target CASTOR_E2E_S3_BACKEND names; nullopt when it is unset or empty (the servers keep
// their content in files under their storage root). Throws std::runtime_error when it is set but
// not four space-separated words starting with http://.
std::optional<S3BackendTarget> e2e_s3_backend();

// How to run one `castor serve` process.
struct ServerOptions {
  std::filesystem::path binary{};  // the castor executable (required)
  std::string database_url{};      // required
  // Hot content lives under <storage_root>/hot, cold under <storage_root>/cold. Several servers
  // may share one root. Empty: the server gets a fresh temporary root of its own.
  std::filesystem::path storage_root{};
  std::uint64_t max_object_size = 8 * 1024 * 1024;
  // RLIMIT_NOFILE (soft, hard) to start the server with; unset: this process's.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> fd_limit{};
  // Set last, so they override the defaults above (e.g. WRITING_TIMEOUT_SECONDS, LOG_LEVEL).
  std::map<std::string, std::string> extra_env{};
};

// This process's environment ("NAME=value" strings) with `overrides` set, for a child process.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides);

// How a process ended: exit_code if it exited, signal if a signal killed it.
struct ProcessExit {
  std::optional<int> exit_code;
  std::optional<int> signal;
};

// A `castor serve` child process listening on 127.0.0.1 on a port of its choosing (reported
// through PORT_FILE), with GC_INTERVAL_SECONDS=0 (tests run GC through POST /v1/admin/gc),
// AUTH_MODE=disabled, RATE_LIMIT_RPS=0 and S3_MASTER_KEY_FILE (a file in its work directory
// holding kE2eS3MasterKeyHex) unless extra_env says otherwise,
// LOG_LEVEL=warn (or $CASTOR_E2E_LOG_LEVEL) and its output appended to a log file. The destructor
// sends SIGTERM and reaps it (SIGKILL if it does not exit within 10 s). Not thread-safe.
//
// Under an S3 backend (e2e_s3_backend()) both classes keep their content in that bucket:
// HOT_/COLD_STORAGE_BACKEND=s3 with HOT_S3_PREFIX "<id>/hot/" and COLD_S3_PREFIX "<id>/cold/",
// where <id> is a random name kept in the storage root (the file .castor-e2e-s3-prefix), so that
// servers sharing a storage root share prefixes exactly as they share directories, and every other
// root has content keys of its own. extra_env still overrides any of these settings.
class ServerProcess {
 public:
  // Starts the server and waits until it answers GET /health with 200 (bounded by `ready_within`).
  // Throws std::runtime_error, quoting the server's log, if it exits or does not get ready.
  static ServerProcess start(ServerOptions options,
                             std::chrono::seconds ready_within = std::chrono::seconds(20));
  // Starts the server without waiting for it (call wait_until_ready(), or wait() for a server
  // that is expected to refuse its configuration).
  static ServerProcess launch(ServerOptions options);

  ServerProcess(ServerProcess&& other) noexcept;
  ServerProcess& operator=(ServerProcess&& other) noexcept;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  void wait_until_ready(std::chrono::seconds ready_within = std::chrono::seconds(20));

  // The port the running server listens on (changes on restart). Only after it got ready.
  std::uint16_t port() const { return port_; }
  // The METRICS_ADDR listener's port (the port file's second line), if the server has one.
  std::optional<std::uint16_t> metrics_port() const;
  // The server's process id (only while it runs).
  pid_t pid() const { return pid_; }
  // A new client for this server (keep-alive; one per thread).
  HttpClient client(std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  std::filesystem::path hot_root() const { return storage_root_ / "hot"; }
  std::filesystem::path cold_root() const { return storage_root_ / "cold"; }
  const std::filesystem::path& storage_root() const { return storage_root_; }
  const ServerOptions& options() const { return options_; }
  // The settings the server runs with beyond this process's environment (the defaults above,
  // the S3 backend's, then extra_env), e.g. to see where a storage class keeps its content.
  const std::map<std::string, std::string>& settings() const { return settings_; }

  bool running() const { return pid_ > 0; }
  // Sends `signal` to the server (no-op if it is not running).
  void kill(int signal);
  // Reaps the server. If it has not exited within `within`, kills it with SIGKILL, reaps it and
  // throws std::runtime_error.
  ProcessExit wait(std::chrono::seconds within = std::chrono::seconds(20));
  // Stops the server (SIGTERM) if it still runs, then starts it again with the same options and
  // storage root and waits until it is ready.
  void restart(std::chrono::seconds ready_within = std::chrono::seconds(20));

  // Everything the server (and earlier runs of it) wrote to stdout and stderr.
  std::string log() const;

 private:
  explicit ServerProcess(ServerOptions options);
  void spawn();
  void terminate() noexcept;

  ServerOptions options_;
  TempDir work_dir_;  // port file, log file, maybe the storage root
  std::filesystem::path storage_root_;
  std::map<std::string, std::string> settings_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace castor::testing
