#include "infrastructure/fs_blob_store.h"

#include <sys/stat.h>
#include <utime.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "support/temp_dir.h"

namespace castor::testing {
namespace {

namespace fs = std::filesystem;

// SHA-256 of "hello\n".
const char* kHelloHash = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

ObjectId id_of(std::uint8_t n) {
  ObjectId::Bytes bytes{};
  bytes[0] = n;
  return ObjectId::from_random(bytes);
}

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

std::unique_ptr<FsBlobStore> make_store(const TempDir& dir) {
  auto store = FsBlobStore::create(dir.path() / "hot", dir.path() / "cold");
  REQUIRE(store);
  return std::move(*store);
}

std::unique_ptr<BlobWriter> write_temp(FsBlobStore& store, std::uint8_t id, std::string_view text) {
  auto w = store.create_temp(StorageClass::kHot, id_of(id));
  REQUIRE(w);
  REQUIRE((*w)->write(bytes_of(text)));
  return std::move(*w);
}

std::string read_all(BlobReader& r) {
  std::string out(r.size(), '\0');
  auto n = r.read_at(0, std::as_writable_bytes(std::span<char>(out.data(), out.size())));
  REQUIRE(n);
  out.resize(*n);
  return out;
}

}  // namespace

TEST_CASE("a temp file is hashed, fsynced and renamed into its shard", "[fs]") {
  TempDir dir;
  auto store = make_store(dir);
  auto w = write_temp(*store, 1, "hello\n");
  CHECK(fs::exists(store->temp_path(StorageClass::kHot, id_of(1))));
  auto hash = w->finish();
  REQUIRE(hash);
  CHECK(hash->hex() == kHelloHash);
  CHECK(w->size() == 6);
  REQUIRE(store->place(*w, StorageClass::kHot, *hash));
  const fs::path final_path = dir.path() / "hot" / "58" / "91" / kHelloHash;
  CHECK(store->content_path(StorageClass::kHot, *hash) == final_path);
  CHECK(fs::exists(final_path));
  CHECK_FALSE(fs::exists(store->temp_path(StorageClass::kHot, id_of(1))));
  w.reset();  // a placed writer must not remove anything
  CHECK(fs::exists(final_path));

  auto r = store->open(StorageClass::kHot, *hash);
  REQUIRE(r);
  CHECK((*r)->size() == 6);
  CHECK(read_all(**r) == "hello\n");
  CHECK(*store->exists(StorageClass::kHot, *hash));
  CHECK_FALSE(*store->exists(StorageClass::kCold, *hash));
}

TEST_CASE("placing content that is already stored discards the temp file", "[fs]") {
  TempDir dir;
  auto store = make_store(dir);
  auto first = write_temp(*store, 1, "hello\n");
  auto hash = first->finish();
  REQUIRE(store->place(*first, StorageClass::kHot, *hash));
  auto second = write_temp(*store, 2, "hello\n");
  REQUIRE(second->finish());
  REQUIRE(store->place(*second, StorageClass::kHot, *hash));
  CHECK_FALSE(fs::exists(store->temp_path(StorageClass::kHot, id_of(2))));
  // Placing again (a retried transaction) is harmless.
  REQUIRE(store->place(*second, StorageClass::kHot, *hash));
  CHECK(fs::exists(store->content_path(StorageClass::kHot, *hash)));
}

TEST_CASE("an abandoned writer removes its temp file", "[fs]") {
  TempDir dir;
  auto store = make_store(dir);
  { auto w = write_temp(*store, 1, "partial"); }
  CHECK_FALSE(fs::exists(store->temp_path(StorageClass::kHot, id_of(1))));
}

TEST_CASE("a missing content file is NotFound; removing it twice is fine", "[fs]") {
  TempDir dir;
  auto store = make_store(dir);
  auto hash = *ContentHash::parse(kHelloHash);
  auto r = store->open(StorageClass::kHot, hash);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kNotFound);
  CHECK(store->remove(StorageClass::kHot, hash));
  CHECK(store->remove_temp(StorageClass::kHot, id_of(9)));
}

TEST_CASE("scan lists content files by shard and ignores everything else", "[fs]") {
  TempDir dir;
  auto store = make_store(dir);
  auto w = write_temp(*store, 1, "hello\n");
  auto hash = w->finish();
  REQUIRE(store->place(*w, StorageClass::kHot, *hash));
  // Junk: a file in the wrong shard, a short name, a stray directory.
  fs::create_directories(dir.path() / "hot" / "00" / "00");
  std::ofstream(dir.path() / "hot" / "00" / "00" / kHelloHash) << "x";
  std::ofstream(dir.path() / "hot" / "58" / "91" / "notes.txt") << "x";
  fs::create_directories(dir.path() / "hot" / "zz");
  std::vector<ContentHash> seen;
  REQUIRE(store->scan(StorageClass::kHot, [&](const std::vector<ContentHash>& batch) -> Status {
    seen.insert(seen.end(), batch.begin(), batch.end());
    return {};
  }));
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == *hash);
  REQUIRE(store->scan(StorageClass::kCold, [&](const std::vector<ContentHash>&) -> Status {
    FAIL("cold is empty");
    return {};
  }));
}

TEST_CASE("stale temp files are removed, fresh ones kept", "[fs]") {
  TempDir dir;
  auto store = make_store(dir);
  auto fresh = write_temp(*store, 1, "fresh");
  auto stale = write_temp(*store, 2, "stale");
  const fs::path stale_path = store->temp_path(StorageClass::kHot, id_of(2));
  struct utimbuf old_times {
    1000, 1000
  };
  REQUIRE(::utime(stale_path.c_str(), &old_times) == 0);
  auto removed = store->remove_temps_older_than(Timestamp{} + std::chrono::seconds(2000));
  REQUIRE(removed);
  CHECK(*removed == 1);
  CHECK_FALSE(fs::exists(stale_path));
  CHECK(fs::exists(store->temp_path(StorageClass::kHot, id_of(1))));
}

TEST_CASE("unwritable storage roots are reported, not crashed on", "[fs]") {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  auto store = FsBlobStore::create(dir.path() / "file" / "hot", dir.path() / "cold");
  REQUIRE_FALSE(store);
  CHECK(store.error().code == ErrorCode::kInternal);
}

TEST_CASE("a stored copy of the wrong size is replaced by the next upload of that content",
          "[fs]") {
  TempDir dir;
  auto store = make_store(dir);
  auto first = write_temp(*store, 1, "hello\n");
  auto hash = first->finish();
  REQUIRE(store->place(*first, StorageClass::kHot, *hash));
  const fs::path path = store->content_path(StorageClass::kHot, *hash);
  fs::resize_file(path, 3);  // truncated: the dedup hit must not trust it
  auto second = write_temp(*store, 2, "hello\n");
  REQUIRE(second->finish());
  REQUIRE(store->place(*second, StorageClass::kHot, *hash));
  auto r = store->open(StorageClass::kHot, *hash);
  REQUIRE(r);
  CHECK(read_all(**r) == "hello\n");
  CHECK_FALSE(fs::exists(store->temp_path(StorageClass::kHot, id_of(2))));
}

TEST_CASE("content files and directories get the configured modes, whatever the umask", "[fs]") {
  TempDir dir;
  const mode_t old_umask = ::umask(0);  // would leave 0666/0777 bits through
  auto check_modes = [&](const fs::path& root, FsBlobStore::Modes modes) {
    auto store = FsBlobStore::create(root / "hot", root / "cold", modes);
    REQUIRE(store);
    auto w = (*store)->create_temp(StorageClass::kHot, id_of(1));
    REQUIRE(w);
    REQUIRE((*w)->write(bytes_of("hello\n")));
    auto hash = (*w)->finish();
    REQUIRE(hash);
    REQUIRE((*store)->place(**w, StorageClass::kHot, *hash));
    auto mode_of = [](const fs::path& p) {
      struct stat st {};
      REQUIRE(::stat(p.c_str(), &st) == 0);
      return st.st_mode & 07777;
    };
    const fs::path file = (*store)->content_path(StorageClass::kHot, *hash);
    CHECK(mode_of(file) == modes.file);
    CHECK(mode_of(file.parent_path()) == modes.dir);
    CHECK(mode_of(file.parent_path().parent_path()) == modes.dir);
    CHECK(mode_of(root / "hot" / ".tmp") == modes.dir);
  };
  check_modes(dir.path() / "default", {});
  check_modes(dir.path() / "custom", {.file = 0600, .dir = 0700});
  ::umask(old_umask);
}

TEST_CASE("storage errors do not name paths", "[fs]") {
  TempDir dir;
  auto store = make_store(dir);
  auto w = write_temp(*store, 1, "hello\n");
  auto hash = w->finish();
  REQUIRE(hash);
  // The shard directory is taken by a file: placing fails.
  std::ofstream(dir.path() / "hot" / "58") << "x";
  auto placed = store->place(*w, StorageClass::kHot, *hash);
  REQUIRE_FALSE(placed);
  CHECK(placed.error().code == ErrorCode::kInternal);
  CHECK(placed.error().message.find(dir.path().string()) == std::string::npos);
  CHECK(placed.error().message.find("58") == std::string::npos);
  CHECK(placed.error().message.starts_with("storage error: "));
}

TEST_CASE("re-hashing reads the content; quarantine moves it out of the way", "[fs]") {
  TempDir dir;
  auto store = make_store(dir);
  auto w = write_temp(*store, 1, "hello\n");
  auto hash = w->finish();
  REQUIRE(store->place(*w, StorageClass::kHot, *hash));
  std::uint64_t paced = 0;
  auto rehash = store->hash_content(StorageClass::kHot, *hash, [&](std::uint64_t n) {
    paced += n;
    return true;
  });
  REQUIRE(rehash);
  CHECK(*rehash == *hash);
  CHECK(paced == 6);
  CHECK(*store->size_of(StorageClass::kHot, *hash) == std::optional<std::uint64_t>(6));

  const fs::path path = store->content_path(StorageClass::kHot, *hash);
  { std::fstream(path, std::ios::in | std::ios::out | std::ios::binary).put('j'); }
  auto flipped = store->hash_content(StorageClass::kHot, *hash, {});
  REQUIRE(flipped);
  CHECK(*flipped != *hash);
  auto stopped =
      store->hash_content(StorageClass::kHot, *hash, [](std::uint64_t) { return false; });
  REQUIRE_FALSE(stopped);
  CHECK(stopped.error().code == ErrorCode::kAborted);

  REQUIRE(store->quarantine(StorageClass::kHot, *hash));
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(*store->size_of(StorageClass::kHot, *hash));
  int quarantined = 0;
  for (const auto& entry : fs::directory_iterator(dir.path() / "hot" / ".quarantine")) {
    quarantined += entry.path().filename().string().starts_with(kHelloHash) ? 1 : 0;
  }
  CHECK(quarantined == 1);
  CHECK(store->quarantine(StorageClass::kHot, *hash));  // nothing left: fine
  auto gone = store->hash_content(StorageClass::kHot, *hash, {});
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == ErrorCode::kNotFound);
}

}  // namespace castor::testing
