#include "client/config.h"

#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "client/config_file.h"
#include "client/exit_code.h"

namespace castor::client {
namespace {

Getenv env_of(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

}  // namespace

TEST_CASE("config: flags win over the environment, which wins over the file", "[unit][client]") {
  const ConfigLayer flags{
      .url = "http://flag:1", .api_key = std::nullopt, .ns = std::nullopt, .tenant = std::nullopt};
  const ConfigLayer env = config_from_env(env_of({{"CASTOR_URL", "http://env:2"},
                                                  {"CASTOR_API_KEY", "env-key"},
                                                  {"CASTOR_NAMESPACE", "env-ns"}}));
  const ConfigLayer file{
      .url = "http://file:3", .api_key = "file-key", .ns = "file-ns", .tenant = "file-tenant"};
  auto config = resolve_config(flags, env, file);
  REQUIRE(config);
  CHECK(config->url == "http://flag:1");
  CHECK(config->api_key == "env-key");
  CHECK(config->ns == "env-ns");
  CHECK(config->tenant == "file-tenant");

  auto without_flags = resolve_config({}, env, file);
  REQUIRE(without_flags);
  CHECK(without_flags->url == "http://env:2");
}

TEST_CASE("config: defaults, empty variables and trailing slashes", "[unit][client]") {
  const ConfigLayer env = config_from_env(env_of({{"CASTOR_URL", ""}, {"CASTOR_TENANT", ""}}));
  CHECK_FALSE(env.url);
  CHECK_FALSE(env.tenant);
  auto config = resolve_config({}, env, {});
  REQUIRE(config);
  CHECK(config->url == kDefaultUrl);
  CHECK(config->ns == kDefaultNamespace);
  CHECK_FALSE(config->api_key);
  CHECK_FALSE(config->tenant);

  auto slashed = resolve_config({.url = "https://castor.example/",
                                 .api_key = std::nullopt,
                                 .ns = std::nullopt,
                                 .tenant = std::nullopt},
                                {}, {});
  REQUIRE(slashed);
  CHECK(slashed->url == "https://castor.example");

  auto bad = resolve_config({.url = "castor.example:8080",
                             .api_key = std::nullopt,
                             .ns = std::nullopt,
                             .tenant = std::nullopt},
                            {}, {});
  REQUIRE_FALSE(bad);
  CHECK(exit_code_for(bad.error()) == ExitCode::kUsage);
}

TEST_CASE("config: the file path comes from CASTOR_CONFIG, XDG_CONFIG_HOME or HOME",
          "[unit][client]") {
  CHECK(config_file_path(env_of({{"CASTOR_CONFIG", "/etc/c.toml"}, {"HOME", "/home/u"}})) ==
        std::filesystem::path("/etc/c.toml"));
  CHECK(config_file_path(env_of({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/home/u"}})) ==
        std::filesystem::path("/x/castor/config.toml"));
  CHECK(config_file_path(env_of({{"HOME", "/home/u"}})) ==
        std::filesystem::path("/home/u/.config/castor/config.toml"));
  CHECK_FALSE(config_file_path(env_of({})));
}

TEST_CASE("config: the TOML file's keys, unknown keys and errors", "[unit][client]") {
  std::vector<std::string> warnings;
  auto layer = parse_config_file(
      "# castor\nurl = \"http://castor:8080\"\napi_key = 'cst_a_b'\nnamespace = \"models\"\n"
      "tenant = \"acme\"\ncolour = \"blue\"\n",
      "config.toml", warnings);
  REQUIRE(layer);
  CHECK(layer->url == "http://castor:8080");
  CHECK(layer->api_key == "cst_a_b");
  CHECK(layer->ns == "models");
  CHECK(layer->tenant == "acme");
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("'colour'") != std::string::npos);

  warnings.clear();
  auto not_string = parse_config_file("url = 8080\n", "config.toml", warnings);
  REQUIRE_FALSE(not_string);
  CHECK(exit_code_for(not_string.error()) == ExitCode::kUsage);
  CHECK(not_string.error().message.find("'url'") != std::string::npos);

  auto syntax = parse_config_file("url = \"unterminated\n", "config.toml", warnings);
  REQUIRE_FALSE(syntax);
  CHECK(syntax.error().message.starts_with("config.toml:1:"));

  auto empty = parse_config_file("", "config.toml", warnings);
  REQUIRE(empty);
  CHECK_FALSE(empty->url);
}

TEST_CASE("config: a key in a file others may read gets a warning without the key",
          "[unit][client]") {
  CHECK_FALSE(permission_warning("/c.toml", 0600, true));
  CHECK_FALSE(permission_warning("/c.toml", 0644, false));
  for (unsigned mode : {0640u, 0604u, 0644u, 0660u, 0606u}) {
    auto warning = permission_warning("/c.toml", mode, true);
    REQUIRE(warning);
    CHECK(warning->find("/c.toml") != std::string::npos);
    CHECK(warning->find("chmod 600") != std::string::npos);
  }
}

}  // namespace castor::client
