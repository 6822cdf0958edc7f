// The storage backend wiring that needs no network: the <CLASS>_STORAGE_BACKEND settings, the
// per-class routing and the fallback used while a class moves into S3.
#include <fstream>
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "fakes/fake_clock.h"
#include "fakes/memory_blob_store.h"
#include "infrastructure/class_routed_blob_store.h"
#include "infrastructure/config.h"
#include "infrastructure/fallback_blob_store.h"
#include "support/temp_dir.h"

namespace castor {
namespace {

using testing::MemoryBlobStore;

Result<Config> load(std::map<std::string, std::string> env) {
  env.emplace("DATABASE_URL", "postgresql:///x");
  return Config::load({}, [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

std::map<std::string, std::string> hot_s3() {
  return {{"HOT_STORAGE_BACKEND", "s3"},
          {"HOT_S3_ENDPOINT", "http://127.0.0.1:9000/"},
          {"HOT_S3_BUCKET", "b"},
          {"HOT_S3_ACCESS_KEY_ID", "AK"},
          {"HOT_S3_SECRET_ACCESS_KEY", "SK"}};
}

std::string error_of(const Result<Config>& c) {
  REQUIRE_FALSE(c);
  return c.error().message;
}

}  // namespace

TEST_CASE("storage backends default to fs; s3 takes its settings", "[unit]") {
  auto plain = load({});
  REQUIRE(plain);
  CHECK(plain->hot_backend == Config::Backend::kFs);
  CHECK(plain->cold_backend == Config::Backend::kFs);

  auto env = hot_s3();
  env["HOT_S3_PREFIX"] = "castor/hot/";
  env["HOT_S3_PART_SIZE"] = "8388608";
  env["HOT_REDIRECT_DOWNLOADS"] = "true";
  env["HOT_S3_PATH_STYLE"] = "false";
  auto c = load(env);
  REQUIRE(c);
  CHECK(c->hot_backend == Config::Backend::kS3);
  CHECK(c->cold_backend == Config::Backend::kFs);
  CHECK(c->hot_s3.endpoint == "http://127.0.0.1:9000");  // trailing slash dropped
  CHECK(c->hot_s3.prefix == "castor/hot/");
  CHECK(c->hot_s3.part_size == 8388608);
  CHECK(c->hot_s3.redirect_downloads);
  CHECK_FALSE(c->hot_s3.path_style);
  CHECK(c->hot_s3.region == "us-east-1");
  CHECK(c->hot_s3.redirect_ttl == std::chrono::seconds(300));
}

TEST_CASE("a bad storage backend setting stops the start, naming it", "[unit]") {
  CHECK_THAT(error_of(load({{"HOT_STORAGE_BACKEND", "ceph"}})),
             Catch::Contains("HOT_STORAGE_BACKEND"));
  for (const char* required :
       {"HOT_S3_ENDPOINT", "HOT_S3_BUCKET", "HOT_S3_ACCESS_KEY_ID", "HOT_S3_SECRET_ACCESS_KEY"}) {
    auto env = hot_s3();
    env.erase(required);
    CHECK_THAT(error_of(load(env)), Catch::Contains(required));
  }
  auto env = hot_s3();
  env["HOT_S3_ENDPOINT"] = "s3.example.com";
  CHECK_THAT(error_of(load(env)), Catch::Contains("HOT_S3_ENDPOINT"));
  env = hot_s3();
  env["HOT_S3_PREFIX"] = "no-slash";
  CHECK_THAT(error_of(load(env)), Catch::Contains("HOT_S3_PREFIX"));
  env = hot_s3();
  env["HOT_S3_PART_SIZE"] = "1048576";  // below S3's 5 MiB
  CHECK_THAT(error_of(load(env)), Catch::Contains("HOT_S3_PART_SIZE"));
  CHECK_THAT(error_of(load({{"COLD_STORAGE_FALLBACK", "fs"}})),
             Catch::Contains("COLD_STORAGE_FALLBACK"));

  // Both classes in one bucket with prefixes that overlap: one class's GC would delete the other's
  // content.
  env = hot_s3();
  for (auto [name, value] : hot_s3()) {
    env["COLD" + name.substr(3)] = value;
  }
  CHECK_THAT(error_of(load(env)), Catch::Contains("COLD_S3_PREFIX"));
  env["HOT_S3_PREFIX"] = "hot/";
  env["COLD_S3_PREFIX"] = "cold/";
  CHECK(load(env));
}

TEST_CASE("the S3 secret may come from a file", "[unit]") {
  testing::TempDir dir;
  const auto file = dir.path() / "secret";
  std::ofstream(file) << "s3cr3t\n";
  auto env = hot_s3();
  env.erase("HOT_S3_SECRET_ACCESS_KEY");
  env["HOT_S3_SECRET_ACCESS_KEY_FILE"] = file.string();
  auto c = load(env);
  REQUIRE(c);
  CHECK(c->hot_s3.secret_access_key == "s3cr3t");
  env["HOT_S3_SECRET_ACCESS_KEY"] = "both";
  CHECK_THAT(error_of(load(env)), Catch::Contains("HOT_S3_SECRET_ACCESS_KEY_FILE"));
  env.erase("HOT_S3_SECRET_ACCESS_KEY");
  env["HOT_S3_SECRET_ACCESS_KEY_FILE"] = (dir.path() / "missing").string();
  CHECK_THAT(error_of(load(env)), Catch::Contains("cannot read"));
}

TEST_CASE("each storage class goes to its own store", "[unit]") {
  testing::FakeClock clock;
  auto hot = std::make_shared<MemoryBlobStore>(clock);
  auto cold = std::make_shared<MemoryBlobStore>(clock);
  ClassRoutedBlobStore routed(hot, cold);
  const ContentHash a = hot->put_content(StorageClass::kHot, "hot content");
  const ContentHash b = cold->put_content(StorageClass::kCold, "cold content");
  CHECK(*routed.exists(StorageClass::kHot, a));
  CHECK_FALSE(*routed.exists(StorageClass::kCold, a));
  CHECK(*routed.exists(StorageClass::kCold, b));
  auto page = routed.scan_page(StorageClass::kCold, std::nullopt, 10);
  REQUIRE(page);
  CHECK(page->hashes == std::vector<ContentHash>{b});
  CHECK(page->end);
  REQUIRE(routed.remove(StorageClass::kCold, b));
  CHECK_FALSE(cold->has_content(StorageClass::kCold, b));
  CHECK(hot->has_content(StorageClass::kHot, a));
  CHECK_FALSE(routed.is_remote(StorageClass::kHot));
}

TEST_CASE("the fallback store reads what the primary lacks and removes from both", "[unit]") {
  testing::FakeClock clock;
  auto primary = std::make_shared<MemoryBlobStore>(clock);
  auto old = std::make_shared<MemoryBlobStore>(clock);
  FallbackBlobStore store(primary, old);
  const ContentHash moved = old->put_content(StorageClass::kHot, "copied already");
  primary->put_content(StorageClass::kHot, "copied already");
  const ContentHash left = old->put_content(StorageClass::kHot, "not yet copied");

  CHECK(*store.exists(StorageClass::kHot, left));
  auto reader = store.open(StorageClass::kHot, left);
  REQUIRE(reader);
  CHECK((*reader)->size() == 14);
  CHECK(**store.size_of(StorageClass::kHot, left) == 14);
  CHECK(*store.hash_content(StorageClass::kHot, left, {}) == left);
  // Nothing redirects to the primary for content only the fallback has.
  CHECK_FALSE(*store.download_url(StorageClass::kHot, left, {}));

  // New content goes to the primary only.
  auto writer = store.create_temp(StorageClass::kHot, ObjectId::from_random({}));
  REQUIRE(writer);
  const std::string bytes = "new content";
  REQUIRE((*writer)->write(std::as_bytes(std::span(bytes.data(), bytes.size()))));
  auto hash = (*writer)->finish();
  REQUIRE(hash);
  REQUIRE(store.place(**writer, StorageClass::kHot, *hash));
  CHECK(primary->has_content(StorageClass::kHot, *hash));
  CHECK_FALSE(old->has_content(StorageClass::kHot, *hash));

  // Removal: from both.
  REQUIRE(store.remove(StorageClass::kHot, moved));
  CHECK_FALSE(primary->has_content(StorageClass::kHot, moved));
  CHECK_FALSE(old->has_content(StorageClass::kHot, moved));
  CHECK(store.open(StorageClass::kHot, moved).error().code == ErrorCode::kNotFound);
}

}  // namespace castor
