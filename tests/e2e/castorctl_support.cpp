#include "e2e/castorctl_support.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {

std::filesystem::path castorctl_binary() {
  const char* other = std::getenv("CASTORCTL_E2E_BINARY");
  return other != nullptr && *other != '\0' ? other : CASTORCTL_BINARY;
}

CastorctlEnvironment& castorctl_environment() {
  static CastorctlEnvironment environment = [] {
    testing::TestDatabase database = testing::TestDatabase::create("castorctl_e2e");
    testing::ServerOptions options = auth_server_options(database.url(), {{"LOG_LEVEL", "warn"}});
    // Room for the 200-300 MiB contents the upload-session tests push.
    options.max_object_size = 1024 * 1024 * 1024;
    testing::ServerProcess server = testing::ServerProcess::start(std::move(options));
    IssuedKey admin = cli_create_key(database.url(), "*", "admin");
    return CastorctlEnvironment{std::move(database), std::move(server), std::move(admin),
                                testing::TempDir("castorctl-home")};
  }();
  return environment;
}

std::string read_whole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

RunningCastorctl::RunningCastorctl(pid_t pid, testing::TempDir output)
    : pid_(pid), output_(std::move(output)) {}

RunningCastorctl::RunningCastorctl(RunningCastorctl&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), output_(std::move(other.output_)) {}

RunningCastorctl::~RunningCastorctl() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

CommandResult RunningCastorctl::collect(int status) const {
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_whole(output_.path() / "stdout"),
          read_whole(output_.path() / "stderr")};
}

CommandResult RunningCastorctl::wait(std::chrono::seconds timeout) {
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      break;
    }
    if (reaped < 0 && errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), "waitpid");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      const CommandResult killed = kill();
      throw std::runtime_error("castorctl did not exit within " + std::to_string(timeout.count()) +
                               " s; stderr:\n" + killed.err);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval
  }
  pid_ = -1;
  return collect(status);
}

CommandResult RunningCastorctl::kill() {
  int status = 0;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return collect(status);
}

RunningCastorctl start_castorctl(const std::vector<std::string>& args, const std::string& tenant,
                                 const std::map<std::string, std::string>& env,
                                 const std::filesystem::path& cwd) {
  CastorctlEnvironment& environment = castorctl_environment();
  std::map<std::string, std::string> overrides = {
      {"CASTOR_URL", environment.url()},
      {"CASTOR_API_KEY", environment.admin.key},
      {"CASTOR_TENANT", tenant},
      {"CASTOR_NAMESPACE", "e2e"},
      {"CASTOR_CONFIG", ""},
      {"CASTORCTL_MAX_SEND_RATE", ""},
      {"HOME", environment.home.path().string()},
      {"XDG_CONFIG_HOME", environment.home.path().string()}};
  for (const auto& [name, value] : env) {
    overrides[name] = value;
  }
  std::vector<std::string> env_strings = testing::environment_with(overrides);
  std::vector<char*> envp;
  for (std::string& entry : env_strings) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);
  std::string binary = castorctl_binary().string();
  std::vector<std::string> arg_strings = args;
  std::vector<char*> argv = {binary.data()};
  for (std::string& arg : arg_strings) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);

  testing::TempDir output("castorctl-run");
  const std::filesystem::path out_path = output.path() / "stdout";
  const std::filesystem::path err_path = output.path() / "stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  }
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::system_error(rc, std::generic_category(), "posix_spawn " + binary);
  }
  return RunningCastorctl(pid, std::move(output));
}

CommandResult run_castorctl(const std::vector<std::string>& args, const std::string& tenant,
                            const std::map<std::string, std::string>& env,
                            const std::filesystem::path& cwd) {
  return start_castorctl(args, tenant, env, cwd).wait();
}

std::string write_random_file(const std::filesystem::path& path, std::uint64_t size) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (std::uint64_t written = 0; written < size;) {
    const std::string piece = testing::random_bytes(
        static_cast<std::size_t>(std::min<std::uint64_t>(size - written, 1 << 20)));
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    written += piece.size();
  }
  out.close();
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
  return testing::sha256_file_hex(path);
}

std::map<std::string, std::pair<std::string, unsigned>> tree_digest(
    const std::filesystem::path& root) {
  std::map<std::string, std::pair<std::string, unsigned>> digest;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    struct stat st {};
    ::stat(entry.path().c_str(), &st);
    digest[std::filesystem::relative(entry.path(), root).string()] = {
        testing::sha256_file_hex(entry.path()), static_cast<unsigned>(st.st_mode & 0777)};
  }
  return digest;
}

std::pair<std::size_t, std::uint64_t> make_tree(const std::filesystem::path& root,
                                                std::size_t small_files, std::size_t big_bytes) {
  std::size_t files = 0;
  std::uint64_t bytes = 0;
  auto add = [&](const std::filesystem::path& relative, const std::string& content) {
    write_file(root / relative, content);
    ++files;
    bytes += content.size();
  };
  add("empty", "");
  add("with space.txt", "a name with a space\n");
  add("ünïcødé/naïve file.bin", testing::random_bytes(777));
  add("nested/a/b/c/deep.txt", "deep\n");
  add("big/model.bin", testing::random_bytes(big_bytes));
  add("bin/run.sh", "#!/bin/sh\necho hi\n");
  std::filesystem::permissions(root / "bin/run.sh", std::filesystem::perms(0755));
  add("duplicate-1.txt", "same content\n");
  add("duplicate-2.txt", "same content\n");
  for (std::size_t i = 0; i < small_files; ++i) {
    add("small/d" + std::to_string(i % 7) + "/f" + std::to_string(i) + ".dat",
        testing::random_bytes(testing::random_between(1, 3000)));
  }
  return {files, bytes};
}

}  // namespace castor::e2e
