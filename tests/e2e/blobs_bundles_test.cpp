// The blob and bundle API through a real server (docs/BLOBS_AND_BUNDLES.md): storing and reading
// blobs, Expect: 100-continue, preflight, proof of possession across tenants, bundle validation,
// listing and deletion, the collector with bundles and the grace period, archive downloads.
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "e2e/storage_view.h"
#include "support/random_data.h"
#include "support/raw_connection.h"
#include "support/server_process.h"
#include "support/sha256.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace castor::e2e {
namespace {

namespace json = boost::json;
using testing::HttpClient;
using testing::HttpResponse;

testing::Headers tenant_headers(const std::string& tenant) { return {{"X-Tenant", tenant}}; }

HttpResponse put_blob(HttpClient& client, const std::string& tenant, const std::string& content,
                      const std::string& query = "") {
  return client.request("PUT", "/v1/blobs/" + testing::sha256_hex(content) + query,
                        tenant_headers(tenant), content);
}

HttpResponse blob(HttpClient& client, const std::string& method, const std::string& tenant,
                  const std::string& hash, testing::Headers extra = {}) {
  extra["X-Tenant"] = tenant;
  return client.request(method, "/v1/blobs/" + hash, extra);
}

// POST /v1/blobs/preflight; requires 200 and returns the missing hashes.
std::vector<std::string> preflight(HttpClient& client, const std::string& tenant,
                                   const std::vector<std::string>& hashes) {
  json::object body;
  json::array list;
  for (const auto& h : hashes) {
    list.emplace_back(h);
  }
  body["hashes"] = list;
  auto r =
      client.request("POST", "/v1/blobs/preflight", tenant_headers(tenant), json::serialize(body));
  REQUIRE(r.status == 200);
  std::vector<std::string> missing;
  const json::object answer = parse_object(r.body);
  for (const auto& v : answer.at("missing").as_array()) {
    missing.emplace_back(v.as_string());
  }
  return missing;
}

struct File {
  std::string path;
  std::string content;
  int mode = 0644;
};

std::string manifest(const std::vector<File>& files, const std::string& extra = "") {
  json::array list;
  for (const File& f : files) {
    json::object e;
    e["path"] = f.path;
    e["hash"] = testing::sha256_hex(f.content);
    e["size_bytes"] = f.content.size();
    e["mode"] = f.mode;
    list.push_back(std::move(e));
  }
  json::object body;
  body["files"] = std::move(list);
  std::string text = json::serialize(body);
  if (!extra.empty()) {
    text.insert(text.size() - 1, "," + extra);
  }
  return text;
}

HttpResponse create_bundle(HttpClient& client, const std::string& tenant, const std::string& body) {
  return client.request("POST", "/v1/bundles", tenant_headers(tenant), body);
}

std::vector<std::string> missing_of(const HttpResponse& r) {
  std::vector<std::string> out;
  const json::object answer = parse_object(r.body);
  for (const auto& v : answer.at("missing").as_array()) {
    out.emplace_back(v.as_string());
  }
  return out;
}

}  // namespace

TEST_CASE("PUT /v1/blobs stores content once, verified, and answers 201 then 200",
          "[e2e][blobs][backend]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("blobs");
  const std::string content = testing::random_bytes(300'000);
  const std::string hash = testing::sha256_hex(content);

  auto first = put_blob(client, tenant, content, "?size_bytes=300000");
  REQUIRE(first.status == 201);
  CHECK(first.header("ETag") == "\"" + hash + "\"");
  auto j = parse_object(first.body);
  CHECK(string_field(j, "hash") == hash);
  CHECK(int_field(j, "size_bytes") == 300'000);
  CHECK(string_field(j, "storage_class") == "hot");
  CHECK(put_blob(client, tenant, content).status == 200);
  // Chunked works the same; "sha256:" and upper case name the same content.
  auto chunked = client.request_chunked("PUT", "/v1/blobs/sha256:" + hash, tenant_headers(tenant),
                                        content, 70'000);
  CHECK(chunked.status == 200);

  const std::string other = "other content";
  require_error(client.request("PUT", "/v1/blobs/" + testing::sha256_hex("not it"),
                               tenant_headers(tenant), other),
                400, "content_hash_mismatch");
  require_error(put_blob(client, tenant, other, "?size_bytes=12"), 400, "size_mismatch");
  require_error(client.request("PUT", "/v1/blobs/abc", tenant_headers(tenant), other), 400, "");
  CHECK(preflight(client, tenant, {testing::sha256_hex(other)}).size() == 1);  // nothing stored

  client.begin("PUT", "/v1/blobs/" + hash, tenant_headers(tenant),
               HttpClient::Framing::kContentLength, kSharedMaxObjectSize + 1);
  require_error(client.finish(), 413, "payload_too_large");
}

TEST_CASE("Expect: 100-continue is answered 200 without the body when the tenant holds it",
          "[e2e][blobs][backend]") {
  auto& server = shared_server().server;
  HttpClient client = server.client();
  const std::string tenant = testing::unique_name("expect");
  const std::string content = testing::random_bytes(50'000);
  const std::string hash = testing::sha256_hex(content);
  auto head = [&](const std::string& h) {
    return "PUT /v1/blobs/" + h + " HTTP/1.1\r\nHost: x\r\nX-Tenant: " + tenant +
           "\r\nContent-Length: " + std::to_string(content.size()) +
           "\r\nExpect: 100-continue\r\n\r\n";
  };
  {
    // Not held: 100 Continue, then the body, then 201.
    testing::RawConnection raw(server.port());
    REQUIRE(raw.send(head(hash)));
    const std::string interim = raw.read_response(std::chrono::seconds(10));
    REQUIRE(interim.starts_with("HTTP/1.1 100 Continue"));
    REQUIRE(raw.send(content));
    CHECK(raw.read_response(std::chrono::seconds(10)).starts_with("HTTP/1.1 201"));
  }
  {
    // Held: the final 200 at once, without reading the body; the connection then closes.
    testing::RawConnection raw(server.port());
    REQUIRE(raw.send(head(hash)));
    const std::string answer = raw.read_response(std::chrono::seconds(10));
    INFO(answer);
    CHECK(answer.starts_with("HTTP/1.1 200"));
    CHECK(answer.find("\"hash\":\"" + hash + "\"") != std::string::npos);
    CHECK(raw.wait_closed(std::chrono::seconds(10)));
  }
  // Another tenant does not hold it: it must send the body.
  testing::RawConnection raw(server.port());
  const std::string other = testing::unique_name("expect");
  std::string h = head(hash);
  h.replace(h.find(tenant), tenant.size(), other);
  REQUIRE(raw.send(h));
  CHECK(raw.read_response(std::chrono::seconds(10)).starts_with("HTTP/1.1 100 Continue"));
}

TEST_CASE("GET and HEAD /v1/blobs/{sha256} with Range and If-None-Match", "[e2e][blobs][backend]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("getblob");
  const std::string content = testing::random_bytes(700'000);
  const std::string hash = testing::sha256_hex(content);
  REQUIRE(put_blob(client, tenant, content).status == 201);

  auto got = blob(client, "GET", tenant, hash);
  REQUIRE(got.status == 200);
  CHECK((got.body == content));
  CHECK(got.header("Content-Type") == "application/octet-stream");
  CHECK(got.header("X-Content-Type-Options") == "nosniff");
  CHECK(got.header("ETag") == "\"" + hash + "\"");
  auto head = blob(client, "HEAD", tenant, hash);
  CHECK(head.status == 200);
  CHECK(head.header("Content-Length") == "700000");
  CHECK(head.body.empty());
  auto part = blob(client, "GET", tenant, hash, {{"Range", "bytes=100-299"}});
  REQUIRE(part.status == 206);
  CHECK(part.header("Content-Range") == "bytes 100-299/700000");
  CHECK((part.body == content.substr(100, 200)));
  CHECK(blob(client, "GET", tenant, hash, {{"If-None-Match", "\"" + hash + "\""}}).status == 304);
  require_error(blob(client, "GET", tenant, hash, {{"Range", "bytes=800000-"}}), 416, "");
  require_error(blob(client, "GET", tenant, testing::sha256_hex("never stored")), 404, "");
}

TEST_CASE("preflight lists what the tenant lacks, in request order, each once",
          "[e2e][blobs][backend]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("preflight");
  REQUIRE(put_blob(client, tenant, "have").status == 201);
  const std::string have = testing::sha256_hex("have");
  const std::string x = testing::sha256_hex("x"), y = testing::sha256_hex("y");
  CHECK(preflight(client, tenant, {y, have, x, y, "sha256:" + x}) ==
        std::vector<std::string>{y, x});
  CHECK(preflight(client, tenant, {have}).empty());
  auto post = [&](const std::string& body) {
    return client.request("POST", "/v1/blobs/preflight", tenant_headers(tenant), body);
  };
  require_error(post(R"({"hashes": []})"), 400, "");
  require_error(post(R"({"hashes": ["nothex"]})"), 400, "");
  require_error(post(R"({"hash": []})"), 400, "");
  std::string many = R"({"hashes": [)";
  for (int i = 0; i <= 10'000; ++i) {
    many += (i ? ",\"" : "\"") + have + "\"";
  }
  require_error(post(many + "]}"), 400, "");
}

TEST_CASE("proof of possession: knowing a hash does not give access to another tenant's content",
          "[e2e][blobs][backend]") {
  HttpClient client = shared_server().server.client();
  const std::string a = testing::unique_name("owner");
  const std::string b = testing::unique_name("prober");
  const std::string secret = "tenant a's secret " + testing::random_bytes(64);
  const std::string hash = testing::sha256_hex(secret);
  REQUIRE(put_blob(client, a, secret).status == 201);

  require_error(blob(client, "GET", b, hash), 404, "not_found");
  CHECK(blob(client, "HEAD", b, hash).status == 404);
  CHECK(preflight(client, b, {hash}) == std::vector<std::string>{hash});
  auto refused = create_bundle(client, b, manifest({{"stolen.bin", secret}}));
  REQUIRE(refused.status == 409);
  CHECK(string_field(parse_object(refused.body).at("error").as_object(), "code") ==
        "missing_blobs");
  CHECK(missing_of(refused) == std::vector<std::string>{hash});
  // The same answers as for content nobody stored.
  const std::string nobody = testing::sha256_hex("stored by nobody");
  CHECK(blob(client, "GET", b, nobody).body.find("no such blob") != std::string::npos);
  CHECK(blob(client, "GET", b, hash).body.find("no such blob") != std::string::npos);

  // Uploading the bytes proves possession: 201 (new for b), and then b may use it.
  CHECK(put_blob(client, b, secret).status == 201);
  CHECK(blob(client, "HEAD", b, hash).status == 200);
  CHECK(preflight(client, b, {hash}).empty());
  CHECK(create_bundle(client, b, manifest({{"mine.bin", secret}})).status == 201);

  // An object upload grants possession too.
  const std::string c = testing::unique_name("objects");
  const std::string content = "object content " + testing::random_bytes(32);
  upload(client, {.tenant = c, .key = "k"}, content);
  CHECK(blob(client, "HEAD", c, testing::sha256_hex(content)).status == 200);
  CHECK(create_bundle(client, c, manifest({{"from-object", content}})).status == 201);
  CHECK(blob(client, "HEAD", a, testing::sha256_hex(content)).status == 404);
}

TEST_CASE("bundles refuse bad manifests with 400", "[e2e][bundles][backend]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("badbundle");
  REQUIRE(put_blob(client, tenant, "c").status == 201);
  const std::string h = testing::sha256_hex("c");
  auto one = [&](const std::string& path_json) {
    return R"({"files": [{"path": )" + path_json + R"(, "hash": ")" + h +
           R"(", "size_bytes": 1}]})";
  };
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"absolute", one(R"("/etc/passwd")")},
      {"dot-dot", one(R"("a/../../b")")},
      {"dot", one(R"("./a")")},
      {"empty segment", one(R"("a//b")")},
      {"empty", one(R"("")")},
      {"NUL", one(R"("a\u0000b")")},
      {"control", one(R"("a\nb")")},
      {"5000 bytes", one("\"" + std::string(5000, 'a') + "\"")},
      {"duplicate", R"({"files": [{"path": "x", "hash": ")" + h +
                        R"(", "size_bytes": 1}, {"path": "x", "hash": ")" + h +
                        R"(", "size_bytes": 1}]})"},
      {"bad hash", R"({"files": [{"path": "x", "hash": "zz", "size_bytes": 1}]})"},
      {"no size", R"({"files": [{"path": "x", "hash": ")" + h + R"("}]})"},
      {"wrong size", R"({"files": [{"path": "x", "hash": ")" + h + R"(", "size_bytes": 2}]})"},
      {"mode",
       R"({"files": [{"path": "x", "hash": ")" + h + R"(", "size_bytes": 1, "mode": 70000}]})"},
      {"hash_algo", manifest({{"x", "c"}}, R"("hash_algo": "md5")")},
      {"metadata", manifest({{"x", "c"}}, R"("metadata": [1])")},
      {"not json", "{"},
  };
  for (const auto& [why, body] : bad) {
    INFO(why);
    require_error(create_bundle(client, tenant, body), 400, "");
  }
  require_error(
      create_bundle(client, tenant,
                    manifest({{"x", "c"}}, "\"merkle_root\": \"" + std::string(64, 'a') + "\"")),
      400, "merkle_root_mismatch");
  // Nothing was created and no reference taken: the blob is still unreferenced.
  auto list = client.request("GET", "/v1/bundles", tenant_headers(tenant));
  REQUIRE(list.status == 200);
  CHECK(parse_object(list.body).at("bundles").as_array().empty());
}

TEST_CASE("bundles: create, get, list newest first, delete", "[e2e][bundles][backend]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("bundles");
  const std::vector<File> files = {{"weights/model.safetensors", "weights", 0644},
                                   {"config.json", "{}", 0600},
                                   {"run.sh", "#!/bin/sh\n", 0755},
                                   {"dir with space/é.txt", "utf-8", 0644}};
  for (const File& f : files) {
    REQUIRE(put_blob(client, tenant, f.content).status == 201);
  }
  auto created = create_bundle(client, tenant, manifest(files, R"("metadata": {"v": 1})"));
  REQUIRE(created.status == 201);
  auto summary = parse_object(created.body);
  const std::string id = string_field(summary, "id");
  CHECK(created.header("Location") == "/v1/bundles/" + id);
  CHECK(int_field(summary, "file_count") == 4);
  CHECK(int_field(summary, "total_bytes") == 7 + 2 + 10 + 5);
  CHECK(string_field(summary, "merkle_root").size() == 64);

  auto got = client.request("GET", "/v1/bundles/" + id, tenant_headers(tenant));
  REQUIRE(got.status == 200);
  auto m = parse_object(got.body);
  CHECK(string_field(m, "merkle_root") == string_field(summary, "merkle_root"));
  CHECK(m.at("metadata").as_object().at("v").as_int64() == 1);
  const auto& listed = m.at("files").as_array();
  REQUIRE(listed.size() == 4);
  CHECK(listed[0].as_object().at("path").as_string() == "config.json");
  CHECK(listed[0].as_object().at("mode").as_int64() == 0600);
  CHECK(listed[3].as_object().at("path").as_string() == "weights/model.safetensors");
  // The client may send the root it computed; the same one is accepted.
  auto again = create_bundle(
      client, tenant,
      manifest(files, "\"merkle_root\": \"" + string_field(summary, "merkle_root") + "\""));
  REQUIRE(again.status == 201);
  auto third = create_bundle(client, tenant, manifest({files[0]}));
  REQUIRE(third.status == 201);

  std::vector<std::string> order;
  std::string target = "/v1/bundles?limit=2";
  for (;;) {
    auto page = client.request("GET", target, tenant_headers(tenant));
    REQUIRE(page.status == 200);
    auto p = parse_object(page.body);
    for (const auto& s : p.at("bundles").as_array()) {
      CHECK_FALSE(s.as_object().contains("files"));
      order.emplace_back(s.as_object().at("id").as_string());
    }
    if (p.at("next_cursor").is_null()) {
      break;
    }
    target = "/v1/bundles?limit=2&cursor=" +
             testing::percent_encode(std::string(p.at("next_cursor").as_string()));
  }
  CHECK(order == std::vector<std::string>{string_field(parse_object(third.body), "id"),
                                          string_field(parse_object(again.body), "id"), id});

  const std::string other = testing::unique_name("bundles");
  require_error(client.request("GET", "/v1/bundles/" + id, tenant_headers(other)), 404, "");
  require_error(client.request("DELETE", "/v1/bundles/" + id, tenant_headers(other)), 404, "");
  require_error(client.request("GET", "/v1/bundles/not-a-uuid", tenant_headers(tenant)), 400, "");
  CHECK(client.request("DELETE", "/v1/bundles/" + id, tenant_headers(tenant)).status == 204);
  require_error(client.request("GET", "/v1/bundles/" + id, tenant_headers(tenant)), 404, "");
  require_error(client.request("DELETE", "/v1/bundles/" + id, tenant_headers(tenant)), 404, "");
}

TEST_CASE("the collector keeps blobs in their grace period and while bundled",
          "[e2e][bundles][backend]") {
  testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_grace");
  constexpr int kGrace = 2;
  testing::ServerOptions options;
  options.binary = castor_binary();
  options.database_url = database.url();
  options.extra_env = {{"BLOB_GRACE_SECONDS", std::to_string(kGrace)}};
  auto server = testing::ServerProcess::start(std::move(options));
  HttpClient client = server.client();
  const std::string tenant = "grace";
  const std::string kept = "bundled content", loose = "loose content";
  const auto stored_at = std::chrono::steady_clock::now();
  REQUIRE(put_blob(client, tenant, kept).status == 201);
  REQUIRE(put_blob(client, tenant, loose).status == 201);
  auto present = [&](const std::string& content) {
    return blob(client, "HEAD", tenant, testing::sha256_hex(content)).status == 200;
  };

  // Within the grace period nothing unreferenced is collected.
  CHECK(int_field(run_gc(client), "deleted_blobs") == 0);
  CHECK(present(loose));
  auto bundle = create_bundle(client, tenant, manifest({{"k", kept}}));
  REQUIRE(bundle.status == 201);

  // Past it: the unreferenced blob goes (with its grant), the bundled one stays.
  std::this_thread::sleep_until(stored_at + std::chrono::seconds(kGrace) +
                                std::chrono::milliseconds(500));
  CHECK(int_field(run_gc(client), "deleted_blobs") == 1);
  CHECK_FALSE(present(loose));
  CHECK(preflight(client, tenant, {testing::sha256_hex(loose)}).size() == 1);
  CHECK(present(kept));
  CHECK(StorageView::of(server).content_entries("hot").size() == 1);

  // Deleting the bundle drops its reference; its grace has passed, so the next cycle collects it.
  const std::string id = string_field(parse_object(bundle.body), "id");
  REQUIRE(client.request("DELETE", "/v1/bundles/" + id, tenant_headers(tenant)).status == 204);
  CHECK(int_field(run_gc(client), "deleted_blobs") == 1);
  CHECK_FALSE(present(kept));
  CHECK(StorageView::of(server).content_entries("hot").empty());
  // A bundle naming it now is refused.
  CHECK(create_bundle(client, tenant, manifest({{"k", kept}})).status == 409);
  auto fsck = client.request("POST", "/v1/admin/fsck");
  REQUIRE(fsck.status == 200);
  CHECK(parse_object(fsck.body).at("clean").as_bool());
}

TEST_CASE("bundle downloads: ZIP and tar unpack to the uploaded files", "[e2e][bundles][backend]") {
  HttpClient client = shared_server().server.client();
  const std::string tenant = testing::unique_name("download");
  const std::vector<File> files = {{"weights/model.bin", testing::random_bytes(600'000), 0644},
                                   {"empty.txt", "", 0600},
                                   {"bin/run.sh", "#!/bin/sh\necho hi\n", 0755},
                                   {"naïve dir/ñ file.txt", "unicode", 0644}};
  for (const File& f : files) {
    const auto status = put_blob(client, tenant, f.content).status;
    REQUIRE((status == 201 || status == 200));
  }
  auto created = create_bundle(client, tenant, manifest(files));
  REQUIRE(created.status == 201);
  const std::string id = string_field(parse_object(created.body), "id");
  require_error(
      client.request("GET", "/v1/bundles/" + id + "/download?format=rar", tenant_headers(tenant)),
      415, "unsupported_format");
  require_error(client.request("GET", "/v1/bundles/" + id + "/download",
                               tenant_headers(testing::unique_name("download"))),
                404, "");

  for (const std::string format : {"zip", "tar"}) {
    INFO(format);
    auto r = client.request("GET", "/v1/bundles/" + id + "/download?format=" + format,
                            tenant_headers(tenant));
    REQUIRE(r.status == 200);
    CHECK(r.header("Content-Type") == (format == "zip" ? "application/zip" : "application/x-tar"));
    CHECK(r.header("Content-Disposition") ==
          "attachment; filename=\"bundle_" + id + "." + format + "\"");
    testing::TempDir dir;
    const auto archive = dir.path() / ("bundle." + format);
    std::ofstream(archive, std::ios::binary) << r.body;
    const auto out = dir.path() / "out";
    std::filesystem::create_directories(out);
    const std::string command =
        format == "zip" ? "unzip -q '" + archive.string() + "' -d '" + out.string() + "'"
                        : "bsdtar -xf '" + archive.string() + "' -C '" + out.string() + "'";
    REQUIRE(std::system(command.c_str()) == 0);
    for (const File& f : files) {
      INFO(f.path);
      const auto path = out / f.path;
      REQUIRE(std::filesystem::exists(path));
      CHECK(testing::sha256_file_hex(path) == testing::sha256_hex(f.content));
      struct stat st {};
      REQUIRE(::stat(path.c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == static_cast<unsigned>(f.mode));
    }
    // The bsdtar listing has exactly the bundle's files (and the directories they need).
    std::size_t regular = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(out)) {
      regular += e.is_regular_file() ? 1 : 0;
    }
    CHECK(regular == files.size());
  }
}

}  // namespace castor::e2e
