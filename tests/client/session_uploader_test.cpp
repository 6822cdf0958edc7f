// SessionUploader (castorctl's resumable uploads) through libcurl against FakeUploadServer: which
// parts go over the wire when a session is fresh, resumed, cut differently, or disappears.

#include "client/session_uploader.h"

#include <fstream>

#include <catch2/catch.hpp>

#include "client/fake_upload_server.h"
#include "support/random_data.h"
#include "support/sha256.h"
#include "support/temp_dir.h"

namespace castor::client {
namespace {

constexpr std::uint64_t kPart = 4096;

// A file of `size` random bytes, a context pointing at `server`, and the uploader's inputs.
struct Fixture {
  explicit Fixture(std::size_t size = 3 * kPart - 100)
      : content(castor::testing::random_bytes(size)) {
    path = dir.path() / "big.bin";
    std::ofstream(path, std::ios::binary)
        .write(content.data(), static_cast<std::streamsize>(content.size()));
    hash = castor::testing::sha256_hex(content);
    context.config = {.url = server.url(), .api_key = std::nullopt, .ns = "ns", .tenant = "t"};
    context.quiet = true;
    context.retry.max_retries = 0;
  }

  SessionUpload item(std::optional<std::string> key = std::nullopt) const {
    return {.file = {.source = path, .relative = "big.bin", .size = content.size(), .mode = 0644},
            .sha256 = hash,
            .key = std::move(key)};
  }

  Result<SessionTotals> upload(const std::vector<SessionUpload>& items, int jobs = 1) {
    ClientPool clients(context.http_options(), jobs);
    Progress progress(ProgressStyle::kLines, "test", items.size(), 0);
    auto totals = SessionUploader(context, kPart, jobs).upload(clients, items, progress);
    if (!totals) {
      UNSCOPED_INFO("upload failed: " << totals.error().message);
    }
    return totals;
  }

  // The parts of the content as the layout cuts it, as the server would hold them.
  FakeUploadServer::Part part(std::uint32_t number) const {
    std::string bytes = content.substr((number - 1) * kPart, kPart);
    return {bytes, castor::testing::sha256_hex(bytes)};
  }

  FakeUploadServer::Session open_session(std::map<std::uint32_t, FakeUploadServer::Part> parts,
                                         std::optional<std::string> key = std::nullopt) const {
    FakeUploadServer::Session session;
    session.size = content.size();
    session.sha256 = hash;
    session.parts = std::move(parts);
    if (key) {
      session.ns = "ns";
      session.key = key;
    }
    return session;
  }

  castor::testing::TempDir dir{"session-uploader"};
  FakeUploadServer server;
  std::string content;
  std::filesystem::path path;
  std::string hash;
  Context context;
};

}  // namespace

TEST_CASE("session upload: a fresh content is sent once, in parts, and completed",
          "[unit][client]") {
  Fixture f;
  auto totals = f.upload({f.item()});
  REQUIRE(totals);
  CHECK(totals->completed == 1);
  CHECK(totals->sessions_resumed == 0);
  CHECK(totals->parts_uploaded == 3);
  CHECK(totals->parts_reused == 0);
  CHECK(totals->bytes_sent == f.content.size());
  CHECK(totals->bytes_reused == 0);
  const auto stats = f.server.stats();
  CHECK(stats.creates == 1);
  CHECK(stats.part_puts == 3);
  CHECK(stats.part_bytes == f.content.size());
  CHECK(stats.completes == 1);
  REQUIRE(f.server.blobs().contains(f.hash));
  CHECK((f.server.blobs().at(f.hash) == f.content));
  CHECK(f.server.objects().empty());
}

TEST_CASE("session upload: parts go in parallel, in order on the server", "[unit][client]") {
  Fixture f(37 * kPart + 1);
  auto totals = f.upload({f.item()}, 6);
  REQUIRE(totals);
  CHECK(totals->parts_uploaded == 38);
  CHECK(totals->bytes_sent == f.content.size());
  CHECK((f.server.blobs().at(f.hash) == f.content));
}

TEST_CASE("session upload: an interrupted session is resumed; only missing or wrong parts are sent",
          "[unit][client]") {
  Fixture f;
  FakeUploadServer::Part wrong = f.part(2);
  wrong.bytes[0] ^= 1;  // same size, other bytes: replaced
  wrong.sha256 = castor::testing::sha256_hex(wrong.bytes);
  const std::string id = f.server.add_session(f.open_session({{1, f.part(1)}, {2, wrong}}));

  auto totals = f.upload({f.item()});
  REQUIRE(totals);
  CHECK(totals->sessions_resumed == 1);
  CHECK(totals->parts_reused == 1);
  CHECK(totals->bytes_reused == kPart);
  CHECK(totals->parts_uploaded == 2);
  CHECK(totals->bytes_sent == f.content.size() - kPart);
  const auto stats = f.server.stats();
  CHECK(stats.creates == 0);
  CHECK(stats.part_bytes == f.content.size() - kPart);
  CHECK(f.server.session(id)->state == "completed");
  CHECK((f.server.blobs().at(f.hash) == f.content));

  // A second push finds no open session for the content any more: nothing to resume.
  CHECK(f.server.sessions().size() == 1);
}

TEST_CASE("session upload: sessions cut with another part size, or for another target, are left",
          "[unit][client]") {
  Fixture f;
  std::string other_cut = f.content.substr(0, kPart / 2);
  const std::string misfit = f.server.add_session(
      f.open_session({{1, {other_cut, castor::testing::sha256_hex(other_cut)}}}));
  const std::string keyed = f.server.add_session(f.open_session({{1, f.part(1)}}, "other/key"));
  FakeUploadServer::Session cold = f.open_session({{1, f.part(1)}});
  cold.storage_class = "cold";
  const std::string cold_id = f.server.add_session(cold);

  auto totals = f.upload({f.item()});
  REQUIRE(totals);
  CHECK(totals->sessions_resumed == 0);
  CHECK(totals->bytes_sent == f.content.size());
  CHECK(f.server.stats().creates == 1);
  for (const std::string& id : {misfit, keyed, cold_id}) {
    INFO(id);
    CHECK(f.server.session(id)->state == "open");
  }
  CHECK(f.server.session(keyed)->parts.size() == 1);
}

TEST_CASE("session upload: of several fitting sessions the fullest is resumed", "[unit][client]") {
  Fixture f;
  const std::string older = f.server.add_session(f.open_session({{1, f.part(1)}, {3, f.part(3)}}));
  const std::string newer = f.server.add_session(f.open_session({{2, f.part(2)}}));
  auto totals = f.upload({f.item()});
  REQUIRE(totals);
  CHECK(totals->parts_reused == 2);
  CHECK(totals->bytes_sent == kPart);
  CHECK(f.server.session(older)->state == "completed");
  CHECK(f.server.session(newer)->state == "open");
}

TEST_CASE("session upload: a keyed content resumes only its key's session and becomes the object",
          "[unit][client]") {
  Fixture f;
  f.server.add_session(f.open_session({{1, f.part(1)}}));  // a blob session: not for a key
  const std::string id = f.server.add_session(f.open_session({{2, f.part(2)}}, "m/big.bin"));
  auto totals = f.upload({f.item("m/big.bin")});
  REQUIRE(totals);
  CHECK(totals->parts_reused == 1);
  CHECK(totals->bytes_sent == f.content.size() - kPart);
  CHECK(f.server.session(id)->state == "completed");
  CHECK(f.server.objects().at("m/big.bin") == f.hash);
}

TEST_CASE("session upload: a session that expires midway is replaced by a new one",
          "[unit][client]") {
  Fixture f;
  f.server.expire_after_parts(1);  // after the first part, the session is gone (404)
  auto totals = f.upload({f.item()});
  REQUIRE(totals);
  CHECK(totals->completed == 1);
  CHECK(f.server.stats().creates == 2);
  CHECK((f.server.blobs().at(f.hash) == f.content));
  // The first session's part, the 404'd second part's body (read before the answer) and all three
  // again.
  CHECK(totals->bytes_sent == kPart + kPart + f.content.size());
}

TEST_CASE("session upload: a 404 on completion starts over with a new session", "[unit][client]") {
  Fixture f;
  f.server.expire_after_parts(3);  // every part stored, then the session is gone
  auto totals = f.upload({f.item()});
  REQUIRE(totals);
  CHECK(f.server.stats().creates == 2);
  CHECK(f.server.stats().completes == 1);
  CHECK(totals->bytes_sent == 2 * f.content.size());
  CHECK((f.server.blobs().at(f.hash) == f.content));
}

TEST_CASE("session upload: sessions that keep disappearing end in Unavailable", "[unit][client]") {
  Fixture f;
  f.server.expire_after_parts(1, true);
  auto totals = f.upload({f.item()});
  REQUIRE_FALSE(totals);
  CHECK(totals.error().code == ErrorCode::kUnavailable);
  CHECK(f.server.stats().creates == 3);
  CHECK(f.server.blobs().empty());
}

TEST_CASE("session upload: a file that changed since it was hashed is DataLoss", "[unit][client]") {
  Fixture f;
  SessionUpload item = f.item();
  item.sha256 = std::string(64, '0');  // what the file held when it was hashed
  auto totals = f.upload({item});
  REQUIRE_FALSE(totals);
  CHECK(totals.error().code == ErrorCode::kDataLoss);
  CHECK(totals.error().message.find("changed while it was being pushed") != std::string::npos);
  CHECK(f.server.blobs().empty());

  // Shorter than when it was scanned: DataLoss before anything is sent for the missing part.
  Fixture g;
  SessionUpload longer = g.item();
  longer.file.size += kPart;
  longer.sha256 = g.hash;
  auto shrunk = g.upload({longer});
  REQUIRE_FALSE(shrunk);
  CHECK(shrunk.error().code == ErrorCode::kDataLoss);
}

TEST_CASE("session upload: a key taken meanwhile counts as done only when it holds the content",
          "[unit][client]") {
  Fixture f;
  f.server.set_object("m/big.bin", f.hash);  // another push stored the same content
  auto totals = f.upload({f.item("m/big.bin")});
  REQUIRE(totals);
  CHECK(f.server.stats().aborts == 1);  // our session's parts are released
  CHECK(f.server.sessions().empty());

  Fixture g;
  g.server.set_object("m/big.bin", std::string(64, 'c'));
  auto refused = g.upload({g.item("m/big.bin")});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kAlreadyExists);
  CHECK(g.server.stats().aborts == 0);
}

TEST_CASE("session upload: several contents, each in its own session", "[unit][client]") {
  Fixture f;
  Fixture g(2 * kPart + 1);
  const std::filesystem::path second = f.dir.path() / "second.bin";
  std::filesystem::copy_file(g.path, second);
  SessionUpload other{
      .file = {.source = second, .relative = "second.bin", .size = g.content.size()},
      .sha256 = g.hash,
      .key = std::nullopt};
  auto totals = f.upload({f.item(), other}, 3);
  REQUIRE(totals);
  CHECK(totals->completed == 2);
  CHECK(totals->parts_uploaded == 6);
  CHECK(totals->bytes_sent == f.content.size() + g.content.size());
  CHECK((f.server.blobs().at(f.hash) == f.content));
  CHECK((f.server.blobs().at(g.hash) == g.content));
}

}  // namespace castor::client
