// CurlS3Client against real S3 servers (issue 13): castor's own S3 API in a second castor process
// and s3rver, the same test body run against each. Run through tests/s3backend/run.sh, which
// starts s3rver; the castor process is started here (DATABASE_URL).
#include "infrastructure/s3/curl_s3_client.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <set>

#include "infrastructure/s3_test_servers.h"
#include "support/http_client.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor {
namespace {

using testing::S3TestServer;

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

std::unique_ptr<CurlS3Client> make_client(S3BackendSettings settings, S3CopyLimits limits = {}) {
  auto client = CurlS3Client::create(std::move(settings), limits);
  REQUIRE(client);
  return std::move(*client);
}

// get() of `size` bytes at `offset`, as a string of the bytes read.
std::string read_range(S3Client& client, const std::string& key, std::uint64_t offset,
                       std::size_t size) {
  std::string out(size, '\0');
  auto got = client.get(key, offset, std::as_writable_bytes(std::span<char>(out.data(), size)));
  INFO(key << " at " << offset << ": " << (got ? "" : got.error().message));
  REQUIRE(got);
  out.resize(*got);
  return out;
}

// The target ("/bucket/key?query") of an absolute URL of 127.0.0.1.
std::string target_of(const std::string& url) {
  const std::size_t start = url.find('/', url.find("://") + 3);
  return url.substr(start);
}

void check_bucket_cases(const S3TestServer& server, S3Client& client) {
  REQUIRE(client.check_bucket());

  S3BackendSettings missing = server.settings;
  missing.bucket = testing::unique_name("missing");
  const Status no_bucket = make_client(missing)->check_bucket();
  REQUIRE_FALSE(no_bucket);
  CHECK(no_bucket.error().code == ErrorCode::kNotFound);
  CHECK(no_bucket.error().message ==
        "the S3 bucket '" + missing.bucket + "' does not exist at " + server.settings.endpoint);

  S3BackendSettings wrong = server.settings;
  if (server.verifies_signatures) {
    wrong.secret_access_key = std::string(40, 'x');
  } else {
    wrong.access_key_id = "NOSUCHKEY";  // s3rver checks the key id, not the signature
  }
  const Status denied = make_client(wrong)->check_bucket();
  REQUIRE_FALSE(denied);
  CHECK(denied.error().code == ErrorCode::kPermissionDenied);
  CHECK(denied.error().message.find(server.settings.endpoint) != std::string::npos);
  CHECK(denied.error().message.find(wrong.secret_access_key) == std::string::npos);

  S3BackendSettings closed = server.settings;
  closed.endpoint = "http://127.0.0.1:" + std::to_string(testing::closed_port());
  closed.max_retries = 1;
  const Status unreachable = make_client(closed)->check_bucket();
  REQUIRE_FALSE(unreachable);
  CHECK(unreachable.error().code == ErrorCode::kUnavailable);
  CHECK(unreachable.error().message.starts_with("cannot reach the S3 endpoint " + closed.endpoint +
                                                ": "));
  CHECK(unreachable.error().message.find('\n') == std::string::npos);
}

void conformance(const S3TestServer& server) {
  INFO("server: " << server.name);
  auto client = make_client(server.settings);
  const std::string prefix = testing::unique_name("t") + "/";

  SECTION("check_bucket: ok, missing bucket, wrong credentials, closed port") {
    check_bucket_cases(server, *client);
  }

  SECTION("put, head and get return the exact bytes") {
    const auto content = testing::random_content(300 * 1024 + 7);
    const std::string key = prefix + "ab/cd/" + content.hash;
    REQUIRE(client->head(key).value() == std::nullopt);
    REQUIRE(client->put(key, bytes_of(content.bytes)));
    const auto info = client->head(key);
    REQUIRE(info);
    REQUIRE(info->has_value());
    CHECK((*info)->size == content.bytes.size());
    CHECK((*info)->key == key);
    const auto age = std::chrono::system_clock::now() - (*info)->last_modified;
    CHECK(age < std::chrono::minutes(10));
    CHECK(age > -std::chrono::minutes(10));
    const std::string back = read_range(*client, key, 0, content.bytes.size());
    CHECK(back.size() == content.bytes.size());
    CHECK(testing::sha256_hex(back) == content.hash);
    // A key with characters that need escaping.
    const std::string odd = prefix + "odd key/ü+&=%20(1)";
    REQUIRE(client->put(odd, bytes_of(content.bytes.substr(0, 1000))));
    CHECK(read_range(*client, odd, 0, 2000) == content.bytes.substr(0, 1000));
  }

  SECTION("ranged get at offsets, to and past the end") {
    const std::string content = testing::random_bytes(100000);
    const std::string key = prefix + "range";
    REQUIRE(client->put(key, bytes_of(content)));
    CHECK(read_range(*client, key, 0, 10) == content.substr(0, 10));
    CHECK(read_range(*client, key, 12345, 4096) == content.substr(12345, 4096));
    CHECK(read_range(*client, key, 99990, 10) == content.substr(99990, 10));
    CHECK(read_range(*client, key, 99990, 100) == content.substr(99990, 10));  // short at the end
    CHECK(read_range(*client, key, 100000, 10).empty());                       // at the end
    CHECK(read_range(*client, key, 200000, 10).empty());                       // past the end
    std::string out(10, '\0');
    auto missing = client->get(prefix + "nothing", 0,
                               std::as_writable_bytes(std::span<char>(out.data(), out.size())));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::kNotFound);
  }

  SECTION("remove twice succeeds; the object is gone") {
    const std::string key = prefix + "gone";
    REQUIRE(client->put(key, bytes_of("x")));
    REQUIRE(client->remove(key));
    REQUIRE(client->remove(key));
    CHECK(client->head(key).value() == std::nullopt);
  }

  SECTION("copy is server-side and exact; a missing source is NotFound") {
    const auto content = testing::random_content(200000);
    const std::string from = prefix + ".tmp/upload-1";
    const std::string to = prefix + "ab/cd/" + content.hash;
    REQUIRE(client->put(from, bytes_of(content.bytes)));
    REQUIRE(client->copy(from, to, content.bytes.size()));
    CHECK(testing::sha256_hex(read_range(*client, to, 0, 300000)) == content.hash);
    CHECK(read_range(*client, from, 0, 300000) == content.bytes);  // the source stays
    const Status missing = client->copy(prefix + "nothing", prefix + "copy", 10);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::kNotFound);
  }

  SECTION("list pages with prefix, start_after and max_keys") {
    std::vector<std::string> keys;
    for (int i = 0; i < 7; ++i) {
      keys.push_back(prefix + "list/" + std::to_string(i) + std::string(1, 'a' + i));
      REQUIRE(client->put(keys.back(), bytes_of(std::string(i + 1, 'z'))));
    }
    REQUIRE(client->put(prefix + "other", bytes_of("o")));
    std::vector<std::string> seen;
    std::string after;
    std::vector<bool> truncated;
    for (int page = 0; page < 10; ++page) {
      auto listed = client->list(prefix + "list/", after, 3);
      INFO((listed ? "" : listed.error().message));
      REQUIRE(listed);
      for (const S3ObjectInfo& object : listed->objects) {
        seen.push_back(object.key);
      }
      truncated.push_back(listed->truncated);
      if (!listed->truncated) {
        break;
      }
      REQUIRE_FALSE(listed->objects.empty());
      after = listed->objects.back().key;
    }
    CHECK(seen == keys);
    CHECK(truncated == std::vector<bool>{true, true, false});
    auto sizes = client->list(prefix + "list/", "", 1000);
    REQUIRE(sizes);
    REQUIRE(sizes->objects.size() == 7);
    CHECK(sizes->objects[3].size == 4);
    CHECK_FALSE(sizes->truncated);
    auto tail = client->list(prefix + "list/", keys[5], 3);
    REQUIRE(tail);
    REQUIRE(tail->objects.size() == 1);
    CHECK(tail->objects[0].key == keys[6]);
    CHECK_FALSE(tail->truncated);
    auto none = client->list(prefix + "none/", "", 10);
    REQUIRE(none);
    CHECK(none->objects.empty());
    CHECK_FALSE(none->truncated);
  }

  SECTION("multipart: two parts complete into their concatenation") {
    const std::string first = testing::random_bytes((5 << 20) + 123);
    const std::string second = testing::random_bytes(77777);
    const std::string key = prefix + ".tmp/multi";
    auto upload = client->create_multipart(key);
    REQUIRE(upload);
    auto etag1 = client->upload_part(key, *upload, 1, bytes_of(first));
    REQUIRE(etag1);
    auto etag2 = client->upload_part(key, *upload, 2, bytes_of(second));
    REQUIRE(etag2);
    CHECK(etag1->front() == '"');
    REQUIRE(client->complete_multipart(key, *upload, {{1, *etag1}, {2, *etag2}}));
    const std::string whole = first + second;
    CHECK(client->head(key).value().value().size == whole.size());
    CHECK(testing::sha256_hex(read_range(*client, key, 0, whole.size())) ==
          testing::sha256_hex(whole));
    CHECK(read_range(*client, key, first.size() - 5, 10) == whole.substr(first.size() - 5, 10));
  }

  SECTION("presign_get: a plain GET fetches the bytes with the asked type; expired is refused") {
    const std::string content = testing::random_bytes(5000);
    const std::string key = prefix + "ab/cd/presigned";
    REQUIRE(client->put(key, bytes_of(content)));
    const std::string url = client->presign_get(key, std::chrono::seconds(300), "text/x-castor",
                                                "attachment; filename=\"a b.txt\"");
    CHECK(url.starts_with(server.settings.endpoint + "/"));
    testing::HttpClient http("127.0.0.1", server.port);
    const auto response = http.request("GET", target_of(url), {}, "");
    CHECK(response.status == 200);
    CHECK(response.body == content);
    CHECK(response.header("Content-Type") == "text/x-castor");
    CHECK(response.header("Content-Disposition") == "attachment; filename=\"a b.txt\"");
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const std::string expired =
        client->presign_get_at(key, now - 3600, std::chrono::seconds(60), "", "");
    const auto refused = http.request("GET", target_of(expired), {}, "");
    CHECK(refused.status == 403);
    CHECK(refused.body != content);
  }

  if (server.has_multipart_admin) {
    SECTION("abort, list_multipart_uploads and last_part_at") {
      const std::string key = prefix + ".tmp/pending";
      const auto before = std::chrono::system_clock::now() - std::chrono::minutes(5);
      auto upload = client->create_multipart(key);
      REQUIRE(upload);
      auto no_parts = client->last_part_at(key, *upload);
      REQUIRE(no_parts);
      CHECK(*no_parts == std::nullopt);
      REQUIRE(client->upload_part(key, *upload, 1, bytes_of(std::string(1000, 'p'))));
      auto last = client->last_part_at(key, *upload);
      REQUIRE(last);
      REQUIRE(last->has_value());
      CHECK(**last > before);
      auto uploads = client->list_multipart_uploads(prefix + ".tmp/");
      REQUIRE(uploads);
      REQUIRE(uploads->size() == 1);
      CHECK((*uploads)[0].key == key);
      CHECK((*uploads)[0].upload_id == *upload);
      CHECK((*uploads)[0].initiated > before);
      REQUIRE(client->abort_multipart(key, *upload));
      REQUIRE(client->abort_multipart(key, *upload));  // already gone: still success
      auto after = client->list_multipart_uploads(prefix + ".tmp/");
      REQUIRE(after);
      CHECK(after->empty());
      auto gone = client->last_part_at(key, *upload);
      REQUIRE_FALSE(gone);
      CHECK(gone.error().code == ErrorCode::kNotFound);
      auto part = client->upload_part(key, *upload, 2, bytes_of("x"));
      REQUIRE_FALSE(part);
      CHECK(part.error().code == ErrorCode::kNotFound);
    }

    SECTION("copy beyond the single-copy limit goes through UploadPartCopy") {
      auto small_limits = make_client(
          server.settings, S3CopyLimits{.single_copy_max = 6 << 20, .part_size = 5 << 20});
      const auto content = testing::random_content((11 << 20) + 5);
      const std::string from = prefix + ".tmp/big";
      const std::string to = prefix + "ab/cd/" + content.hash;
      REQUIRE(small_limits->put(from, bytes_of(content.bytes)));
      const Status copied = small_limits->copy(from, to, content.bytes.size());
      INFO((copied ? "" : copied.error().message));
      REQUIRE(copied);
      CHECK(testing::sha256_hex(read_range(*client, to, 0, content.bytes.size())) == content.hash);
      auto uploads = client->list_multipart_uploads(prefix);
      REQUIRE(uploads);
      CHECK(uploads->empty());
    }
  }
}

}  // namespace

TEST_CASE("CurlS3Client against castor's S3 API", "[s3backend][castor]") {
  conformance(testing::castor_s3_server());
}

TEST_CASE("CurlS3Client against s3rver", "[s3backend][s3rver]") {
  conformance(testing::s3rver_server());
}

TEST_CASE("CurlS3Client::create validates its settings", "[unit]") {
  S3BackendSettings settings;
  settings.endpoint = "http://127.0.0.1:9000";
  settings.bucket = "blobs";
  settings.access_key_id = "AK";
  settings.secret_access_key = "SK";
  REQUIRE(CurlS3Client::create(settings));
  auto with = [&](auto change) {
    S3BackendSettings copy = settings;
    change(copy);
    auto client = CurlS3Client::create(copy);
    REQUIRE_FALSE(client);
    CHECK(client.error().code == ErrorCode::kInvalidArgument);
    CHECK(client.error().message.find("SK") == std::string::npos);
  };
  with([](S3BackendSettings& s) { s.endpoint = "ftp://host"; });
  with([](S3BackendSettings& s) { s.endpoint = "http://host/path"; });
  with([](S3BackendSettings& s) { s.endpoint = "http://host:0"; });
  with([](S3BackendSettings& s) { s.bucket = "Upper"; });
  with([](S3BackendSettings& s) { s.bucket = "ab"; });
  with([](S3BackendSettings& s) { s.access_key_id.clear(); });
  with([](S3BackendSettings& s) { s.secret_access_key.clear(); });
  with([](S3BackendSettings& s) { s.max_connections = 0; });
  with([](S3BackendSettings& s) { s.timeout = std::chrono::seconds(0); });
  with([](S3BackendSettings& s) { s.max_retries = -1; });
}

}  // namespace castor
