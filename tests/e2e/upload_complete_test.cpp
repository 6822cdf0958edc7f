// Completing upload sessions into objects (docs/BLOBS_AND_BUNDLES.md, "Upload sessions" and
// "Segmented content"): the object holds the concatenation of the parts byte for byte, is
// addressed by its SHA-256, serves ranges across part boundaries, and a failed completion leaves
// the session open and unchanged.

#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/storage_view.h"
#include "e2e/upload_api.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

namespace json = boost::json;
using testing::HttpClient;
using testing::HttpResponse;

// Requires a 206 answer carrying bytes [first, last] of `content`.
void check_range(HttpClient& client, const std::string& id, const std::string& tenant,
                 const std::string& content, const std::string& range, std::size_t first,
                 std::size_t last) {
  const HttpResponse r = by_id(client, "GET", id, tenant, {{"Range", "bytes=" + range}});
  INFO("Range: bytes=" << range << " -> " << r.status << " " << r.header("Content-Range"));
  REQUIRE(r.status == 206);
  CHECK(r.header("Content-Range") == "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                         "/" + std::to_string(content.size()));
  CHECK(r.body.size() == last - first + 1);
  CHECK((r.body == content.substr(first, last - first + 1)));
}

// The session's state and its parts, as GET /v1/uploads/{id} shows them.
std::pair<std::string, std::vector<PartInfo>> state_of(HttpClient& client,
                                                       const std::string& tenant,
                                                       const std::string& id) {
  const json::object session = get_upload(client, tenant, id);
  return {string_field(session, "state"), parts_of(session)};
}

}  // namespace

TEST_CASE("a completed session is an object with the parts' concatenation, ranges and all",
          "[e2e][uploads][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("upcomplete");
  const std::string p1 = testing::random_bytes(300'001);
  const std::string p2 = testing::random_bytes(200'000);
  const std::string p3 = testing::random_bytes(123'457);
  const std::string content = p1 + p2 + p3;
  const std::string hash = testing::sha256_hex(content);
  const json::object created = create_upload(
      client, tenant,
      R"({"namespace": "e2e", "key": "big/file.bin", "content_type": "application/x-test",
          "size_bytes": )" +
          std::to_string(content.size()) + R"(, "sha256": ")" + hash + R"("})");
  const std::string upload_id = string_field(created, "upload_id");
  store_part(client, tenant, upload_id, 3, p3);
  store_part(client, tenant, upload_id, 1, p1);
  store_part(client, tenant, upload_id, 2, p2);

  const HttpResponse done = complete_upload(client, tenant, upload_id);
  INFO("complete -> " << done.status << " " << done.body);
  REQUIRE(done.status == 201);
  const json::object session = parse_object(done.body);
  CHECK(string_field(session, "upload_id") == upload_id);
  CHECK(string_field(session, "state") == "completed");
  CHECK(session.at("parts").as_array().empty());
  REQUIRE(session.contains("object"));
  const json::object& object = session.at("object").as_object();
  const std::string id = string_field(object, "id");
  CHECK(done.header("Location") == "/v1/objects/" + id);
  CHECK(string_field(object, "namespace") == "e2e");
  CHECK(string_field(object, "tenant_id") == tenant);
  CHECK(string_field(object, "key") == "big/file.bin");
  CHECK(string_field(object, "status") == "COMMITTED");
  CHECK(string_field(object, "storage_class") == "hot");
  CHECK(string_field(object, "content_hash") == "sha256:" + hash);
  CHECK(int_field(object, "size_bytes") == static_cast<std::int64_t>(content.size()));
  CHECK(string_field(object, "content_type") == "application/x-test");

  // The whole content, byte for byte, by id and by key, with the headers of any object.
  const HttpResponse got = by_id(client, "GET", id, tenant);
  REQUIRE(got.status == 200);
  CHECK(got.body.size() == content.size());
  CHECK(testing::sha256_hex(got.body) == hash);
  CHECK((got.body == content));
  CHECK(got.header("ETag") == "\"" + hash + "\"");
  CHECK(got.header("X-Content-Hash") == hash);
  CHECK(got.header("Content-Type") == "application/x-test");
  CHECK(got.header("Content-Length") == std::to_string(content.size()));
  const HttpResponse by_key = client.request("GET", by_key_target("e2e", tenant, "big/file.bin"));
  REQUIRE(by_key.status == 200);
  CHECK(testing::sha256_hex(by_key.body) == hash);
  const HttpResponse head = by_id(client, "HEAD", id, tenant);
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.header("Content-Length") == std::to_string(content.size()));
  CHECK(head.header("ETag") == "\"" + hash + "\"");
  CHECK(by_id(client, "GET", id, tenant, {{"If-None-Match", "\"" + hash + "\""}}).status == 304);

  // Ranges across the part boundaries (part 2 starts at b1, part 3 at b2).
  const std::size_t b1 = p1.size(), b2 = p1.size() + p2.size(), n = content.size();
  check_range(client, id, tenant, content, "1000-" + std::to_string(b2 + 50), 1000, b2 + 50);
  check_range(client, id, tenant, content, "-" + std::to_string(p3.size() + 10), b2 - 10, n - 1);
  check_range(client, id, tenant, content, std::to_string(b1) + "-" + std::to_string(b2 - 1), b1,
              b2 - 1);
  check_range(client, id, tenant, content, std::to_string(b1 - 1) + "-" + std::to_string(b1),
              b1 - 1, b1);
  check_range(client, id, tenant, content, std::to_string(b2) + "-", b2, n - 1);
  check_range(client, id, tenant, content, "0-0", 0, 0);
  check_range(client, id, tenant, content, std::to_string(n - 1) + "-" + std::to_string(n + 99),
              n - 1, n - 1);
  require_error(by_id(client, "GET", id, tenant, {{"Range", "bytes=" + std::to_string(n) + "-"}}),
                416, "");

  // Completing again answers the same object (a retry after a lost response); the session shows
  // as completed without parts, and takes no more parts.
  const HttpResponse again = complete_upload(client, tenant, upload_id);
  INFO("again -> " << again.status << " " << again.body);
  REQUIRE(again.status == 200);
  const json::object again_session = parse_object(again.body);
  CHECK(string_field(again_session.at("object").as_object(), "id") == id);
  CHECK(string_field(again_session.at("object").as_object(), "content_hash") == "sha256:" + hash);
  CHECK(state_of(client, tenant, upload_id) ==
        std::pair<std::string, std::vector<PartInfo>>{"completed", {}});
  require_error(put_part(client, tenant, upload_id, "4", "late"), 409, "upload_not_open");
  // The object is listed like any other.
  const Listing listing = list_objects(client, "e2e", tenant);
  REQUIRE(listing.objects.size() == 1);
  CHECK(string_field(listing.objects[0], "id") == id);
  require_fsck_clean(client);
}

TEST_CASE("a part list picks the parts; a bad one is refused with invalid_parts",
          "[e2e][uploads][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("upchoose");
  const std::string id =
      string_field(create_upload(client, tenant, R"({"namespace": "e2e"})"), "upload_id");
  require_error(complete_upload(client, tenant, id), 400, "invalid_parts");  // none held
  const std::string a = testing::random_bytes(70'000), b = testing::random_bytes(1),
                    c = testing::random_bytes(90'000), d = testing::random_bytes(5);
  store_part(client, tenant, id, 2, a);
  store_part(client, tenant, id, 5, b);
  store_part(client, tenant, id, 7, c);
  store_part(client, tenant, id, 10000, d);
  const std::vector<PartInfo> held = {part_info(2, a), part_info(5, b), part_info(7, c),
                                      part_info(10000, d)};
  for (const char* bad :
       {R"({"parts": [7, 2]})", R"({"parts": [2, 2, 7]})", R"({"parts": [2, 3]})",
        R"({"parts": [0, 2]})", R"({"parts": [2, 10001]})", R"({"parts": [1]})"}) {
    INFO(bad);
    require_error(complete_upload(client, tenant, id, bad), 400, "invalid_parts");
    CHECK(state_of(client, tenant, id) ==
          std::pair<std::string, std::vector<PartInfo>>{"open", held});
  }
  require_error(complete_upload(client, tenant, id, R"({"parts": "2,7"})"), 400, "");
  require_error(complete_upload(client, tenant, id, "{"), 400, "");

  // Parts 2, 7 and 10000, skipping 5.
  const HttpResponse done = complete_upload(client, tenant, id, R"({"parts": [2, 7, 10000]})");
  INFO(done.body);
  REQUIRE(done.status == 201);
  const json::object answer = parse_object(done.body);
  const json::object& object = answer.at("object").as_object();
  const std::string content = a + c + d;
  CHECK(string_field(object, "content_hash") == "sha256:" + testing::sha256_hex(content));
  const HttpResponse got = by_id(client, "GET", string_field(object, "id"), tenant);
  REQUIRE(got.status == 200);
  CHECK((got.body == content));
  CHECK(state_of(client, tenant, id) ==
        std::pair<std::string, std::vector<PartInfo>>{"completed", {}});
  run_gc(client);  // the unused part 5 is released with the others

  // An empty list names no part: refused like a session without parts, not taken as "all".
  const std::string empty =
      string_field(create_upload(client, tenant, R"({"namespace": "e2e"})"), "upload_id");
  store_part(client, tenant, empty, 1, a);
  require_error(complete_upload(client, tenant, empty, R"({"parts": []})"), 400, "invalid_parts");
  CHECK(state_of(client, tenant, empty) ==
        std::pair<std::string, std::vector<PartInfo>>{"open", {part_info(1, a)}});
  CHECK(upload_request(client, "DELETE", tenant, empty).status == 204);
  run_gc(client);
  require_fsck_clean(client);
}

TEST_CASE("a completion that fails leaves the session open and unchanged",
          "[e2e][uploads][backend]") {
  HttpClient client = upload_server().server.client();
  const std::string tenant = testing::unique_name("upfail");
  const std::string p1 = testing::random_bytes(150'000), p2 = testing::random_bytes(60'000);
  const std::string content = p1 + p2;
  const std::vector<PartInfo> held = {part_info(1, p1), part_info(2, p2)};
  const auto open_with = [&](const std::string& body) {
    const std::string id = string_field(create_upload(client, tenant, body), "upload_id");
    store_part(client, tenant, id, 1, p1);
    store_part(client, tenant, id, 2, p2);
    return id;
  };
  const auto open_and_unchanged = [&](const std::string& id) {
    CHECK(state_of(client, tenant, id) ==
          std::pair<std::string, std::vector<PartInfo>>{"open", held});
  };

  // A declared size that is not the total: 400 size_mismatch, and no object.
  const std::string sized = open_with(R"({"namespace": "e2e", "key": "sized", "size_bytes": )" +
                                      std::to_string(content.size() + 1) + "}");
  require_error(complete_upload(client, tenant, sized), 400, "size_mismatch");
  open_and_unchanged(sized);
  CHECK(client.request("HEAD", by_key_target("e2e", tenant, "sized")).status == 404);

  // A declared hash that is not the content's: 400 content_hash_mismatch, and no object.
  const std::string hashed = open_with(R"({"namespace": "e2e", "key": "hashed", "sha256": ")" +
                                       testing::sha256_hex(p1 + p1) + R"("})");
  require_error(complete_upload(client, tenant, hashed), 400, "content_hash_mismatch");
  open_and_unchanged(hashed);
  CHECK(client.request("HEAD", by_key_target("e2e", tenant, "hashed")).status == 404);
  // The right declarations complete.
  const std::string right = open_with(R"({"namespace": "e2e", "key": "right", "size_bytes": )" +
                                      std::to_string(content.size()) + R"(, "sha256": ")" +
                                      testing::sha256_hex(content) + R"("})");
  REQUIRE(complete_upload(client, tenant, right).status == 201);

  // A key in use: 409, the session stays open; once the key is free, it completes.
  upload(client, {.tenant = tenant, .key = "taken"}, "the first holder");
  const std::string keyed = open_with(R"({"namespace": "e2e", "key": "taken"})");
  require_error(complete_upload(client, tenant, keyed), 409, "");
  open_and_unchanged(keyed);
  const HttpResponse holder = client.request("GET", by_key_target("e2e", tenant, "taken"));
  CHECK(holder.body == "the first holder");
  REQUIRE(client.request("DELETE", by_key_target("e2e", tenant, "taken")).status == 204);
  const HttpResponse done = complete_upload(client, tenant, keyed);
  REQUIRE(done.status == 201);
  const HttpResponse now = client.request("GET", by_key_target("e2e", tenant, "taken"));
  REQUIRE(now.status == 200);
  CHECK((now.body == content));

  // A total over MAX_OBJECT_SIZE: 413, the session stays open.
  const std::string half = testing::random_bytes(kSharedMaxObjectSize / 2 + 1);
  const std::string big =
      string_field(create_upload(client, tenant, R"({"namespace": "e2e"})"), "upload_id");
  store_part(client, tenant, big, 1, half);
  store_part(client, tenant, big, 2, half);
  require_error(complete_upload(client, tenant, big), 413, "");
  CHECK(state_of(client, tenant, big) == std::pair<std::string, std::vector<PartInfo>>{
                                             "open", {part_info(1, half), part_info(2, half)}});
  CHECK(upload_request(client, "DELETE", tenant, big).status == 204);

  // The failed sessions can still be aborted, and everything adds up.
  CHECK(upload_request(client, "DELETE", tenant, sized).status == 204);
  CHECK(upload_request(client, "DELETE", tenant, hashed).status == 204);
  run_gc(client);
  require_fsck_clean(client);
}

TEST_CASE("a cold session completes into a cold object", "[e2e][uploads][backend]") {
  SharedServer& shared = upload_server();
  HttpClient client = shared.server.client();
  const std::string tenant = testing::unique_name("upcold");
  const std::vector<std::string> pieces = {testing::random_bytes(64'000),
                                           testing::random_bytes(64'001)};
  const json::object done =
      upload_in_parts(client, tenant, R"({"namespace": "e2e", "storage_class": "cold"})", pieces);
  const json::object& object = done.at("object").as_object();
  CHECK(string_field(object, "storage_class") == "cold");
  const HttpResponse got = by_id(client, "GET", string_field(object, "id"), tenant);
  REQUIRE(got.status == 200);
  CHECK((got.body == pieces[0] + pieces[1]));
  // The parts live in the cold class, not the hot one.
  for (const std::string& piece : pieces) {
    const std::string hash = testing::sha256_hex(piece);
    CHECK(StorageView::of(shared.server).has_content("cold", hash));
    CHECK_FALSE(StorageView::of(shared.server).has_content("hot", hash));
  }
  require_fsck_clean(client);
}

}  // namespace castor::e2e
