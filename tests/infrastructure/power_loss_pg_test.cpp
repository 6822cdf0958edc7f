// Issue 11's power-loss model, in process: uploads through the real use case, a real PostgreSQL
// (whose committed transactions are durable: fsync=on in production; this model takes commits as
// durable and every open transaction as lost) and a real storage root behind PowerLossBlobStore,
// which drops what the page cache would lose. After the "power loss", everything is reopened
// (new connection pool, new FsBlobStore on the same root) and:
// - every upload that was acknowledged (UploadObject::commit() returned the object), small
//   (inline-sized) and large, reads back with its exact bytes;
// - uploads in flight at the cut, and one refused at commit, leave no visible object, and the
//   collector and fsck leave the storage consistent with the metadata.
// A control run with a disk whose fsync lies shows that the model catches acknowledged content
// that was not durable.

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "application/check_integrity.h"
#include "application/collect_garbage.h"
#include "application/download_object.h"
#include "application/upload_object.h"
#include "infrastructure/checksummers.h"
#include "infrastructure/fs_blob_store.h"
#include "infrastructure/pg_metadata_store.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "power_loss_blob_store.h"
#include "support/random_data.h"
#include "support/sha256.h"
#include "support/temp_dir.h"

namespace castor::testing {
namespace {

constexpr std::uint64_t kMaxObjectSize = 8 * 1024 * 1024;
constexpr std::uint64_t kInlineMaxBytes = 65536;

// The sizes of acknowledged uploads: empty, tiny, at and around the default inline limit
// (65536), and large.
const std::vector<std::size_t> kSizes = {0, 1, 100, 4096, 65535, 65536, 65537, 300000, 2 << 20};

struct Acknowledged {
  ObjectId id;
  std::string key;
  std::string content;
};

UploadObject::Request request(const std::string& key) {
  return {*Namespace::parse("power"),
          *TenantId::parse("t"),
          *ObjectKey::parse(key),
          StorageClass::kHot,
          "",
          std::nullopt};
}

std::span<const std::byte> bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

// Reads the whole content of object `id` as the server would serve it; nullopt (with the reason
// in `error`) if it cannot be found or read.
std::optional<std::string> read_object(DownloadObject& download, const ObjectId& id,
                                       std::string& error) {
  auto found = download.by_id(*TenantId::parse("t"), id, /*want_content=*/true);
  if (!found) {
    error = found.error().message;
    return std::nullopt;
  }
  std::string content(found->content->size(), '\0');
  std::uint64_t offset = 0;
  while (offset < content.size()) {
    auto n = found->content->read_at(
        offset,
        std::as_writable_bytes(std::span(content.data() + offset, content.size() - offset)));
    if (!n) {
      error = n.error().message;
      return std::nullopt;
    }
    if (*n == 0) {
      error = "short read at " + std::to_string(offset);
      return std::nullopt;
    }
    offset += *n;
  }
  if (found->object.size_bytes() != content.size()) {
    error = "object size " + std::to_string(found->object.size_bytes()) + ", content " +
            std::to_string(content.size());
    return std::nullopt;
  }
  return content;
}

// What one "process lifetime" before the cut did.
struct BeforeTheCut {
  std::vector<Acknowledged> acknowledged;
  std::vector<std::string> unacknowledged_keys;
};

// Uploads every size of kSizes (one content twice, for dedup), starts three uploads that are in
// flight at the cut (nothing written, half written, all written but not committed) and one that
// commit() refuses; then cuts the power.
BeforeTheCut run_until_power_loss(const std::string& url, PowerLossBlobStore& blobs) {
  BeforeTheCut before;
  PgMetadataStore metadata(url, 2);
  SystemClock clock;
  RandomIdGenerator ids;
  const Checksummers checksummers;
  // The small-object path on, at the default limit: content up to 65536 bytes is committed in its
  // blob row, larger content goes through PowerLossBlobStore's files.
  UploadObject upload(metadata, blobs, clock, ids, kMaxObjectSize, nullptr,
                      {.max_bytes = kInlineMaxBytes, .sha256 = &checksummers});

  const auto put = [&](const std::string& key, const std::string& content) {
    auto up = upload.begin(request(key), content.size());
    REQUIRE(up);
    REQUIRE((*up)->write(bytes(content)));
    auto committed = upload.commit(**up);
    INFO("upload " << key << ": " << (committed ? "" : committed.error().message));
    REQUIRE(committed);
    CHECK(committed->size_bytes() == content.size());
    before.acknowledged.push_back({committed->id(), key, content});
  };
  for (const std::size_t size : kSizes) {
    put("ack/" + std::to_string(size), random_bytes(size));
  }
  put("ack/again-4096", before.acknowledged[3].content);  // the same bytes: dedup
  put("ack/again-2MiB", before.acknowledged.back().content);

  // Refused at commit (wrong X-Content-SHA256): never acknowledged.
  {
    const std::string content = random_bytes(1000);
    UploadObject::Request refused = request("unack/refused");
    refused.expected_hash = *ContentHash::parse(std::string(64, 'a'));
    auto up = upload.begin(std::move(refused), content.size());
    REQUIRE(up);
    REQUIRE((*up)->write(bytes(content)));
    REQUIRE_FALSE(upload.commit(**up));
    before.unacknowledged_keys.push_back("unack/refused");
  }
  // In flight at the cut.
  std::vector<std::unique_ptr<UploadObject::Upload>> in_flight;
  for (const auto& [key, size, written] :
       {std::tuple<std::string, std::size_t, std::size_t>{"unack/nothing", 5000, 0},
        {"unack/half-small", 5000, 2500},
        {"unack/half-large", 1 << 20, 1 << 19},
        {"unack/all-large", 1 << 20, 1 << 20}}) {
    auto up = upload.begin(request(key), size);
    REQUIRE(up);
    REQUIRE((*up)->write(bytes(random_bytes(written))));
    in_flight.push_back(std::move(*up));
    before.unacknowledged_keys.push_back(key);
  }
  blobs.power_loss();
  // The process is gone: its uploads are neither committed nor aborted (their WRITING rows stay
  // for the collector; destroying the writers removes nothing that the cut did not).
  in_flight.clear();
  return before;
}

// Reopens everything and returns, for each acknowledged upload, a description of what is wrong
// with it (empty: it reads back exactly).
std::vector<std::string> lost_after_reopening(const std::string& url, const TempDir& root,
                                              const BeforeTheCut& before) {
  std::vector<std::string> lost;
  PgMetadataStore metadata(url, 2);
  auto store = FsBlobStore::create(root.path() / "hot", root.path() / "cold");
  REQUIRE(store);
  DownloadObject download(metadata, **store);
  for (const Acknowledged& ack : before.acknowledged) {
    std::string error;
    const auto content = read_object(download, ack.id, error);
    if (!content) {
      lost.push_back(ack.key + " (" + std::to_string(ack.content.size()) + " bytes): " + error);
    } else if (sha256_hex(*content) != sha256_hex(ack.content)) {
      lost.push_back(ack.key + " (" + std::to_string(ack.content.size()) +
                     " bytes): other bytes, hash " + sha256_hex(*content));
    }
  }
  return lost;
}

}  // namespace

TEST_CASE("power loss: acknowledged uploads, small and large, survive; the rest leaves nothing",
          "[pg][powerloss]") {
  PgFixture f;
  TempDir root;
  auto fs_store = FsBlobStore::create(root.path() / "hot", root.path() / "cold");
  REQUIRE(fs_store);
  PowerLossBlobStore blobs(**fs_store, root.path() / "hot", root.path() / "cold");
  const BeforeTheCut before = run_until_power_loss(f.db.url(), blobs);
  f.store.reset();  // the old process's connections

  const std::vector<std::string> lost = lost_after_reopening(f.db.url(), root, before);
  for (const std::string& loss : lost) {
    FAIL_CHECK("acknowledged upload lost: " << loss);
  }

  PgMetadataStore metadata(f.db.url(), 2);
  auto store = FsBlobStore::create(root.path() / "hot", root.path() / "cold");
  REQUIRE(store);
  SystemClock clock;
  DownloadObject download(metadata, **store);
  for (const std::string& key : before.unacknowledged_keys) {
    INFO("unacknowledged upload " << key);
    auto found = download.by_key(*Namespace::parse("power"), *TenantId::parse("t"),
                                 *ObjectKey::parse(key), /*want_content=*/false);
    REQUIRE_FALSE(found);
    CHECK(found.error().code == ErrorCode::kNotFound);
  }
  // The collector expires the WRITING rows of the uploads cut short; then fsck finds the storage
  // and the metadata in agreement (no missing content, no size mismatch, no orphan, ref counts
  // right), and everything acknowledged still reads back.
  CollectGarbage gc(metadata, **store, clock, std::chrono::seconds(0));
  auto collected = gc.run_once();
  REQUIRE(collected);
  // The small-object path inserts no WRITING row at begin(): between 2 and 4 rows expire.
  CHECK(collected->expired_writing_objects >= 2);
  CHECK(collected->expired_writing_objects <= 4);
  {
    pqxx::connection connection(f.db.url());
    pqxx::work tx(connection);
    CHECK(tx.exec1("SELECT count(*) FROM objects WHERE upper(status::text) <> 'COMMITTED'")[0]
              .as<int>() == 0);
  }
  CheckIntegrity fsck(metadata, **store);
  std::vector<std::string> findings;
  auto report = fsck.run(/*repair=*/false, [&](const CheckIntegrity::Finding& finding) {
    findings.push_back(std::string(to_string(finding.kind)) + " " + finding.hash.hex());
  });
  REQUIRE(report);
  for (const std::string& finding : findings) {
    FAIL_CHECK("fsck: " << finding);
  }
  CHECK(report->unresolved() == 0);
  CHECK(lost_after_reopening(f.db.url(), root, before).empty());
}

TEST_CASE("power loss model: content acknowledged without a real fsync is caught as lost",
          "[pg][powerloss]") {
  PgFixture f;
  TempDir root;
  auto fs_store = FsBlobStore::create(root.path() / "hot", root.path() / "cold");
  REQUIRE(fs_store);
  PowerLossBlobStore blobs(**fs_store, root.path() / "hot", root.path() / "cold",
                           {.fsync_lies = true});
  const BeforeTheCut before = run_until_power_loss(f.db.url(), blobs);
  f.store.reset();

  const std::vector<std::string> lost = lost_after_reopening(f.db.url(), root, before);
  std::string listed;
  for (const std::string& loss : lost) {
    listed += "\n  " + loss;
  }
  INFO(lost.size() << " lost:" << listed);
  // Every content that went through a content file is lost (but the empty one: zero bytes are
  // what a truncated file holds); what the small-object path committed in its blob row does not
  // depend on the file system's fsync and survives.
  for (const Acknowledged& ack : before.acknowledged) {
    const bool caught = std::any_of(lost.begin(), lost.end(), [&](const std::string& loss) {
      return loss.starts_with(ack.key + " ");
    });
    INFO("acknowledged upload " << ack.key << " of " << ack.content.size() << " bytes");
    CHECK(caught == (ack.content.size() > kInlineMaxBytes));
  }
}

}  // namespace castor::testing
