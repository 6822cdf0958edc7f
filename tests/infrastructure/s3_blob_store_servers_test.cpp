// S3BlobStore over CurlS3Client against real S3 servers (castor's S3 API in a second castor
// process, and s3rver): uploads small and multipart, dedup, reads, scans, quarantine, temp keys.
// Run through tests/s3backend/run.sh.
#include <catch2/catch.hpp>

#include <random>

#include "infrastructure/s3/curl_s3_client.h"
#include "infrastructure/s3/s3_blob_store.h"
#include "infrastructure/s3_test_servers.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor {
namespace {

constexpr StorageClass kHot = StorageClass::kHot;
constexpr std::uint64_t kPart = 5 << 20;  // S3's smallest part

std::string data_of(std::size_t n, unsigned seed) {
  std::mt19937 random(seed);
  std::string out(n, '\0');
  for (char& c : out) {
    c = static_cast<char>(random() & 0xff);
  }
  return out;
}

std::span<const std::byte> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

ObjectId id_of(std::uint8_t n) {
  ObjectId::Bytes b{};
  std::random_device rd;
  for (auto& x : b) x = static_cast<std::uint8_t>(rd());
  b[15] = n;
  return ObjectId::from_random(b);
}

ContentHash hash_of(const std::string& s) { return *ContentHash::parse(testing::sha256_hex(s)); }

std::string read_all(BlobStore& store, const ContentHash& h, std::size_t piece) {
  auto reader = store.open(kHot, h);
  REQUIRE(reader);
  std::string out;
  std::string buffer(piece, '\0');
  for (;;) {
    auto n = (*reader)->read_at(out.size(), {reinterpret_cast<std::byte*>(buffer.data()), piece});
    REQUIRE(n);
    if (*n == 0) return out;
    out.append(buffer, 0, *n);
  }
}

void run_cases(const testing::S3TestServer& server) {
  S3BackendSettings settings = server.settings;
  settings.prefix = testing::unique_name("blobs") + "/";
  settings.part_size = kPart;
  settings.max_connections = 4;
  auto client = CurlS3Client::create(settings);
  REQUIRE(client);
  auto lister = CurlS3Client::create(settings);
  REQUIRE(lister);
  auto created = S3BlobStore::create(std::move(*client), settings, kHot);
  REQUIRE(created);
  S3BlobStore& store = **created;
  REQUIRE(store.check());
  auto keys = [&](const std::string& under) {
    std::vector<std::string> out;
    auto page = (*lister)->list(settings.prefix + under, "", 1000);
    REQUIRE(page);
    for (auto& o : page->objects) out.push_back(o.key);
    return out;
  };

  // Small: one PutObject.
  const std::string small = data_of(100000, 1);
  {
    auto writer = store.create_temp(kHot, id_of(1));
    REQUIRE(writer);
    REQUIRE((*writer)->write(bytes_of(small)));
    auto h = (*writer)->finish();
    REQUIRE(h);
    CHECK(*h == hash_of(small));
    REQUIRE(store.place(**writer, kHot, *h));
    REQUIRE(store.place(**writer, kHot, *h));
  }
  CHECK(read_all(store, hash_of(small), 65536) == small);

  // Large: a multipart upload of 3 parts, copied into place.
  const std::string large = data_of(kPart * 2 + 123457, 2);
  const ContentHash hl = hash_of(large);
  {
    auto writer = store.create_temp(kHot, id_of(2));
    REQUIRE(writer);
    for (std::size_t at = 0; at < large.size(); at += 256 * 1024) {
      REQUIRE((*writer)->write(bytes_of(std::string_view(large).substr(at, 256 * 1024))));
    }
    auto h = (*writer)->finish();
    REQUIRE(h);
    CHECK(*h == hl);
    CHECK(keys(".tmp/").size() == 1);
    REQUIRE(store.place(**writer, kHot, *h));
    CHECK(keys(".tmp/").empty());
  }
  CHECK(read_all(store, hl, 256 * 1024) == large);
  CHECK(store.hash_content(kHot, hl, nullptr).value() == hl);
  CHECK(store.size_of(kHot, hl).value() == std::optional<std::uint64_t>(large.size()));
  // Random reads.
  {
    auto reader = store.open(kHot, hl);
    REQUIRE(reader);
    std::mt19937 random(3);
    std::string buffer(100000, '\0');
    for (int i = 0; i < 20; ++i) {
      const std::size_t offset = random() % large.size();
      auto n =
          (*reader)->read_at(offset, {reinterpret_cast<std::byte*>(buffer.data()), buffer.size()});
      REQUIRE(n);
      const std::size_t expected = std::min(buffer.size(), large.size() - offset);
      REQUIRE(*n == expected);
      REQUIRE(buffer.compare(0, *n, large, offset, *n) == 0);
    }
  }
  // Dedup of large content: no copy needed, temp gone.
  {
    auto writer = store.create_temp(kHot, id_of(3));
    REQUIRE(writer);
    REQUIRE((*writer)->write(bytes_of(large)));
    auto h = (*writer)->finish();
    REQUIRE(h);
    REQUIRE(store.place(**writer, kHot, *h));
    CHECK(keys(".tmp/").empty());
  }
  // An unplaced multipart writer aborts (or, without AbortMultipartUpload, at least fails no call).
  const ObjectId live = id_of(4);
  {
    auto writer = store.create_temp(kHot, live);
    REQUIRE(writer);
    REQUIRE((*writer)->write(bytes_of(std::string_view(large).substr(0, kPart + 1))));
    if (server.has_multipart_admin) {
      auto t = store.temp_modified_at(kHot, live);
      REQUIRE(t);
      CHECK(t->has_value());
    }
  }
  if (server.has_multipart_admin) {
    auto t = store.temp_modified_at(kHot, live);
    REQUIRE(t);
    CHECK_FALSE(t->has_value());
    auto uploads = (*lister)->list_multipart_uploads(settings.prefix);
    REQUIRE(uploads);
    CHECK(uploads->empty());
  }
  // Scan, with keys that are not content beside.
  REQUIRE((*lister)->put(settings.prefix + ".tmp/junk", bytes_of("j")));
  REQUIRE((*lister)->put(settings.prefix + "zz", bytes_of("j")));
  std::vector<ContentHash> expected{hash_of(small), hl};
  std::sort(expected.begin(), expected.end());
  std::vector<ContentHash> seen;
  std::optional<ContentHash> after;
  for (;;) {
    auto page = store.scan_page(kHot, after, 1);
    REQUIRE(page);
    seen.insert(seen.end(), page->hashes.begin(), page->hashes.end());
    if (page->end) break;
    after = page->hashes.back();
  }
  CHECK(seen == expected);
  // Old temp keys are reaped.
  CHECK(store
            .remove_temps_older_than(std::chrono::time_point_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now() + std::chrono::hours(1)))
            .value() >= 1);
  CHECK(keys(".tmp/").empty());
  // Quarantine.
  REQUIRE(store.quarantine(kHot, hash_of(small)));
  CHECK_FALSE(store.exists(kHot, hash_of(small)).value());
  CHECK(keys(".quarantine/").size() == 1);
  REQUIRE(store.remove(kHot, hl));
  CHECK_FALSE(store.exists(kHot, hl).value());
}

TEST_CASE("S3BlobStore against castor's S3 API", "[s3backend][castor][s3store]") {
  run_cases(testing::castor_s3_server());
}

TEST_CASE("S3BlobStore against s3rver", "[s3backend][s3rver][s3store]") {
  run_cases(testing::s3rver_server());
}

}  // namespace
}  // namespace castor

namespace castor {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST_CASE("S3BlobStore 48 MiB throughput against castor's S3 API", "[.bench]") {
  const auto& server = testing::castor_s3_server();
  S3BackendSettings settings = server.settings;
  settings.prefix = testing::unique_name("bench") + "/";
  settings.part_size = 16 << 20;
  settings.timeout = std::chrono::seconds(60);
  auto client = CurlS3Client::create(settings);
  REQUIRE(client);
  auto direct = CurlS3Client::create(settings);
  REQUIRE(direct);
  auto created = S3BlobStore::create(std::move(*client), settings, kHot);
  REQUIRE(created);
  S3BlobStore& store = **created;
  const std::size_t size = 48u << 20;
  const std::string content = data_of(size, 9);
  const std::size_t chunk = 256 * 1024;
  auto t = std::chrono::steady_clock::now();
  auto writer = store.create_temp(kHot, id_of(9));
  REQUIRE(writer);
  for (std::size_t at = 0; at < size; at += chunk) {
    REQUIRE((*writer)->write(bytes_of(std::string_view(content).substr(at, chunk))));
  }
  auto h = (*writer)->finish();
  INFO((h ? std::string() : h.error().message));
  REQUIRE(h);
  const double upload = seconds_since(t);
  t = std::chrono::steady_clock::now();
  REQUIRE(store.place(**writer, kHot, *h));
  const double place = seconds_since(t);
  t = std::chrono::steady_clock::now();
  {
    auto reader = store.open(kHot, *h);
    REQUIRE(reader);
    std::string buffer(chunk, '\0');
    for (std::size_t at = 0; at < size;) {
      auto n = (*reader)->read_at(at, {reinterpret_cast<std::byte*>(buffer.data()), chunk});
      REQUIRE(n);
      REQUIRE(*n > 0);
      at += *n;
    }
  }
  const double read = seconds_since(t);
  // Baseline: the same bytes straight through the client, one request after another.
  const std::string key = settings.prefix + "direct";
  t = std::chrono::steady_clock::now();
  REQUIRE((*direct)->put(key, bytes_of(content)));
  const double direct_put = seconds_since(t);
  t = std::chrono::steady_clock::now();
  {
    auto id = (*direct)->create_multipart(key + "-mp");
    REQUIRE(id);
    std::vector<S3UploadedPart> parts;
    for (std::size_t at = 0, n = 1; at < size; at += settings.part_size, ++n) {
      auto etag = (*direct)->upload_part(
          key + "-mp", *id, static_cast<int>(n),
          bytes_of(std::string_view(content).substr(at, settings.part_size)));
      REQUIRE(etag);
      parts.push_back({static_cast<int>(n), *etag});
    }
    REQUIRE((*direct)->complete_multipart(key + "-mp", *id, parts));
  }
  const double direct_mp = seconds_since(t);
  t = std::chrono::steady_clock::now();
  {
    std::string buffer(16 << 20, '\0');
    for (std::size_t at = 0; at < size; at += buffer.size()) {
      auto n =
          (*direct)->get(key, at, {reinterpret_cast<std::byte*>(buffer.data()), buffer.size()});
      REQUIRE(n);
    }
  }
  const double direct_get = seconds_since(t);
  auto mbps = [&](double s) { return 48.0 / s; };
  WARN("store upload " << mbps(upload) << " MiB/s (+ place " << place << " s), store read "
                       << mbps(read) << " MiB/s; direct PutObject " << mbps(direct_put)
                       << " MiB/s, direct multipart " << mbps(direct_mp)
                       << " MiB/s, direct ranged GETs " << mbps(direct_get) << " MiB/s");
}

}  // namespace
}  // namespace castor
