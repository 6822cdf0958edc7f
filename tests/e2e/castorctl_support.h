#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "e2e/auth_support.h"
#include "support/server_process.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

// Running the castorctl binary against a real server, and the directory trees it pushes.
namespace castor::e2e {

// The castorctl executable under test: $CASTORCTL_E2E_BINARY if set, else the one CMake built.
std::filesystem::path castorctl_binary();

// One database, one `castor serve` with authentication required (auth_server_options) and an
// admin key for every tenant; started on first use, stopped at exit.
struct CastorctlEnvironment {
  testing::TestDatabase database;
  testing::ServerProcess server;
  IssuedKey admin;
  testing::TempDir home;  // HOME and XDG_CONFIG_HOME of every castorctl run (no user config)

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server.port()); }
};

CastorctlEnvironment& castorctl_environment();

// Runs `castorctl <args...>` in `cwd` (stdin /dev/null, stdout and stderr captured, neither a
// terminal) with CASTOR_URL, CASTOR_API_KEY (the admin key), CASTOR_TENANT `tenant` and
// CASTOR_NAMESPACE "e2e" set, HOME pointing at an empty directory, and `env` on top (an empty
// value unsets a CASTOR_ variable for castorctl). Waits at most 60 s.
CommandResult run_castorctl(const std::vector<std::string>& args, const std::string& tenant,
                            const std::map<std::string, std::string>& env = {},
                            const std::filesystem::path& cwd = {});

// A castorctl process started by start_castorctl (as run_castorctl runs it) and not yet waited
// for. The destructor kills (SIGKILL) and reaps it if it is still running.
class RunningCastorctl {
 public:
  RunningCastorctl(pid_t pid, testing::TempDir output);
  RunningCastorctl(RunningCastorctl&& other) noexcept;
  RunningCastorctl(const RunningCastorctl&) = delete;
  RunningCastorctl& operator=(const RunningCastorctl&) = delete;
  RunningCastorctl& operator=(RunningCastorctl&&) = delete;
  ~RunningCastorctl();

  // Waits until it exits, at most `timeout` (then kills it and throws std::runtime_error).
  CommandResult wait(std::chrono::seconds timeout = std::chrono::seconds(60));
  // kill -9, then reaps it; what it had written, exit code -1 (killed by the signal).
  CommandResult kill();

 private:
  CommandResult collect(int status) const;

  pid_t pid_;  // -1 once reaped
  testing::TempDir output_;
};

RunningCastorctl start_castorctl(const std::vector<std::string>& args, const std::string& tenant,
                                 const std::map<std::string, std::string>& env = {},
                                 const std::filesystem::path& cwd = {});

// Every regular file under `root`: relative path → (SHA-256 hex, permission bits).
std::map<std::string, std::pair<std::string, unsigned>> tree_digest(
    const std::filesystem::path& root);

// Writes a test tree under `root`: nested directories, an empty file, names with spaces and
// UTF-8, an executable script, a `big_bytes` random file and `small_files` small random files.
// Returns the number of files and their total size.
std::pair<std::size_t, std::uint64_t> make_tree(const std::filesystem::path& root,
                                                std::size_t small_files, std::size_t big_bytes);

// Writes `size` random bytes to `path` (creating parent directories) in pieces of 1 MiB; returns
// the file's SHA-256 (hex).
std::string write_random_file(const std::filesystem::path& path, std::uint64_t size);

// Writes `bytes` to `path` (creating parent directories).
void write_file(const std::filesystem::path& path, std::string_view bytes);

// The whole file at `path`.
std::string read_whole(const std::filesystem::path& path);

}  // namespace castor::e2e
