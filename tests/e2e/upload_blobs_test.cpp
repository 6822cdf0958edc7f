// Upload sessions and content addressing (docs/BLOBS_AND_BUNDLES.md): a session without a
// namespace completes into a blob the tenant holds (possession, preflight, bundles and their
// archives), and the same content completed twice, or already stored, is stored once.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/storage_state.h"
#include "e2e/upload_api.h"
#include "support/random_data.h"
#include "support/sha256.h"
#include "support/temp_dir.h"

namespace castor::e2e {
namespace {

namespace json = boost::json;
using testing::HttpClient;
using testing::HttpResponse;

testing::Headers tenant_headers(const std::string& tenant) { return {{"X-Tenant", tenant}}; }

// The hashes of `hashes` that POST /v1/blobs/preflight says the tenant lacks (requires 200).
std::vector<std::string> preflight(HttpClient& client, const std::string& tenant,
                                   const std::vector<std::string>& hashes) {
  json::array list;
  for (const std::string& h : hashes) {
    list.emplace_back(h);
  }
  const HttpResponse r = client.request("POST", "/v1/blobs/preflight", tenant_headers(tenant),
                                        json::serialize(json::object{{"hashes", list}}));
  REQUIRE(r.status == 200);
  std::vector<std::string> missing;
  const json::object answer = parse_object(r.body);
  for (const json::value& v : answer.at("missing").as_array()) {
    missing.emplace_back(v.as_string());
  }
  return missing;
}

std::int64_t ref_count(const std::string& hash) {
  const auto blob = find_blob(upload_server().database.url(), "hot", hash);
  INFO("blob " << hash);
  REQUIRE(blob.has_value());
  return blob->ref_count;
}

// The one object of a completed session's answer.
json::object object_of(const json::object& session) {
  REQUIRE(session.contains("object"));
  return session.at("object").as_object();
}

}  // namespace

TEST_CASE("a session without a namespace completes into a blob the tenant holds",
          "[e2e][uploads][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("upblob");
  const std::string other = testing::unique_name("upblobother");
  const std::vector<std::string> pieces = {testing::random_bytes(150'000),
                                           testing::random_bytes(90'001)};
  const std::string content = pieces[0] + pieces[1];
  const std::string hash = testing::sha256_hex(content);

  const json::object session = upload_in_parts(client, tenant, "{}", pieces);
  CHECK(string_field(session, "state") == "completed");
  REQUIRE(session.contains("blob"));
  const json::object& blob = session.at("blob").as_object();
  CHECK(string_field(blob, "hash") == hash);
  CHECK(int_field(blob, "size_bytes") == static_cast<std::int64_t>(content.size()));
  CHECK(string_field(blob, "storage_class") == "hot");
  CHECK((!session.contains("object") || session.at("object").is_null()));

  const HttpResponse got = client.request("GET", "/v1/blobs/" + hash, tenant_headers(tenant));
  REQUIRE(got.status == 200);
  CHECK(testing::sha256_hex(got.body) == hash);
  CHECK((got.body == content));
  CHECK(got.header("ETag") == "\"" + hash + "\"");
  testing::Headers range = tenant_headers(tenant);
  range["Range"] = "bytes=149990-150009";
  const HttpResponse part = client.request("GET", "/v1/blobs/" + hash, range);
  REQUIRE(part.status == 206);
  CHECK((part.body == content.substr(149'990, 20)));

  // Possession: present for the tenant, missing (and invisible) for another.
  CHECK(preflight(client, tenant, {hash}).empty());
  CHECK(preflight(client, other, {hash}) == std::vector<std::string>{hash});
  require_error(client.request("GET", "/v1/blobs/" + hash, tenant_headers(other)), 404, "");

  // A bundle references it (with a file uploaded the usual way); its archive holds the bytes.
  const std::string small = "a small file " + testing::random_bytes(16);
  REQUIRE(
      client
          .request("PUT", "/v1/blobs/" + testing::sha256_hex(small), tenant_headers(tenant), small)
          .status == 201);
  const std::string manifest =
      R"({"files": [{"path": "data/big.bin", "hash": ")" + hash + R"(", "size_bytes": )" +
      std::to_string(content.size()) + R"(}, {"path": "small.txt", "hash": ")" +
      testing::sha256_hex(small) + R"(", "size_bytes": )" + std::to_string(small.size()) + "}]}";
  require_error(client.request("POST", "/v1/bundles", tenant_headers(other), manifest), 409,
                "missing_blobs");
  const HttpResponse bundle =
      client.request("POST", "/v1/bundles", tenant_headers(tenant), manifest);
  INFO(bundle.body);
  REQUIRE(bundle.status == 201);
  const std::string bundle_id = string_field(parse_object(bundle.body), "id");
  for (const std::string format : {"zip", "tar"}) {
    INFO(format);
    const HttpResponse archive = client.request(
        "GET", "/v1/bundles/" + bundle_id + "/download?format=" + format, tenant_headers(tenant));
    REQUIRE(archive.status == 200);
    testing::TempDir dir;
    const auto file = dir.path() / ("bundle." + format);
    std::ofstream(file, std::ios::binary) << archive.body;
    const auto out = dir.path() / "out";
    std::filesystem::create_directories(out);
    const std::string command =
        format == "zip" ? "unzip -q '" + file.string() + "' -d '" + out.string() + "'"
                        : "bsdtar -xf '" + file.string() + "' -C '" + out.string() + "'";
    REQUIRE(std::system(command.c_str()) == 0);
    CHECK(testing::sha256_file_hex(out / "data/big.bin") == hash);
    CHECK(testing::sha256_file_hex(out / "small.txt") == testing::sha256_hex(small));
  }
  // The bundle holds the only reference (the blob session's result holds none, only a grace).
  CHECK(ref_count(hash) == 1);
  require_fsck_clean(client);
}

TEST_CASE("the same content completed twice, or already stored, is stored once",
          "[e2e][uploads][dedup][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("updedup");
  const std::string content = testing::random_bytes(400'000);
  const std::string hash = testing::sha256_hex(content);
  const auto first_pieces = split_at(content, {100'000, 300'000});
  const auto second_pieces = split_at(content, {50'000});

  const json::object first = object_of(
      upload_in_parts(client, tenant, R"({"namespace": "e2e", "key": "a"})", first_pieces));
  const json::object second = object_of(
      upload_in_parts(client, tenant, R"({"namespace": "e2e", "key": "b"})", second_pieces));
  CHECK(string_field(first, "content_hash") == "sha256:" + hash);
  CHECK(string_field(second, "content_hash") == "sha256:" + hash);
  CHECK(string_field(first, "id") != string_field(second, "id"));
  // One blob for both objects. The first session's parts became its segments (one reference
  // each); the second's were released (none), for the collector.
  CHECK(ref_count(hash) == 2);
  for (const std::string& piece : first_pieces) {
    CHECK(ref_count(testing::sha256_hex(piece)) == 1);
  }
  for (const std::string& piece : second_pieces) {
    const auto blob = find_blob(upload_server().database.url(), "hot", testing::sha256_hex(piece));
    CHECK((!blob || blob->ref_count == 0));
  }
  run_gc(client);
  for (const std::string& piece : second_pieces) {
    CHECK_FALSE(find_blob(upload_server().database.url(), "hot", testing::sha256_hex(piece)));
  }
  for (const char* key : {"a", "b"}) {
    const HttpResponse got = client.request("GET", by_key_target("e2e", tenant, key));
    REQUIRE(got.status == 200);
    CHECK(testing::sha256_hex(got.body) == hash);
  }

  // One part whose content an object already has: the same blob, one more reference.
  const std::string existing = testing::random_bytes(80'000);
  const std::string existing_hash = testing::sha256_hex(existing);
  upload(client, {.tenant = tenant, .key = "posted"}, existing);
  const json::object same = object_of(
      upload_in_parts(client, tenant, R"({"namespace": "e2e", "key": "same"})", {existing}));
  CHECK(string_field(same, "content_hash") == "sha256:" + existing_hash);
  CHECK(ref_count(existing_hash) == 2);

  // One part of new content: the part is the whole content, and stays as the object's blob.
  const std::string fresh = testing::random_bytes(33'333);
  const json::object single = object_of(
      upload_in_parts(client, tenant, R"({"namespace": "e2e", "key": "single"})", {fresh}));
  CHECK(string_field(single, "content_hash") == "sha256:" + testing::sha256_hex(fresh));
  CHECK(ref_count(testing::sha256_hex(fresh)) == 1);
  run_gc(client);
  for (const auto& [key, bytes] :
       std::vector<std::pair<std::string, std::string>>{{"same", existing}, {"single", fresh}}) {
    INFO(key);
    const HttpResponse got = client.request("GET", by_key_target("e2e", tenant, key));
    REQUIRE(got.status == 200);
    CHECK((got.body == bytes));
  }
  require_fsck_clean(client);
}

}  // namespace castor::e2e
