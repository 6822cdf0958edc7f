// Use cases of the blob and bundle API on the in-memory fakes: storing with possession, reading,
// preflight, bundles and their references, and how the collector and fsck treat them.
#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "application/blobs/preflight_blobs.h"
#include "application/blobs/read_blob.h"
#include "application/blobs/store_blob.h"
#include "application/bundles/create_bundle.h"
#include "application/bundles/delete_bundle.h"
#include "application/bundles/download_bundle.h"
#include "application/bundles/read_bundles.h"
#include "application/check_integrity.h"
#include "application/collect_garbage.h"
#include "application/delete_object.h"
#include "fakes/fake_store.h"
#include "infrastructure/openssl_sha256.h"

namespace castor {
namespace {

using std::chrono::seconds;
using testing::sha256_of;

constexpr StorageClass kHot = StorageClass::kHot;
constexpr seconds kGrace{600};
const TenantId kA = *TenantId::parse("tenant-a");
const TenantId kB = *TenantId::parse("tenant-b");
const Namespace kNs = *Namespace::parse("ns");

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

// An archiver that records what it was asked and concatenates "path\n" + content per entry.
class RecordingArchiver final : public Archiver {
 public:
  std::vector<ArchiveEntry> entries;
  ArchiveFormat format = ArchiveFormat::kTar;

  Result<std::unique_ptr<ArchiveStream>> open(ArchiveFormat f, std::vector<ArchiveEntry> es,
                                              ContentOpener opener) override {
    format = f;
    entries = es;
    std::string out;
    for (const ArchiveEntry& e : es) {
      auto reader = opener(e);
      if (!reader) {
        return std::move(reader).error();
      }
      std::string content(e.size_bytes, '\0');
      auto n =
          (*reader)->read_at(0, std::as_writable_bytes(std::span(content.data(), content.size())));
      REQUIRE(n);
      out += e.path + "\n" + content.substr(0, *n);
    }
    return std::unique_ptr<ArchiveStream>(new Bytes(std::move(out)));
  }

 private:
  struct Bytes final : ArchiveStream {
    explicit Bytes(std::string d) : data(std::move(d)) {}
    Result<std::size_t> read(std::span<std::byte> buf) override {
      const std::size_t n = std::min(buf.size(), data.size() - at);
      std::memcpy(buf.data(), data.data() + at, n);
      at += n;
      return n;
    }
    std::string data;
    std::size_t at = 0;
  };
};

struct World : testing::FakeStore {
  StoreBlob store{metadata, blobs, clock, ids, 1 << 20, kGrace};
  ReadBlob read{metadata, blobs};
  PreflightBlobs preflight{metadata};
  CreateBundle create{metadata, blobs, clock, ids, openssl_sha256};
  ReadBundles bundles{metadata};
  DeleteBundle remove{metadata};
  RecordingArchiver archiver;
  DownloadBundle download{metadata, blobs, archiver};
  CollectGarbage gc{metadata, blobs, clock, seconds(3600)};
  CheckIntegrity fsck{metadata, blobs};

  Result<StoreBlob::Stored> put_blob(const TenantId& tenant, std::string_view content,
                                     std::optional<ContentHash> named = std::nullopt,
                                     std::optional<std::uint64_t> size = std::nullopt) {
    auto up = store.begin({.tenant = tenant,
                           .storage_class = kHot,
                           .hash = named.value_or(sha256_of(content)),
                           .size_bytes = size},
                          content.size());
    if (!up) {
      return std::move(up).error();
    }
    if (auto w = (*up)->write(bytes_of(content)); !w) {
      store.abort(**up);
      return std::move(w).error();
    }
    return store.commit(**up);
  }

  BundleFile file(std::string path, std::string_view content, std::uint32_t mode = 0644) {
    return {std::move(path), sha256_of(content), content.size(), mode};
  }

  Result<CreateBundle::Outcome> bundle(const TenantId& tenant, std::vector<BundleFile> files) {
    return create.create({.tenant = tenant,
                          .storage_class = kHot,
                          .files = std::move(files),
                          .merkle_root = std::nullopt,
                          .metadata = {}});
  }

  std::uint64_t ref_count(std::string_view content) {
    auto b = metadata.blob(kHot, sha256_of(content));
    REQUIRE(b);
    return b->ref_count();
  }
  bool stored(std::string_view content) {
    return metadata.blob(kHot, sha256_of(content)).has_value() &&
           *blobs.exists(kHot, sha256_of(content));
  }
};

}  // namespace

TEST_CASE("StoreBlob stores once, grants the tenant, keeps the blob for the grace period",
          "[unit]") {
  World w;
  auto first = w.put_blob(kA, "weights");
  REQUIRE(first);
  CHECK(first->granted);
  CHECK(first->blob.ref_count() == 0);
  CHECK(first->blob.size_bytes() == 7);
  CHECK(w.metadata.granted(kA, kHot, sha256_of("weights")));
  CHECK(w.metadata.retain_until(kHot, sha256_of("weights")) == w.clock.now() + kGrace);

  w.clock.advance(seconds(10));
  auto again = w.put_blob(kA, "weights");
  REQUIRE(again);
  CHECK_FALSE(again->granted);  // 200: held already
  CHECK(w.metadata.retain_until(kHot, sha256_of("weights")) == w.clock.now() + kGrace);

  auto other = w.put_blob(kB, "weights");  // stored by A, but B proves it holds it too
  REQUIRE(other);
  CHECK(other->granted);
  CHECK(w.metadata.blobs().size() == 1);
  CHECK(w.blobs.temp_count() == 0);
}

TEST_CASE("StoreBlob refuses a body that is not what the request named", "[unit]") {
  World w;
  auto wrong = w.put_blob(kA, "actual", sha256_of("claimed"));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().reason == "content_hash_mismatch");
  auto shorter = w.put_blob(kA, "abc", std::nullopt, 4);
  REQUIRE_FALSE(shorter);
  CHECK(shorter.error().reason == "size_mismatch");
  auto longer = w.put_blob(kA, "abcde", std::nullopt, 4);
  REQUIRE_FALSE(longer);
  CHECK(longer.error().reason == "size_mismatch");
  auto big =
      w.store.begin({.tenant = kA, .storage_class = kHot, .hash = sha256_of("x"), .size_bytes = {}},
                    (1 << 20) + 1);
  REQUIRE_FALSE(big);
  CHECK(big.error().code == ErrorCode::kOutOfRange);
  CHECK(w.metadata.blobs().empty());
  CHECK(w.blobs.temp_count() == 0);
}

TEST_CASE("possession: a tenant sees only content it stored itself or holds through an object",
          "[unit]") {
  World w;
  REQUIRE(w.put_blob(kA, "secret"));
  const ContentHash h = sha256_of("secret");

  auto mine = w.read.open(kA, kHot, h, true);
  REQUIRE(mine);
  CHECK(mine->blob.size_bytes() == 6);
  auto theirs = w.read.open(kB, kHot, h, true);
  REQUIRE_FALSE(theirs);
  CHECK(theirs.error().code == ErrorCode::kNotFound);
  CHECK(w.read.open(kA, StorageClass::kCold, h, false).error().code == ErrorCode::kNotFound);

  CHECK(*w.store.held(kA, kHot, h));
  CHECK_FALSE(*w.store.held(kB, kHot, h));

  auto missing = w.preflight.missing(kB, kHot, {h, sha256_of("other"), h});
  REQUIRE(missing);
  CHECK(*missing == std::vector<ContentHash>{h, sha256_of("other")});
  missing = w.preflight.missing(kA, kHot, {sha256_of("z"), h, sha256_of("y"), sha256_of("z")});
  REQUIRE(missing);
  CHECK(*missing == std::vector<ContentHash>{sha256_of("z"), sha256_of("y")});
  CHECK_FALSE(w.preflight.missing(kA, kHot, {}));
  CHECK_FALSE(
      w.preflight.missing(kA, kHot, std::vector<ContentHash>(PreflightBlobs::kMaxHashes + 1, h)));

  // An object upload grants possession too.
  w.put(kNs, kB, "k", "object content");
  CHECK(w.read.open(kB, kHot, sha256_of("object content"), false));
  CHECK(w.read.open(kA, kHot, sha256_of("object content"), false).error().code ==
        ErrorCode::kNotFound);
}

TEST_CASE("held() reports content whose file vanished as not held, so the body is sent", "[unit]") {
  World w;
  REQUIRE(w.put_blob(kA, "data"));
  REQUIRE(w.blobs.remove(kHot, sha256_of("data")));
  CHECK_FALSE(*w.store.held(kA, kHot, sha256_of("data")));
  auto again = w.put_blob(kA, "data");  // puts the file back
  REQUIRE(again);
  CHECK(*w.store.held(kA, kHot, sha256_of("data")));
}

TEST_CASE("CreateBundle references every file's blob; DeleteBundle drops the references",
          "[unit]") {
  World w;
  REQUIRE(w.put_blob(kA, "one"));
  REQUIRE(w.put_blob(kA, "two"));
  auto out = w.bundle(
      kA, {w.file("b/2.txt", "two"), w.file("a/1.txt", "one", 0755), w.file("a/copy.txt", "one")});
  REQUIRE(out);
  REQUIRE(out->created);
  CHECK(out->missing.empty());
  const BundleSummary& s = *out->created;
  CHECK(s.file_count == 3);
  CHECK(s.total_bytes == 9);
  CHECK(s.merkle_root == bundle_merkle_root({w.file("b/2.txt", "two"), w.file("a/1.txt", "one"),
                                             w.file("a/copy.txt", "one")},
                                            openssl_sha256));
  CHECK(w.ref_count("one") == 2);
  CHECK(w.ref_count("two") == 1);

  auto got = w.bundles.get(kA, s.id);
  REQUIRE(got);
  REQUIRE(got->files.size() == 3);
  CHECK(got->files[0].path == "a/1.txt");
  CHECK(got->files[0].mode == 0755);
  CHECK(w.bundles.get(kB, s.id).error().code == ErrorCode::kNotFound);
  CHECK(w.remove.remove(kB, s.id).error().code == ErrorCode::kNotFound);

  auto report = w.fsck.run(false, {});
  REQUIRE(report);
  CHECK(report->refcount_mismatch == 0);
  CHECK(report->unresolved() == 0);

  REQUIRE(w.remove.remove(kA, s.id));
  CHECK(w.ref_count("one") == 0);
  CHECK(w.ref_count("two") == 0);
  CHECK(w.remove.remove(kA, s.id).error().code == ErrorCode::kNotFound);
  CHECK(w.fsck.run(false, {})->unresolved() == 0);
}

TEST_CASE("CreateBundle refuses contents the tenant does not possess, naming them", "[unit]") {
  World w;
  REQUIRE(w.put_blob(kA, "a's"));
  REQUIRE(w.put_blob(kB, "b's"));
  auto out = w.bundle(kB, {w.file("x", "a's"), w.file("y", "b's"), w.file("z", "nobody's")});
  REQUIRE(out);
  CHECK_FALSE(out->created);
  std::vector<ContentHash> expected{sha256_of("a's"), sha256_of("nobody's")};
  std::sort(expected.begin(), expected.end());
  CHECK(out->missing == expected);
  CHECK(w.ref_count("b's") == 0);  // rolled back
  CHECK(w.metadata.bundles().empty());
}

TEST_CASE("CreateBundle checks sizes, the Merkle root and the paths", "[unit]") {
  World w;
  REQUIRE(w.put_blob(kA, "content"));
  BundleFile wrong = w.file("f", "content");
  wrong.size_bytes = 8;
  auto size = w.bundle(kA, {wrong});
  REQUIRE_FALSE(size);
  CHECK(size.error().code == ErrorCode::kInvalidArgument);
  CHECK(size.error().message.find("'f'") != std::string::npos);

  auto root = w.create.create({.tenant = kA,
                               .storage_class = kHot,
                               .files = {w.file("f", "content")},
                               .merkle_root = std::string(64, '0'),
                               .metadata = {}});
  REQUIRE_FALSE(root);
  CHECK(root.error().reason == "merkle_root_mismatch");
  auto good_root =
      w.create.create({.tenant = kA,
                       .storage_class = kHot,
                       .files = {w.file("f", "content")},
                       .merkle_root = bundle_merkle_root({w.file("f", "content")}, openssl_sha256),
                       .metadata = R"({"k":1})"});
  REQUIRE(good_root);
  REQUIRE(good_root->created);
  CHECK(w.bundles.get(kA, good_root->created->id)->metadata == R"({"k":1})");

  auto dup = w.bundle(kA, {w.file("f", "content"), w.file("f", "content")});
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == ErrorCode::kInvalidArgument);
  CHECK(w.ref_count("content") == 1);
}

TEST_CASE("CreateBundle treats a possessed blob whose file is gone as missing", "[unit]") {
  World w;
  REQUIRE(w.put_blob(kA, "lost"));
  REQUIRE(w.blobs.remove(kHot, sha256_of("lost")));  // a collection rolled back after the file
  auto out = w.bundle(kA, {w.file("f", "lost")});
  REQUIRE(out);
  CHECK_FALSE(out->created);
  CHECK(out->missing == std::vector<ContentHash>{sha256_of("lost")});
  CHECK(w.ref_count("lost") == 0);
}

TEST_CASE("the collector keeps blobs in their grace period and while bundled", "[unit]") {
  World w;
  REQUIRE(w.put_blob(kA, "kept"));
  REQUIRE(w.put_blob(kA, "loose"));
  auto gc = w.gc.run_once();
  REQUIRE(gc);
  CHECK(gc->deleted_blobs == 0);  // within the grace period
  CHECK(w.stored("loose"));

  auto out = w.bundle(kA, {w.file("k", "kept")});
  REQUIRE(out);
  REQUIRE(out->created);
  w.clock.advance(kGrace + seconds(1));
  gc = w.gc.run_once();
  REQUIRE(gc);
  CHECK(gc->deleted_blobs == 1);  // "loose": past its grace, referenced by nothing
  CHECK_FALSE(w.stored("loose"));
  CHECK_FALSE(w.metadata.granted(kA, kHot, sha256_of("loose")));  // the grant went with it
  CHECK(w.stored("kept"));

  REQUIRE(w.remove.remove(kA, out->created->id));
  gc = w.gc.run_once();
  REQUIRE(gc);
  CHECK(gc->deleted_blobs == 1);
  CHECK_FALSE(w.stored("kept"));
  CHECK(w.preflight.missing(kA, kHot, {sha256_of("kept")})->size() == 1);
  // Bundling it now finds it gone.
  auto late = w.bundle(kA, {w.file("k", "kept")});
  REQUIRE(late);
  CHECK_FALSE(late->created);
}

TEST_CASE("re-storing a blob extends its grace period", "[unit]") {
  World w;
  REQUIRE(w.put_blob(kA, "again"));
  w.clock.advance(kGrace - seconds(1));
  REQUIRE(w.put_blob(kA, "again"));
  w.clock.advance(seconds(2));
  REQUIRE(w.gc.run_once());
  CHECK(w.stored("again"));
  w.clock.advance(kGrace);
  REQUIRE(w.gc.run_once());
  CHECK_FALSE(w.stored("again"));
}

TEST_CASE("object content without grace is collected at once; its grant goes with it", "[unit]") {
  World w;
  DeleteObject deletes{w.metadata, w.clock};
  Object o = w.put(kNs, kA, "k", "object");
  CHECK(w.metadata.granted(kA, kHot, sha256_of("object")));
  REQUIRE(deletes.by_id(kA, o.id()));
  REQUIRE(w.gc.run_once());
  CHECK_FALSE(w.stored("object"));
  CHECK_FALSE(w.metadata.granted(kA, kHot, sha256_of("object")));
}

TEST_CASE("ReadBundles pages newest first", "[unit]") {
  World w;
  REQUIRE(w.put_blob(kA, "c"));
  std::vector<BundleId> ids;
  for (int i = 0; i < 5; ++i) {
    w.clock.advance(seconds(1));
    auto out = w.bundle(kA, {w.file("f", "c")});
    REQUIRE(out);
    REQUIRE(out->created);
    ids.push_back(out->created->id);
  }
  std::vector<BundleId> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    auto page = w.bundles.list(kA, 2, cursor);
    REQUIRE(page);
    for (const BundleSummary& s : page->bundles) {
      seen.push_back(s.id);
    }
    cursor = page->next_cursor;
    ++pages;
  } while (cursor);
  std::reverse(ids.begin(), ids.end());
  CHECK(seen == ids);
  CHECK(pages == 3);
  CHECK(w.bundles.list(kB, 10, std::nullopt)->bundles.empty());
  CHECK_FALSE(w.bundles.list(kA, 0, std::nullopt));
  CHECK_FALSE(w.bundles.list(kA, 10, std::string("garbage")));
}

TEST_CASE("DownloadBundle hands the archiver the files in path order with their content",
          "[unit]") {
  World w;
  REQUIRE(w.put_blob(kA, "AAA"));
  REQUIRE(w.put_blob(kA, "BB"));
  auto out = w.bundle(kA, {w.file("z/b", "BB", 0600), w.file("a", "AAA", 0755)});
  REQUIRE(out);
  REQUIRE(out->created);
  auto d = w.download.open(kA, out->created->id, ArchiveFormat::kZip);
  REQUIRE(d);
  CHECK(w.archiver.format == ArchiveFormat::kZip);
  REQUIRE(w.archiver.entries.size() == 2);
  CHECK(w.archiver.entries[0].path == "a");
  CHECK(w.archiver.entries[0].mode == 0755);
  CHECK(w.archiver.entries[1].path == "z/b");
  CHECK(w.archiver.entries[1].modified_at == out->created->created_at);
  std::string bytes(64, '\0');
  auto n = d->archive->read(std::as_writable_bytes(std::span(bytes.data(), bytes.size())));
  REQUIRE(n);
  CHECK(bytes.substr(0, *n) == "a\nAAAz/b\nBB");
  CHECK(w.download.open(kB, out->created->id, ArchiveFormat::kZip).error().code ==
        ErrorCode::kNotFound);
}

}  // namespace castor
