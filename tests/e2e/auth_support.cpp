#include "e2e/auth_support.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/temp_dir.h"

extern char** environ;

namespace castor::e2e {
namespace {

constexpr auto kCommandTimeout = std::chrono::seconds(30);

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

// ---- JWTs ---------------------------------------------------------------------------------------

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1]))
                                << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) {
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    }
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    if (rest == 2) {
      out += kAlphabet[(n >> 6) & 63];
    }
  }
  return out;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

boost::json::object jwt_claims(std::string_view tenant, std::string_view scope,
                               std::chrono::seconds expires_in, std::string_view subject) {
  const std::int64_t now = unix_now();
  boost::json::object claims;
  claims["sub"] = subject;
  claims["tenant"] = tenant;
  claims["scope"] = scope;
  claims["iat"] = now;
  claims["exp"] = now + expires_in.count();
  return claims;
}

std::string sign_hs256(const boost::json::object& header, const boost::json::object& claims,
                       std::string_view secret) {
  const std::string signing_input =
      base64url(boost::json::serialize(header)) + "." + base64url(boost::json::serialize(claims));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
           &mac_size) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return signing_input + "." +
         base64url(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

std::string hs256_jwt(const boost::json::object& claims, std::string_view secret) {
  boost::json::object header;
  header["alg"] = "HS256";
  header["typ"] = "JWT";
  return sign_hs256(header, claims, secret);
}

JwtParts split_jwt(std::string_view token) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    throw std::invalid_argument("not a compact JWS: " + std::string(token));
  }
  return {std::string(token.substr(0, first)),
          std::string(token.substr(first + 1, second - first - 1)),
          std::string(token.substr(second + 1))};
}

// ---- API keys -----------------------------------------------------------------------------------

std::string key_id(std::string_view key) {
  constexpr std::string_view kPrefix = "cst_";
  const auto end = key.find('_', kPrefix.size());
  if (!key.starts_with(kPrefix) || end == std::string_view::npos || end == kPrefix.size()) {
    throw std::invalid_argument("not an API key (cst_<id>_<secret>)");
  }
  return std::string(key.substr(kPrefix.size(), end - kPrefix.size()));
}

CommandResult run_castor(const std::vector<std::string>& args, const std::string& database_url) {
  const std::map<std::string, std::string> overrides = {{"DATABASE_URL", database_url},
                                                        {"LOG_LEVEL", "warn"}};
  std::vector<std::string> env_strings = testing::environment_with(overrides);
  std::vector<char*> envp;
  for (std::string& entry : env_strings) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);
  std::string binary = castor_binary().string();
  std::vector<std::string> arg_strings = args;
  std::vector<char*> argv = {binary.data()};
  for (std::string& arg : arg_strings) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);

  const testing::TempDir dir("castor-cli");
  const std::filesystem::path out_path = dir.path() / "stdout";
  const std::filesystem::path err_path = dir.path() / "stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::system_error(rc, std::generic_category(), "posix_spawn " + binary);
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + kCommandTimeout;
  for (;;) {
    const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid) {
      break;
    }
    if (reaped < 0 && errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), "waitpid");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      throw std::runtime_error("castor " + (args.empty() ? std::string() : args[0]) +
                               " did not exit within 30 s; stderr:\n" + read_file(err_path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out_path), read_file(err_path)};
}

IssuedKey cli_create_key(const std::string& database_url, std::string_view tenant,
                         std::string_view scopes, std::optional<std::int64_t> expires_in_seconds) {
  std::vector<std::string> args = {
      "keys",          "create", "--tenant", std::string(tenant), "--scopes", std::string(scopes),
      "--description", "e2e"};
  if (expires_in_seconds) {
    args.insert(args.end(), {"--expires-in", std::to_string(*expires_in_seconds)});
  }
  const CommandResult result = run_castor(args, database_url);
  INFO("castor keys create: exit " << result.exit_code << "\nstdout: " << result.out
                                   << "\nstderr: " << result.err);
  REQUIRE(result.exit_code == 0);
  REQUIRE(result.out.ends_with("\n"));
  const std::string key = result.out.substr(0, result.out.size() - 1);
  REQUIRE(key.find('\n') == std::string::npos);
  return {key_id(key), key};
}

IssuedKey create_key(testing::HttpClient& client, std::string_view admin_key,
                     std::string_view tenant, const std::vector<std::string>& scopes,
                     std::optional<std::int64_t> expires_in_seconds) {
  boost::json::object request;
  request["tenant"] = tenant;
  boost::json::array names;
  for (const std::string& scope : scopes) {
    names.emplace_back(scope);
  }
  request["scopes"] = std::move(names);
  request["description"] = "e2e";
  if (expires_in_seconds) {
    request["expires_in_seconds"] = *expires_in_seconds;
  }
  testing::Headers headers = bearer(admin_key);
  headers["Content-Type"] = "application/json";
  const testing::HttpResponse response =
      client.request("POST", "/v1/admin/api-keys", headers, boost::json::serialize(request));
  INFO("POST /v1/admin/api-keys " << boost::json::serialize(request) << " -> " << response.status
                                  << " " << response.body);
  REQUIRE(response.status == 201);
  const boost::json::object created = parse_object(response.body);
  IssuedKey issued{string_field(created, "id"), string_field(created, "key")};
  REQUIRE(key_id(issued.key) == issued.id);
  CHECK(response.header("Location") == "/v1/admin/api-keys/" + issued.id);
  return issued;
}

void revoke_key(testing::HttpClient& client, std::string_view admin_key, std::string_view id) {
  const testing::HttpResponse response =
      client.request("DELETE", "/v1/admin/api-keys/" + std::string(id), bearer(admin_key));
  INFO("DELETE /v1/admin/api-keys/" << id << " -> " << response.status << " " << response.body);
  REQUIRE(response.status == 204);
}

void expire_key_in_database(const std::string& database_url, std::string_view id) {
  pqxx::connection connection(database_url);
  pqxx::work tx(connection);
  const pqxx::result updated = tx.exec_params(
      "UPDATE api_keys SET expires_at = now() - interval '1 hour' WHERE id = $1", std::string(id));
  REQUIRE(updated.affected_rows() == 1);
  tx.commit();
}

testing::Headers bearer(std::string_view token) {
  return {{"Authorization", "Bearer " + std::string(token)}};
}

// ---- servers ------------------------------------------------------------------------------------

testing::ServerOptions auth_server_options(const std::string& database_url,
                                           std::map<std::string, std::string> extra_env) {
  std::map<std::string, std::string> env = {{"AUTH_MODE", "required"},
                                            {"JWT_SECRET", std::string(kJwtSecret)},
                                            {"LOG_LEVEL", "info"},
                                            {"SHUTDOWN_DELAY_SECONDS", "0"}};
  for (auto& [name, value] : extra_env) {
    env[name] = std::move(value);
  }
  return testing::ServerOptions{
      .binary = castor_binary(), .database_url = database_url, .extra_env = std::move(env)};
}

AuthEnvironment& auth_environment() {
  static AuthEnvironment environment = [] {
    testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_auth");
    testing::ServerProcess server =
        testing::ServerProcess::start(auth_server_options(database.url()));
    IssuedKey admin = cli_create_key(database.url(), "*", "admin");
    return AuthEnvironment{std::move(database), std::move(server), std::move(admin)};
  }();
  return environment;
}

}  // namespace castor::e2e
