// S3 credentials through the admin API and `castor keys --s3` (docs/S3.md, "Credentials"): exact
// statuses, the secret shown once and never again (not in listings, not in the log), and the
// master key configuration (S3_MASTER_KEY_FILE) as a server and the command line see it.

#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/auth_support.h"
#include "e2e/s3_credentials.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/temp_dir.h"

namespace castor::e2e {
namespace {

using testing::HttpResponse;

const std::regex kAccessKeyId("CK[A-Z2-7]{18}");
const std::regex kSecret("[A-Za-z0-9+/]{40}");

HttpResponse post_credential(testing::HttpClient& client, std::string_view admin_key,
                             const std::string& body) {
  testing::Headers headers = bearer(admin_key);
  headers["Content-Type"] = "application/json";
  return client.request("POST", "/v1/admin/s3-credentials", headers, body);
}

boost::json::object listed(testing::HttpClient& client, std::string_view admin_key,
                           const std::string& access_key_id, std::string* raw_body = nullptr) {
  const HttpResponse list = client.request("GET", "/v1/admin/s3-credentials", bearer(admin_key));
  INFO(list.body);
  REQUIRE(list.status == 200);
  if (raw_body != nullptr) {
    *raw_body = list.body;
  }
  const boost::json::value v = boost::json::parse(list.body);
  for (const auto& c : v.as_object().at("credentials").as_array()) {
    if (c.as_object().at("access_key_id").as_string() == access_key_id) {
      return c.as_object();
    }
  }
  FAIL("credential " << access_key_id << " is not listed");
  return {};
}

TEST_CASE("S3 credentials are created, listed and revoked through the admin API", "[auth][s3]") {
  AuthEnvironment& env = auth_environment();
  auto client = env.server.client();
  const std::string tenant = testing::unique_name("s3c");

  const HttpResponse created = post_credential(
      client, env.admin.key,
      R"({"tenant_id":")" + tenant +
          R"(","scopes":["objects:read","objects:write"],"description":"e2e backup",)"
          R"("expires_in_seconds":3600})");
  INFO(created.body);
  REQUIRE(created.status == 201);
  CHECK(created.header("Content-Type") == "application/json");
  const boost::json::object c = boost::json::parse(created.body).as_object();
  const std::string id(c.at("access_key_id").as_string());
  const std::string secret(c.at("secret_access_key").as_string());
  CHECK(std::regex_match(id, kAccessKeyId));
  CHECK(std::regex_match(secret, kSecret));
  CHECK(created.header("Location") == "/v1/admin/s3-credentials/" + id);
  CHECK(c.at("tenant_id").as_string() == tenant);
  CHECK(boost::json::serialize(c.at("scopes")) == R"(["objects:read","objects:write"])");
  CHECK(c.at("description").as_string() == "e2e backup");
  CHECK(c.at("created_by").as_string() == "key:" + env.admin.id);
  CHECK(c.at("expires_at").is_string());
  CHECK(c.at("revoked_at").is_null());

  // Listed without the secret, in no field.
  std::string list_body;
  const boost::json::object row = listed(client, env.admin.key, id, &list_body);
  CHECK(list_body.find(secret) == std::string::npos);
  CHECK_FALSE(row.contains("secret_access_key"));
  CHECK_FALSE(row.contains("sealed_secret"));
  CHECK(row.at("tenant_id").as_string() == tenant);
  CHECK(row.at("revoked_at").is_null());

  // Revoked: 204, again 204 (already revoked), an unknown id 404.
  CHECK(client.request("DELETE", "/v1/admin/s3-credentials/" + id, bearer(env.admin.key)).status ==
        204);
  CHECK(client.request("DELETE", "/v1/admin/s3-credentials/" + id, bearer(env.admin.key)).status ==
        204);
  const HttpResponse unknown = client.request(
      "DELETE", "/v1/admin/s3-credentials/CKAAAAAAAAAAAAAAAAAA", bearer(env.admin.key));
  CHECK(unknown.status == 404);
  CHECK(listed(client, env.admin.key, id).at("revoked_at").is_string());

  // Audit lines name the credential and who acted; the secret never reaches the log.
  const std::string log = env.server.log();
  CHECK(log.find("audit: s3 credential " + id + " created by key:" + env.admin.id) !=
        std::string::npos);
  CHECK(log.find("audit: s3 credential " + id + " revoked by key:" + env.admin.id) !=
        std::string::npos);
  CHECK(log.find(secret) == std::string::npos);
}

TEST_CASE("the S3 credential admin API refuses bad input with 400", "[auth][s3]") {
  AuthEnvironment& env = auth_environment();
  auto client = env.server.client();
  const std::string before = [&] {
    const HttpResponse r = client.request("GET", "/v1/admin/s3-credentials", bearer(env.admin.key));
    REQUIRE(r.status == 200);
    return r.body;
  }();
  for (const std::string& body : {
           std::string("not json"),
           std::string("[]"),
           std::string(R"({"scopes":["objects:read"]})"),
           std::string(R"({"tenant_id":"*","scopes":["objects:read"]})"),
           std::string(R"({"tenant_id":"Not A Tenant","scopes":["objects:read"]})"),
           std::string(R"({"tenant_id":"acme"})"),
           std::string(R"({"tenant_id":"acme","scopes":[]})"),
           std::string(R"({"tenant_id":"acme","scopes":["admin"]})"),
           std::string(R"({"tenant_id":"acme","scopes":["objects:fly"]})"),
           std::string(R"({"tenant_id":"acme","scopes":["objects:read"],"description":7})"),
           std::string(R"({"tenant_id":"acme","scopes":["objects:read"],"expires_in_seconds":0})"),
           std::string(
               R"({"tenant_id":"acme","scopes":["objects:read"],"expires_in_seconds":"60"})"),
       }) {
    const HttpResponse r = post_credential(client, env.admin.key, body);
    INFO(body << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
  }
  // Nothing was created.
  const HttpResponse after =
      client.request("GET", "/v1/admin/s3-credentials", bearer(env.admin.key));
  CHECK(after.body == before);
}

TEST_CASE("S3 credential management needs the admin scope", "[auth][s3]") {
  AuthEnvironment& env = auth_environment();
  auto client = env.server.client();
  const std::string tenant = testing::unique_name("s3c");
  const IssuedKey tenant_key = create_key(client, env.admin.key, tenant,
                                          {"objects:read", "objects:write", "objects:delete"});
  const std::string body = R"({"tenant_id":")" + tenant + R"(","scopes":["objects:read"]})";
  CHECK(post_credential(client, tenant_key.key, body).status == 403);
  CHECK(client.request("GET", "/v1/admin/s3-credentials", bearer(tenant_key.key)).status == 403);
  CHECK(client
            .request("DELETE", "/v1/admin/s3-credentials/CKAAAAAAAAAAAAAAAAAA",
                     bearer(tenant_key.key))
            .status == 403);
  CHECK(client.request("GET", "/v1/admin/s3-credentials").status == 401);
  // The helper other tests use.
  const S3KeyPair pair = create_s3_credential(client, env.admin.key, tenant);
  CHECK(std::regex_match(pair.access_key_id, kAccessKeyId));
  CHECK(std::regex_match(pair.secret_access_key, kSecret));
  revoke_s3_credential(client, env.admin.key, pair.access_key_id);
}

TEST_CASE("castor keys --s3 creates, lists and revokes S3 credentials", "[auth][s3]") {
  AuthEnvironment& env = auth_environment();
  const std::string tenant = testing::unique_name("s3c");
  testing::TempDir dir("castor-s3-cli");
  const auto key_file = dir.path() / "master-key";
  std::ofstream(key_file) << testing::kE2eS3MasterKeyHex << "\n";
  const std::string key_flag = "--s3-master-key-file=" + key_file.string();

  const CommandResult created =
      run_castor({"keys", "create", "--s3", "--tenant", tenant, "--scopes",
                  "objects:read objects:write", "--description", "cli", key_flag},
                 env.database.url());
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  // Exactly one line: "<access key id> <secret access key>\n".
  std::smatch m;
  REQUIRE(std::regex_match(created.out, m, std::regex("(CK[A-Z2-7]{18}) ([A-Za-z0-9+/]{40})\n")));
  const std::string id = m[1];
  const std::string secret = m[2];
  CHECK(created.err.find(secret) == std::string::npos);

  auto client = env.server.client();
  const boost::json::object row = listed(client, env.admin.key, id);
  CHECK(row.at("tenant_id").as_string() == tenant);
  CHECK(row.at("description").as_string() == "cli");
  CHECK(row.at("created_by").as_string().starts_with("cli:"));

  const CommandResult list = run_castor({"keys", "list", "--s3"}, env.database.url());
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find(id) != std::string::npos);
  CHECK(list.out.find(secret) == std::string::npos);

  const CommandResult revoked = run_castor({"keys", "revoke", "--s3", id}, env.database.url());
  REQUIRE(revoked.exit_code == 0);
  CHECK(revoked.out == "revoked S3 credential " + id + "\n");
  const CommandResult again = run_castor({"keys", "revoke", "--s3", id}, env.database.url());
  REQUIRE(again.exit_code == 0);
  CHECK(again.out == "S3 credential " + id + " was already revoked\n");
  CHECK(run_castor({"keys", "revoke", "--s3", "CKAAAAAAAAAAAAAAAAAA"}, env.database.url())
            .exit_code == 1);
  CHECK(listed(client, env.admin.key, id).at("revoked_at").is_string());

  // Usage errors: exit status 2, nothing on stdout.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"keys", "create", "--s3", "--tenant", "*", "--scopes", "objects:read", key_flag},
           {"keys", "create", "--s3", "--tenant", tenant, "--scopes", "admin", key_flag},
           {"keys", "create", "--s3", "--tenant", tenant, key_flag},
           {"keys", "create", "--s3", "--tenant", tenant, "--scopes", "objects:read",
            "--s3-master-key-file=" + (dir.path() / "missing").string()},
       }) {
    const CommandResult r = run_castor(args, env.database.url());
    INFO(args[4] << " " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
  }
}

TEST_CASE("castor keys create --s3 without a master key says which setting is missing",
          "[auth][s3]") {
  AuthEnvironment& env = auth_environment();
  if (std::getenv("S3_MASTER_KEY_FILE") != nullptr) {
    WARN("not checked: S3_MASTER_KEY_FILE is set in this environment");
    return;
  }
  const CommandResult r =
      run_castor({"keys", "create", "--s3", "--tenant", "acme", "--scopes", "objects:read"},
                 env.database.url());
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("S3_MASTER_KEY_FILE") != std::string::npos);
}

TEST_CASE("a server refuses to start with a bad S3 master key file", "[auth][s3]") {
  AuthEnvironment& env = auth_environment();
  testing::TempDir dir("castor-s3-key");
  const auto short_key = dir.path() / "short";
  std::ofstream(short_key) << "0123456789abcdef\n";
  for (const auto& path : {short_key, dir.path() / "missing"}) {
    testing::ServerProcess server = testing::ServerProcess::launch(
        auth_server_options(env.database.url(), {{"S3_MASTER_KEY_FILE", path.string()}}));
    const testing::ProcessExit exit = server.wait(std::chrono::seconds(20));
    INFO(server.log());
    CHECK(exit.exit_code == 2);
    CHECK(server.log().find("S3_MASTER_KEY_FILE " + path.string()) != std::string::npos);
    CHECK(server.log().find("0123456789abcdef") == std::string::npos);
  }
}

TEST_CASE("without S3_MASTER_KEY_FILE a server runs and refuses to create S3 credentials",
          "[auth][s3]") {
  AuthEnvironment& env = auth_environment();
  testing::ServerProcess server = testing::ServerProcess::start(
      auth_server_options(env.database.url(), {{"S3_MASTER_KEY_FILE", ""}}));
  auto client = server.client();
  const HttpResponse r =
      post_credential(client, env.admin.key, R"({"tenant_id":"acme","scopes":["objects:read"]})");
  INFO(r.body);
  CHECK(r.status == 409);
  CHECK(r.body.find("S3_MASTER_KEY_FILE") != std::string::npos);
  CHECK(client.request("GET", "/v1/admin/s3-credentials", bearer(env.admin.key)).status == 200);
}

}  // namespace
}  // namespace castor::e2e
