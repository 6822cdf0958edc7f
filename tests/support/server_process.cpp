#include "support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace castor::testing {

std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!overrides.contains(std::string(text.substr(0, text.find('='))))) {
      env.emplace_back(text);
    }
  }
  for (const auto& [name, value] : overrides) {
    env.push_back(name + "=" + value);
  }
  return env;
}

std::optional<S3BackendTarget> e2e_s3_backend() {
  const char* text = std::getenv("CASTOR_E2E_S3_BACKEND");
  if (text == nullptr || *text == '\0') {
    return std::nullopt;
  }
  std::istringstream words(text);
  S3BackendTarget target;
  std::string extra;
  if (!(words >> target.endpoint >> target.bucket >> target.access_key_id >>
        target.secret_access_key) ||
      (words >> extra) || !target.endpoint.starts_with("http://")) {
    throw std::runtime_error(
        "CASTOR_E2E_S3_BACKEND must be \"<http endpoint> <bucket> <access key id> <secret>\"");
  }
  return target;
}

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::filesystem::path log_path(const TempDir& dir) { return dir.path() / "server.log"; }
std::filesystem::path port_path(const TempDir& dir) { return dir.path() / "port"; }
std::filesystem::path master_key_path(const TempDir& dir) { return dir.path() / "s3-master-key"; }

// The port number in `path`, once the server has written it completely.
std::optional<std::uint16_t> read_port(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !std::getline(in, text) || text.empty()) {
    return std::nullopt;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  const unsigned long port = std::stoul(text);
  if (port == 0 || port > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(port);
}

ProcessExit to_process_exit(int status) {
  ProcessExit exit;
  if (WIFEXITED(status)) {
    exit.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit.signal = WTERMSIG(status);
  }
  return exit;
}

// The key prefix of the content kept for `storage_root` in the S3 backend: a random name stored
// in the root on first use, so that every server on that root uses the same one.
std::string s3_prefix_id(const std::filesystem::path& storage_root) {
  const std::filesystem::path marker = storage_root / ".castor-e2e-s3-prefix";
  {
    std::ifstream in(marker);
    std::string id;
    if (in && std::getline(in, id) && !id.empty()) {
      return id;
    }
  }
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device device;
  std::string id = "e2e-";
  for (int i = 0; i < 12; ++i) {
    id.push_back(kDigits[device() % 36]);
  }
  std::ofstream out(marker);
  out << id << "\n";
  if (!out) {
    throw std::runtime_error("cannot write " + marker.string());
  }
  return id;
}

bool health_ok(std::uint16_t port) {
  try {
    HttpClient client("127.0.0.1", port, std::chrono::seconds(1));
    return client.request("GET", "/health").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

ServerProcess ServerProcess::start(ServerOptions options, std::chrono::seconds ready_within) {
  ServerProcess server = launch(std::move(options));
  server.wait_until_ready(ready_within);
  return server;
}

ServerProcess ServerProcess::launch(ServerOptions options) {
  if (options.binary.empty() || options.database_url.empty()) {
    throw std::invalid_argument("ServerOptions needs binary and database_url");
  }
  ServerProcess server(std::move(options));
  server.spawn();
  return server;
}

ServerProcess::ServerProcess(ServerOptions options)
    : options_(std::move(options)), work_dir_("castor-server") {
  storage_root_ =
      options_.storage_root.empty() ? work_dir_.path() / "storage" : options_.storage_root;
  std::filesystem::create_directories(storage_root_);
  std::ofstream key(master_key_path(work_dir_));
  key << kE2eS3MasterKeyHex << "\n";
  if (!key) {
    throw std::runtime_error("cannot write " + master_key_path(work_dir_).string());
  }
  std::filesystem::permissions(master_key_path(work_dir_), std::filesystem::perms::owner_read |
                                                               std::filesystem::perms::owner_write);

  const char* log_level = std::getenv("CASTOR_E2E_LOG_LEVEL");
  settings_ = {
      {"DATABASE_URL", options_.database_url},
      {"LISTEN_ADDR", "127.0.0.1:0"},
      {"PORT_FILE", port_path(work_dir_).string()},
      {"HOT_STORAGE_PATH", hot_root().string()},
      {"COLD_STORAGE_PATH", cold_root().string()},
      {"GC_INTERVAL_SECONDS", "0"},
      {"MAX_OBJECT_SIZE", std::to_string(options_.max_object_size)},
      {"LOG_LEVEL", log_level != nullptr ? log_level : "warn"},
      // The object-storage tests exercise storage, not credentials (tests/e2e/auth_*_test.cpp
      // run with AUTH_MODE=required through extra_env); no rate limit either.
      {"AUTH_MODE", "disabled"},
      {"RATE_LIMIT_RPS", "0"},
      {"S3_MASTER_KEY_FILE", master_key_path(work_dir_).string()},
  };
  if (const std::optional<S3BackendTarget> s3 = e2e_s3_backend()) {
    const std::string id = s3_prefix_id(storage_root_);
    for (const std::string cls : {"HOT", "COLD"}) {
      settings_[cls + "_STORAGE_BACKEND"] = "s3";
      settings_[cls + "_S3_ENDPOINT"] = s3->endpoint;
      settings_[cls + "_S3_BUCKET"] = s3->bucket;
      settings_[cls + "_S3_PREFIX"] = id + (cls == "HOT" ? "/hot/" : "/cold/");
      settings_[cls + "_S3_ACCESS_KEY_ID"] = s3->access_key_id;
      settings_[cls + "_S3_SECRET_ACCESS_KEY"] = s3->secret_access_key;
      settings_[cls + "_S3_PATH_STYLE"] = "true";
    }
  }
  for (const auto& [name, value] : options_.extra_env) {
    settings_[name] = value;
  }
}

ServerProcess::ServerProcess(ServerProcess&& other) noexcept
    : options_(std::move(other.options_)),
      work_dir_(std::move(other.work_dir_)),
      storage_root_(std::move(other.storage_root_)),
      settings_(std::move(other.settings_)),
      pid_(std::exchange(other.pid_, -1)),
      port_(std::exchange(other.port_, 0)) {}

ServerProcess& ServerProcess::operator=(ServerProcess&& other) noexcept {
  if (this != &other) {
    terminate();
    options_ = std::move(other.options_);
    work_dir_ = std::move(other.work_dir_);
    storage_root_ = std::move(other.storage_root_);
    settings_ = std::move(other.settings_);
    pid_ = std::exchange(other.pid_, -1);
    port_ = std::exchange(other.port_, 0);
  }
  return *this;
}

ServerProcess::~ServerProcess() { terminate(); }

void ServerProcess::spawn() {
  std::filesystem::remove(port_path(work_dir_));
  port_ = 0;

  // Everything the child needs is prepared before fork(): only async-signal-safe calls after it.
  std::vector<std::string> env_strings = environment_with(settings_);
  std::vector<char*> envp;
  for (auto& entry : env_strings) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);
  std::string binary = options_.binary.string();
  std::string subcommand = "serve";
  std::vector<char*> argv = {binary.data(), subcommand.data(), nullptr};

  {
    std::ofstream banner(log_path(work_dir_), std::ios::app);
    banner << "---- castor serve starting (test harness) ----\n";
  }
  const int log_fd = ::open(log_path(work_dir_).c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    throw std::system_error(errno, std::generic_category(), "opening the server's log");
  }
  std::optional<rlimit> fd_limit;
  if (options_.fd_limit) {
    fd_limit = rlimit{static_cast<rlim_t>(options_.fd_limit->first),
                      static_cast<rlim_t>(options_.fd_limit->second)};
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (fd_limit && ::setrlimit(RLIMIT_NOFILE, &*fd_limit) != 0) {
      _exit(126);
    }
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::close_range(3, ~0U, 0);  // no client sockets or other test fds leak into the server
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  const int fork_errno = errno;
  ::close(log_fd);
  ::close(null_fd);
  if (pid < 0) {
    throw std::system_error(fork_errno, std::generic_category(), "fork");
  }
  pid_ = pid;
}

void ServerProcess::wait_until_ready(std::chrono::seconds ready_within) {
  const auto deadline = std::chrono::steady_clock::now() + ready_within;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      const ProcessExit exit = to_process_exit(status);
      throw std::runtime_error("castor serve exited before it was ready (exit code " +
                               (exit.exit_code ? std::to_string(*exit.exit_code) : "-") +
                               ", signal " + (exit.signal ? std::to_string(*exit.signal) : "-") +
                               "); log:\n" + log());
    }
    if (const auto port = read_port(port_path(work_dir_)); port && health_ok(*port)) {
      port_ = *port;
      return;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  throw std::runtime_error("castor serve did not answer GET /health within " +
                           std::to_string(ready_within.count()) + " s; log:\n" + log());
}

std::optional<std::uint16_t> ServerProcess::metrics_port() const {
  std::ifstream in(port_path(work_dir_));
  std::string first, second;
  if (!in || !std::getline(in, first) || !std::getline(in, second) || second.empty()) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(std::stoul(second));
}

HttpClient ServerProcess::client(std::chrono::milliseconds timeout) const {
  return HttpClient("127.0.0.1", port_, timeout);
}

void ServerProcess::kill(int signal) {
  if (pid_ > 0) {
    ::kill(pid_, signal);
  }
}

ProcessExit ServerProcess::wait(std::chrono::seconds within) {
  if (pid_ <= 0) {
    throw std::logic_error("ServerProcess::wait: no server process is running");
  }
  const auto deadline = std::chrono::steady_clock::now() + within;
  int status = 0;
  for (;;) {
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      break;
    }
    if (reaped < 0 && errno != EINTR) {
      pid_ = -1;
      throw std::system_error(errno, std::generic_category(), "waitpid");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      throw std::runtime_error("castor serve did not exit within " +
                               std::to_string(within.count()) + " s (killed); log:\n" + log());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  pid_ = -1;
  port_ = 0;
  return to_process_exit(status);
}

void ServerProcess::restart(std::chrono::seconds ready_within) {
  if (pid_ > 0) {
    kill(SIGTERM);
    wait();
  }
  spawn();
  wait_until_ready(ready_within);
}

std::string ServerProcess::log() const {
  std::ifstream in(log_path(work_dir_), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void ServerProcess::terminate() noexcept {
  if (pid_ <= 0) {
    return;
  }
  try {
    kill(SIGTERM);
    wait(std::chrono::seconds(10));
  } catch (const std::exception&) {
    // wait() has already killed and reaped it; nothing more to do in a destructor.
  }
  pid_ = -1;
}

}  // namespace castor::testing
