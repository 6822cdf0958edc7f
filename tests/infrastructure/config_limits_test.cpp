#include <map>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "infrastructure/config.h"

namespace castor {
namespace {

Result<Config> load(std::map<std::string, std::string> env) {
  env.emplace("DATABASE_URL", "postgresql:///x");
  return Config::load({}, [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

}  // namespace

TEST_CASE("connection limits and the metrics listener have defaults", "[unit]") {
  auto c = load({});
  REQUIRE(c);
  CHECK(c->max_connections == 0);  // from the fd limit
  CHECK(c->header_timeout == std::chrono::seconds(10));
  CHECK(c->idle_timeout == std::chrono::seconds(75));
  CHECK_FALSE(c->metrics_host);
  CHECK_FALSE(c->metrics_auth);
}

TEST_CASE("connection limits and the metrics listener are read and checked", "[unit]") {
  auto c = load({{"MAX_CONNECTIONS", "500"},
                 {"HEADER_TIMEOUT_SECONDS", "3"},
                 {"IDLE_TIMEOUT_SECONDS", "30"},
                 {"METRICS_ADDR", "127.0.0.1:9100"},
                 {"METRICS_AUTH", "true"}});
  REQUIRE(c);
  CHECK(c->max_connections == 500);
  CHECK(c->header_timeout == std::chrono::seconds(3));
  CHECK(c->idle_timeout == std::chrono::seconds(30));
  CHECK(c->metrics_host == "127.0.0.1");
  CHECK(c->metrics_port == 9100);
  CHECK(c->metrics_auth);
  auto any_host = load({{"METRICS_ADDR", ":0"}});
  REQUIRE(any_host);
  CHECK(any_host->metrics_host == "0.0.0.0");

  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"MAX_CONNECTIONS", "-1"},
                                                        {"HEADER_TIMEOUT_SECONDS", "0"},
                                                        {"IDLE_TIMEOUT_SECONDS", "x"},
                                                        {"METRICS_ADDR", "9100"},
                                                        {"METRICS_ADDR", "host:70000"},
                                                        {"METRICS_AUTH", "maybe"}}) {
    INFO(name << "=" << value);
    auto bad = load({{name, value}});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find(name) != std::string::npos);
  }
}

TEST_CASE("S3_MASTER_KEY_FILE is optional and read as a path", "[unit][s3]") {
  auto unset = load({});
  REQUIRE(unset);
  CHECK_FALSE(unset->s3_master_key_file);
  auto set = load({{"S3_MASTER_KEY_FILE", "/etc/castor/s3-master-key"}});
  REQUIRE(set);
  REQUIRE(set->s3_master_key_file);
  CHECK(*set->s3_master_key_file == "/etc/castor/s3-master-key");
  auto flag = Config::load({"--s3-master-key-file=/k", "--database-url", "postgresql:///x"},
                           [](const char*) -> const char* { return nullptr; });
  REQUIRE(flag);
  REQUIRE(flag->s3_master_key_file);
  CHECK(*flag->s3_master_key_file == "/k");
}

}  // namespace castor
