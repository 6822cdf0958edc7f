// Upload sessions (docs/BLOBS_AND_BUNDLES.md, "Upload sessions"), before completion: creating a
// session, sending parts in any order, replacing and verifying them, the listing of open
// sessions, and the answers for bad part numbers, unknown ids and other tenants.

#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/upload_api.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

namespace json = boost::json;
using testing::HttpClient;
using testing::HttpResponse;

bool is_null(const json::object& session, std::string_view name) {
  const json::value* value = session.if_contains(name);
  return value != nullptr && value->is_null();
}

// HEAD /v1/blobs/{hash} as the tenant: 200 while it holds a stored content, 404 otherwise.
int blob_status(HttpClient& client, const std::string& tenant, const std::string& hash) {
  return client.request("HEAD", "/v1/blobs/" + hash, {{"X-Tenant", tenant}}).status;
}

bool looks_like_rfc3339_utc(const std::string& time) {
  return time.size() >= 20 && time[4] == '-' && time[7] == '-' && time[10] == 'T' &&
         time.back() == 'Z';
}

}  // namespace

TEST_CASE("POST /v1/uploads answers 201 with the session and its Location",
          "[e2e][uploads][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("upcreate");
  const std::string hash = testing::sha256_hex("declared");

  const json::object full = create_upload(
      client, tenant,
      R"({"namespace": "e2e", "key": "dir/file.bin", "size_bytes": 1234, "sha256": ")" + hash +
          R"(", "content_type": "application/x-test"})");
  const std::string id = string_field(full, "upload_id");
  CHECK(id.size() == 36);
  CHECK(id[8] == '-');
  CHECK(string_field(full, "state") == "open");
  CHECK(string_field(full, "namespace") == "e2e");
  CHECK(string_field(full, "key") == "dir/file.bin");
  CHECK(string_field(full, "storage_class") == "hot");
  CHECK(int_field(full, "size_bytes") == 1234);
  CHECK(string_field(full, "sha256") == hash);
  CHECK(string_field(full, "content_type") == "application/x-test");
  const std::string created_at = string_field(full, "created_at");
  const std::string expires_at = string_field(full, "expires_at");
  CHECK(looks_like_rfc3339_utc(created_at));
  CHECK(looks_like_rfc3339_utc(expires_at));
  CHECK(expires_at > created_at);  // one day later by default
  CHECK(int_field(full, "part_size_hint") == 67108864);
  CHECK(int_field(full, "max_parts") == 10000);
  CHECK(full.at("parts").as_array().empty());
  // GET answers the same session.
  const json::object got = get_upload(client, tenant, id);
  for (const char* name : {"upload_id", "state", "namespace", "key", "storage_class", "sha256",
                           "content_type", "created_at", "expires_at"}) {
    INFO(name);
    CHECK(string_field(got, name) == string_field(full, name));
  }
  CHECK(int_field(got, "size_bytes") == 1234);

  // Nothing declared: a blob session; absent optional fields are null.
  const json::object bare = create_upload(client, tenant, "{}");
  for (const char* name : {"namespace", "key", "size_bytes", "sha256", "content_type"}) {
    INFO(name);
    CHECK(is_null(bare, name));
  }
  CHECK(string_field(bare, "storage_class") == "hot");
  CHECK(string_field(bare, "upload_id") != id);

  // The storage class from the body or X-Storage-Class; the tenant from the body; a hash with
  // the "sha256:" prefix.
  CHECK(string_field(create_upload(client, tenant, R"({"storage_class": "cold"})"),
                     "storage_class") == "cold");
  const HttpResponse by_header = client.request(
      "POST", "/v1/uploads", {{"X-Tenant", tenant}, {"X-Storage-Class", "cold"}}, "{}");
  REQUIRE(by_header.status == 201);
  CHECK(string_field(parse_object(by_header.body), "storage_class") == "cold");
  const HttpResponse by_body = client.request(
      "POST", "/v1/uploads", {}, R"({"tenant_id": ")" + tenant + R"(", "namespace": "e2e"})");
  REQUIRE(by_body.status == 201);
  CHECK(string_field(
            get_upload(client, tenant, string_field(parse_object(by_body.body), "upload_id")),
            "namespace") == "e2e");
  CHECK(string_field(create_upload(client, tenant, R"({"sha256": "sha256:)" + hash + R"("})"),
                     "sha256") == hash);
  require_fsck_clean(client);
}

TEST_CASE("parts arrive in any order, are listed sorted and are replaced when sent again",
          "[e2e][uploads][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("upparts");
  const std::string id =
      string_field(create_upload(client, tenant, R"({"namespace": "e2e"})"), "upload_id");
  const std::string one = testing::random_bytes(100'000);
  const std::string two = testing::random_bytes(250'001);
  const std::string three = testing::random_bytes(7);

  store_part(client, tenant, id, 3, three);
  store_part(client, tenant, id, 1, one);
  store_part(client, tenant, id, 2, two);
  json::object session = get_upload(client, tenant, id);
  CHECK(string_field(session, "state") == "open");
  CHECK(parts_of(session) ==
        std::vector<PartInfo>{part_info(1, one), part_info(2, two), part_info(3, three)});

  // Part 2 again with other bytes replaces it.
  const std::string two_again = testing::random_bytes(4096);
  store_part(client, tenant, id, 2, two_again);
  CHECK(parts_of(get_upload(client, tenant, id)) ==
        std::vector<PartInfo>{part_info(1, one), part_info(2, two_again), part_info(3, three)});
  // The replaced part is referenced no more: parts have no grace, the collector takes it.
  run_gc(client);
  CHECK(blob_status(client, tenant, testing::sha256_hex(two)) == 404);
  CHECK(blob_status(client, tenant, testing::sha256_hex(two_again)) == 200);

  // X-Content-SHA256 is checked; a part that does not match it is not stored, nor does it
  // replace the part it was meant to replace. A matching one is stored (bare or "sha256:").
  const std::string four = testing::random_bytes(1000);
  const std::string wrong = testing::sha256_hex("something else");
  require_error(put_part(client, tenant, id, "4", four, {{"X-Content-SHA256", wrong}}), 400,
                "content_hash_mismatch");
  require_error(put_part(client, tenant, id, "1", four, {{"X-Content-SHA256", wrong}}), 400,
                "content_hash_mismatch");
  CHECK(parts_of(get_upload(client, tenant, id)) ==
        std::vector<PartInfo>{part_info(1, one), part_info(2, two_again), part_info(3, three)});
  CHECK(blob_status(client, tenant, testing::sha256_hex(four)) == 404);
  const HttpResponse verified = put_part(
      client, tenant, id, "4", four, {{"X-Content-SHA256", "sha256:" + testing::sha256_hex(four)}});
  CHECK(verified.status == 200);

  // Chunked, and the highest part number.
  const std::string chunked = testing::random_bytes(200'000);
  const HttpResponse sent = client.request_chunked("PUT", "/v1/uploads/" + id + "/parts/10000",
                                                   {{"X-Tenant", tenant}}, chunked, 65'536);
  INFO(sent.body);
  REQUIRE(sent.status == 200);
  CHECK(string_field(parse_object(sent.body), "sha256") == testing::sha256_hex(chunked));
  CHECK(parts_of(get_upload(client, tenant, id)) ==
        std::vector<PartInfo>{part_info(1, one), part_info(2, two_again), part_info(3, three),
                              part_info(4, four), part_info(10000, chunked)});
  require_fsck_clean(client);
}

TEST_CASE("bad part numbers, empty parts and parts without a length are refused",
          "[e2e][uploads][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("upbadpart");
  const std::string id = string_field(create_upload(client, tenant, "{}"), "upload_id");
  for (const char* n : {"0", "10001", "-1", "x", "1.5", "99999999999999999999"}) {
    INFO("part " << n);
    require_error(put_part(client, tenant, id, n, "content"), 400, "");
  }
  require_error(put_part(client, tenant, id, "1", ""), 400, "");
  // Neither Content-Length nor chunked: 411.
  client.begin("PUT", "/v1/uploads/" + id + "/parts/1", {{"X-Tenant", tenant}},
               HttpClient::Framing::kNone);
  require_error(client.finish(), 411, "");
  // Over MAX_OBJECT_SIZE: 413 before the body is read.
  client.begin("PUT", "/v1/uploads/" + id + "/parts/1", {{"X-Tenant", tenant}},
               HttpClient::Framing::kContentLength, kSharedMaxObjectSize + 1);
  require_error(client.finish(), 413, "");
  CHECK(get_upload(client, tenant, id).at("parts").as_array().empty());
}

TEST_CASE("unknown, malformed and other tenants' upload ids", "[e2e][uploads][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("upowner");
  const std::string other = testing::unique_name("upother");
  const std::string id =
      string_field(create_upload(client, tenant, R"({"namespace": "e2e"})"), "upload_id");
  const std::string content = testing::random_bytes(5000);
  store_part(client, tenant, id, 1, content);

  for (const std::string& unknown : {std::string(kUnknownUploadId), id}) {
    const std::string asker = unknown == id ? other : tenant;
    INFO("upload " << unknown << " asked by " << asker);
    require_error(upload_request(client, "GET", asker, unknown), 404, "");
    require_error(put_part(client, asker, unknown, "1", "stolen?"), 404, "");
    require_error(put_part(client, asker, unknown, "2", "added?"), 404, "");
    require_error(complete_upload(client, asker, unknown), 404, "");
    require_error(upload_request(client, "DELETE", asker, unknown), 404, "");
  }
  for (const char* malformed : {"not-a-uuid", "3f1c2b7a-0d4e-4f5a-9b6c", "12345"}) {
    INFO("upload " << malformed);
    require_error(upload_request(client, "GET", tenant, malformed), 400, "");
    require_error(put_part(client, tenant, malformed, "1", "x"), 400, "");
    require_error(complete_upload(client, tenant, malformed), 400, "");
    require_error(upload_request(client, "DELETE", tenant, malformed), 400, "");
  }
  // The other tenant's attempts changed nothing.
  const json::object session = get_upload(client, tenant, id);
  CHECK(string_field(session, "state") == "open");
  CHECK(parts_of(session) == std::vector<PartInfo>{part_info(1, content)});
  // Nor does it see the session in its listing.
  const HttpResponse listing = client.request("GET", "/v1/uploads", {{"X-Tenant", other}});
  REQUIRE(listing.status == 200);
  CHECK(parse_object(listing.body).at("uploads").as_array().empty());
}

TEST_CASE("GET /v1/uploads lists open sessions, newest first, with filters",
          "[e2e][uploads][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("uplist");
  const std::string hash = testing::sha256_hex(testing::random_bytes(32));
  const auto id_of = [](const json::object& s) { return string_field(s, "upload_id"); };
  const std::string a = id_of(create_upload(client, tenant, R"({"namespace": "e2e"})"));
  const std::string b = id_of(create_upload(
      client, tenant, R"({"namespace": "e2e", "key": "k1", "sha256": ")" + hash + R"("})"));
  const std::string c = id_of(create_upload(client, tenant, R"({"storage_class": "cold"})"));
  const std::string done = id_of(create_upload(client, tenant, R"({"namespace": "e2e"})"));
  store_part(client, tenant, done, 1, testing::random_bytes(10));
  REQUIRE(complete_upload(client, tenant, done).status == 201);
  store_part(client, tenant, a, 1, testing::random_bytes(10));

  const auto list = [&](const std::string& query) {
    const HttpResponse r = client.request("GET", "/v1/uploads" + query, {{"X-Tenant", tenant}});
    INFO("GET /v1/uploads" << query << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    std::vector<std::string> ids;
    const json::object page = parse_object(r.body);
    for (const json::value& v : page.at("uploads").as_array()) {
      CHECK_FALSE(v.as_object().contains("parts"));
      CHECK(string_field(v.as_object(), "state") == "open");
      ids.push_back(id_of(v.as_object()));
    }
    return ids;
  };
  CHECK(list("") == std::vector<std::string>{c, b, a});  // the completed one is not listed
  CHECK(list("?limit=2") == std::vector<std::string>{c, b});
  CHECK(list("?sha256=" + hash) == std::vector<std::string>{b});
  CHECK(list("?sha256=sha256:" + hash) == std::vector<std::string>{b});
  CHECK(list("?sha256=" + testing::sha256_hex("none")).empty());
  CHECK(list("?key=k1") == std::vector<std::string>{b});
  CHECK(list("?namespace=e2e") == std::vector<std::string>{b, a});
  CHECK(list("?namespace=e2e&key=k1&storage_class=hot") == std::vector<std::string>{b});
  CHECK(list("?storage_class=cold") == std::vector<std::string>{c});
  for (const char* bad : {"?limit=0", "?limit=1001", "?limit=x", "?sha256=abc",
                          "?storage_class=warm", "?namespace=Bad%20Name"}) {
    INFO(bad);
    require_error(client.request("GET", std::string("/v1/uploads") + bad, {{"X-Tenant", tenant}}),
                  400, "");
  }
}

}  // namespace castor::e2e
