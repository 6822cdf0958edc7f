// castorctl's resumable uploads against a real server: a push killed (kill -9) midway through a
// large file's upload session is resumed by the same push run again, which sends only the parts
// the server does not hold.

#include <chrono>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/castorctl_support.h"
#include "support/random_data.h"
#include "support/sha256.h"
#include "support/temp_dir.h"

namespace castor::e2e {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

std::string describe(const CommandResult& result) {
  return "exit " + std::to_string(result.exit_code) + "\nstdout: " + result.out +
         "\nstderr: " + result.err;
}

boost::json::object json_out(const CommandResult& result) {
  INFO(describe(result));
  REQUIRE(result.exit_code == 0);
  return parse_object(result.out);
}

testing::Headers tenant_auth(const std::string& tenant) {
  testing::Headers headers = bearer(castorctl_environment().admin.key);
  headers["X-Tenant"] = tenant;
  return headers;
}

// The tenant's open upload sessions for `sha256`, with their parts (GET /v1/uploads, then GET of
// each).
std::vector<boost::json::object> open_sessions(testing::HttpClient& client,
                                               const std::string& tenant,
                                               const std::string& sha256) {
  const testing::HttpResponse listed =
      client.request("GET", "/v1/uploads?sha256=" + sha256, tenant_auth(tenant));
  INFO(listed.body);
  REQUIRE(listed.status == 200);
  std::vector<boost::json::object> sessions;
  const boost::json::object listing = parse_object(listed.body);  // outlives the loop
  for (const boost::json::value& entry : listing.at("uploads").as_array()) {
    const testing::HttpResponse got = client.request(
        "GET", "/v1/uploads/" + string_field(entry.as_object(), "upload_id"), tenant_auth(tenant));
    if (got.status == 200) {
      sessions.push_back(parse_object(got.body));
    }
  }
  return sessions;
}

// Polls the server (every 20 ms, at most 60 s) until the tenant has an open session for `sha256`
// holding at least one part.
void wait_for_a_stored_part(const std::string& tenant, const std::string& sha256) {
  testing::HttpClient client = castorctl_environment().server.client();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    for (const boost::json::object& session : open_sessions(client, tenant, sha256)) {
      if (!session.at("parts").as_array().empty()) {
        return;
      }
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
  }
}

// Starts `args` throttled, waits until the server holds a part, kills the client (-9) and
// requires that it was still running (so the push was interrupted, not finished).
void push_and_interrupt(const std::vector<std::string>& args, const std::string& tenant,
                        const std::string& sha256, const std::string& rate) {
  RunningCastorctl running = start_castorctl(args, tenant, {{"CASTORCTL_MAX_SEND_RATE", rate}});
  wait_for_a_stored_part(tenant, sha256);
  const CommandResult killed = running.kill();
  INFO(describe(killed));
  REQUIRE(killed.exit_code == -1);
}

}  // namespace

TEST_CASE("castorctl push --prefix of a large file killed midway resumes and sends less",
          "[castorctl][sessions]") {
  const std::string tenant = testing::unique_name("ctls");
  testing::TempDir dir("castorctl-resume");
  constexpr std::int64_t kSize = 256 * kMiB;
  constexpr std::int64_t kPart = 8 * kMiB;
  const std::string hash = write_random_file(dir.path() / "tree" / "big file ü.bin", kSize);
  const std::vector<std::string> args = {"--json",   "push",   (dir.path() / "tree").string(),
                                         "--prefix", "r/",     "--part-size",
                                         "8MiB",     "--jobs", "2"};
  // 2 connections at 4 MiB/s: the whole would take 32 s; a part is stored after about 2 s.
  push_and_interrupt(args, tenant, hash, "4MiB");
  CHECK(run_castorctl({"stat", "r/big file ü.bin"}, tenant).exit_code == 4);

  const boost::json::object resumed = json_out(run_castorctl(args, tenant));
  const std::int64_t reused = int_field(resumed, "parts_reused");
  CHECK(int_field(resumed, "sessions_resumed") == 1);
  CHECK(reused >= 1);
  CHECK(int_field(resumed, "bytes_reused") == reused * kPart);
  CHECK(int_field(resumed, "parts_uploaded") == kSize / kPart - reused);
  CHECK(int_field(resumed, "bytes_uploaded") == kSize - reused * kPart);
  CHECK(int_field(resumed, "bytes_uploaded") > 0);
  CHECK(int_field(resumed, "bytes_uploaded") < kSize);
  CHECK(int_field(resumed, "objects_created") == 1);

  // The object holds the file's exact bytes; no session is left open.
  const std::filesystem::path out = dir.path() / "out.bin";
  const CommandResult got = run_castorctl({"get", "r/big file ü.bin", out.string()}, tenant);
  INFO(describe(got));
  REQUIRE(got.exit_code == 0);
  CHECK(testing::sha256_file_hex(out) == hash);
  testing::HttpClient client = castorctl_environment().server.client();
  const testing::HttpResponse head =
      client.request("HEAD", by_key_target("e2e", tenant, "r/big file ü.bin"), tenant_auth(tenant));
  CHECK(head.header("ETag") == "\"" + hash + "\"");
  CHECK(open_sessions(client, tenant, hash).empty());

  // And once more: nothing to send.
  const boost::json::object again = json_out(run_castorctl(args, tenant));
  CHECK(int_field(again, "bytes_uploaded") == 0);
  CHECK(int_field(again, "objects_unchanged") == 1);
  CHECK(int_field(again, "sessions_resumed") == 0);
}

TEST_CASE("castorctl push --bundle of a large file killed midway resumes into the bundle's blob",
          "[castorctl][sessions]") {
  const std::string tenant = testing::unique_name("ctls");
  testing::TempDir dir("castorctl-resume-bundle");
  constexpr std::int64_t kSize = 64 * kMiB + 12345;
  constexpr std::int64_t kPart = 4 * kMiB;
  const std::string hash = write_random_file(dir.path() / "tree" / "model.bin", kSize);
  write_file(dir.path() / "tree" / "README", "a small file beside it\n");
  const std::vector<std::string> args = {
      "--json", "push", (dir.path() / "tree").string(), "--bundle", "--part-size", "4MiB",
      "--jobs", "2"};
  push_and_interrupt(args, tenant, hash, "2MiB");

  const boost::json::object resumed = json_out(run_castorctl(args, tenant));
  const std::int64_t reused = int_field(resumed, "parts_reused");
  CHECK(int_field(resumed, "sessions_resumed") == 1);
  CHECK(reused >= 1);
  CHECK(int_field(resumed, "bytes_reused") == reused * kPart);  // the short last part is not
  // The README (its own batch, before model.bin's: batches are uploaded as they are hashed) was
  // stored by the interrupted push before model.bin's session began.
  CHECK(int_field(resumed, "blobs_missing") == 1);
  CHECK(int_field(resumed, "bytes_uploaded") == kSize - reused * kPart);
  CHECK(int_field(resumed, "blobs_uploaded") == 1);
  const std::string id = string_field(resumed, "bundle_id");

  const std::filesystem::path dest = dir.path() / "pulled";
  const CommandResult pulled = run_castorctl({"pull", id, dest.string()}, tenant);
  INFO(describe(pulled));
  REQUIRE(pulled.exit_code == 0);
  CHECK(testing::sha256_file_hex(dest / "model.bin") == hash);
  CHECK(read_whole(dest / "README") == "a small file beside it\n");
  testing::HttpClient client = castorctl_environment().server.client();
  CHECK(open_sessions(client, tenant, hash).empty());
}

}  // namespace castor::e2e
