// castorctl push's pipeline (hash a batch, preflight it, upload it while the next is hashed)
// through libcurl against FakeUploadServer: the order of the requests, what is sent, what the
// summary says, and how a failure on either side stops the other.

#include "client/push_pipeline.h"

#include <algorithm>
#include <fstream>

#include <catch2/catch.hpp>

#include "client/exit_code.h"
#include "client/fake_upload_server.h"
#include "client/push.h"
#include "support/random_data.h"
#include "support/sha256.h"
#include "support/temp_dir.h"

namespace castor::client {
namespace {

struct Fixture {
  Fixture() {
    context.config = {.url = server.url(), .api_key = std::nullopt, .ns = "ns", .tenant = "t"};
    context.quiet = true;
    context.retry.max_retries = 0;
  }

  std::filesystem::path tree() const { return dir.path() / "tree"; }

  // Writes tree/<name>; returns its SHA-256.
  std::string write(const std::string& name, const std::string& content) const {
    std::filesystem::create_directories((tree() / name).parent_path());
    std::ofstream(tree() / name, std::ios::binary)
        .write(content.data(), static_cast<std::streamsize>(content.size()));
    return castor::testing::sha256_hex(content);
  }

  // `count` files "f00".."fNN" of `size` random bytes each.
  void write_files(int count, std::size_t size) const {
    for (int i = 0; i < count; ++i) {
      write((i < 10 ? "f0" : "f") + std::to_string(i), castor::testing::random_bytes(size));
    }
  }

  // One file per batch, one connection, one hashed batch waiting at most: the tightest pipeline.
  PushOptions one_file_batches() const {
    return {.roots = {tree()},
            .bundle = true,
            .jobs = 1,
            .batching = {.max_files = 1, .first_files = 1, .queued = 1, .hash_threads = 1}};
  }

  // The positions in server.events() of the events starting with `prefix` (`whole`: equal to it).
  std::vector<std::size_t> positions(const std::string& prefix, bool whole = false) const {
    std::vector<std::size_t> found;
    const auto events = server.events();
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (whole ? events[i] == prefix : events[i].starts_with(prefix)) {
        found.push_back(i);
      }
    }
    return found;
  }

  castor::testing::TempDir dir{"push-pipeline"};
  FakeUploadServer server;
  Context context;
};

std::string describe(const std::vector<std::string>& events) {
  std::string text = "events: ";
  for (const std::string& event : events) {
    text += event.substr(0, 16) + "; ";
  }
  return text;
}

template <class T>
std::string error_of(const Result<T>& result) {
  return result ? std::string() : "error: " + result.error().message;
}

}  // namespace

TEST_CASE("push pipeline: uploads start while later batches are still to be hashed",
          "[unit][client]") {
  Fixture f;
  constexpr int kFiles = 16;
  f.write_files(kFiles, 1000);
  const PushOptions options = f.one_file_batches();

  auto summary = run_push(f.context, options);
  INFO(describe(f.server.events()));
  INFO(error_of(summary));
  REQUIRE(summary);
  CHECK(summary->files == kFiles);
  CHECK(summary->blobs_total == kFiles);
  CHECK(summary->blobs_missing == kFiles);
  CHECK(summary->blobs_uploaded == kFiles);
  CHECK(summary->bytes_uploaded == kFiles * 1000);
  CHECK(summary->bundle->at("id").as_string() == "bundle-1");
  CHECK(f.server.stats().blob_bytes == kFiles * 1000);

  // One preflight per batch, every content PUT once, the bundle last.
  const auto preflights = f.positions("preflight 1", true);
  const auto puts = f.positions("put ");
  REQUIRE(preflights.size() == kFiles);
  REQUIRE(puts.size() == kFiles);
  CHECK(f.positions("bundle " + std::to_string(kFiles), true) ==
        std::vector<std::size_t>{f.server.events().size() - 1});
  // The first PUT came before the last batch was preflighted (so before its file was hashed):
  // before it, the hashing stage can be ahead by at most the tasks one connection may have
  // started and queued (2 x jobs batches here), the batch taken after them, the queued batch and
  // the one being preflighted.
  const std::size_t ahead = static_cast<std::size_t>(std::count_if(
      preflights.begin(), preflights.end(), [&](std::size_t p) { return p < puts[0]; }));
  CHECK(ahead >= 1);
  CHECK(ahead <= 2 * options.jobs + options.batching.queued + 2);
  CHECK(puts.front() < preflights.back());
}

TEST_CASE("push pipeline: a content seen in an earlier batch or held by the server is not sent",
          "[unit][client]") {
  Fixture f;
  const std::string a = castor::testing::random_bytes(300);
  const std::string b = castor::testing::random_bytes(500);
  const std::string c = castor::testing::random_bytes(700);
  const std::string d = castor::testing::random_bytes(900);
  f.write("1", a);
  const std::string hash_b = f.write("2", b);
  f.write("3", a);  // seen in batch 1
  f.write("4", c);  // the server holds it
  f.write("5", b);  // seen in batch 2
  f.write("6", d);
  f.server.add_blob(c);

  auto summary = run_push(f.context, f.one_file_batches());
  INFO(describe(f.server.events()));
  INFO(error_of(summary));
  REQUIRE(summary);
  CHECK(summary->files == 6);
  CHECK(summary->blobs_total == 4);
  CHECK(summary->blobs_missing == 3);
  CHECK(summary->blobs_uploaded == 3);
  CHECK(summary->bytes_uploaded == 300 + 500 + 900);
  // Batches 3 and 5 hold nothing new: no preflight.
  CHECK(f.positions("preflight 1", true).size() == 4);
  CHECK(f.positions("put ").size() == 3);
  CHECK(f.positions("put " + hash_b).size() == 1);
  CHECK(f.positions("bundle 6", true).size() == 1);
}

TEST_CASE("push pipeline: --dry-run hashes and preflights every batch, sends nothing",
          "[unit][client]") {
  Fixture f;
  f.write_files(5, 100);
  f.server.add_blob("held");
  f.write("held.txt", "held");
  PushOptions options = f.one_file_batches();
  options.dry_run = true;

  auto summary = run_push(f.context, options);
  INFO(error_of(summary));
  REQUIRE(summary);
  CHECK(summary->dry_run);
  CHECK(summary->blobs_total == 6);
  CHECK(summary->blobs_missing == 5);
  CHECK(summary->blobs_uploaded == 0);
  CHECK(summary->bytes_uploaded == 0);
  CHECK_FALSE(summary->bundle);
  CHECK(f.server.events().size() == 6);
  CHECK(f.positions("preflight 1", true).size() == 6);
}

TEST_CASE("push pipeline: a failed upload stops the hashing stage; the push fails",
          "[unit][client]") {
  Fixture f;
  constexpr int kFiles = 16;
  f.write_files(kFiles, 1000);
  f.server.fail_blob_puts_after(2);
  const PushOptions options = f.one_file_batches();

  auto summary = run_push(f.context, options);
  INFO(describe(f.server.events()));
  REQUIRE_FALSE(summary);
  CHECK(exit_code_for(summary.error()) == ExitCode::kServer);
  CHECK(summary.error().message.find("HTTP 500") != std::string::npos);
  CHECK(f.positions("put ").size() == 3);  // two stored, the third refused, no more
  CHECK(f.positions("bundle").empty());
  // The hashing stage stopped within a few batches of the failure (see the first test's bound).
  CHECK(f.positions("preflight").size() <= 3 + 2 * options.jobs + options.batching.queued + 2);
}

TEST_CASE("push pipeline: a file that cannot be read fails the push after the batches before it",
          "[unit][client]") {
  Fixture f;
  f.write_files(4, 100);
  const PushOptions options = f.one_file_batches();
  std::vector<ScannedFile> files;
  for (int i = 0; i < 4; ++i) {
    files.push_back({.source = f.tree() / ("f0" + std::to_string(i)),
                     .relative = std::to_string(i),
                     .size = 100});
  }
  files.insert(files.begin() + 2, {.source = f.tree() / "gone", .relative = "gone", .size = 100});

  PushSummary summary;
  auto hashed = run_push_pipeline(f.context, options, files, summary);
  INFO(describe(f.server.events()));
  REQUIRE_FALSE(hashed);
  CHECK(exit_code_for(hashed.error()) == ExitCode::kUsage);
  CHECK(hashed.error().message.find("gone") != std::string::npos);
  // Only the two files before it were asked about (and perhaps uploaded).
  CHECK(f.positions("preflight").size() == 2);
  CHECK(f.positions("put ").size() <= 2);
}

TEST_CASE("push pipeline: blobs collected before the bundle is created are uploaded again, once",
          "[unit][client]") {
  Fixture f;
  f.write_files(3, 200);
  f.server.lose_blobs_at_next_bundle();

  auto summary = run_push(f.context, f.one_file_batches());
  INFO(describe(f.server.events()));
  INFO(error_of(summary));
  REQUIRE(summary);
  CHECK(summary->blobs_missing == 3);
  CHECK(summary->blobs_uploaded == 6);
  CHECK(summary->bytes_uploaded == 1200);
  CHECK(f.positions("bundle 3", true).size() == 2);
  CHECK(f.positions("preflight 3", true).size() ==
        1);  // the whole manifest's contents, asked again
  CHECK(f.server.stats().bundles == 1);
}

TEST_CASE("push pipeline: files over the part size go through upload sessions between batches",
          "[unit][client]") {
  Fixture f;
  f.write_files(6, 100);
  const std::string big = castor::testing::random_bytes(10'000);
  const std::string big_hash = f.write("f03-big", big);  // in the middle of the tree
  PushOptions options = f.one_file_batches();
  options.part_size = 4096;
  options.jobs = 2;

  auto summary = run_push(f.context, options);
  INFO(describe(f.server.events()));
  INFO(error_of(summary));
  REQUIRE(summary);
  CHECK(summary->blobs_uploaded == 7);
  CHECK(summary->parts_uploaded == 3);
  CHECK(summary->bytes_uploaded == 6 * 100 + 10'000);
  CHECK(f.server.blobs().at(big_hash) == big);
  CHECK(f.positions("put ").size() == 6);
  CHECK(f.server.stats().completes == 1);
}

TEST_CASE("push pipeline: keyed objects are created, replaced or left alone batch after batch",
          "[unit][client]") {
  Fixture f;
  const std::string same = f.write("same.txt", "unchanged content");
  f.write("changed.txt", "new content");
  f.write("new.txt", "brand new");
  const std::string big = castor::testing::random_bytes(9000);
  const std::string big_hash = f.write("zbig.bin", big);
  f.server.set_object("k/same.txt", same);
  f.server.set_object("k/changed.txt", castor::testing::sha256_hex("old content"));
  PushOptions options = f.one_file_batches();
  options.bundle = false;
  options.prefix = "k/";
  options.part_size = 4096;

  auto summary = run_push(f.context, options);
  INFO(describe(f.server.events()));
  INFO(error_of(summary));
  REQUIRE(summary);
  CHECK(summary->objects_created == 2);
  CHECK(summary->objects_replaced == 1);
  CHECK(summary->objects_unchanged == 1);
  CHECK(summary->bytes_uploaded == 11 + 9 + 9000);
  CHECK(summary->parts_uploaded == 3);
  CHECK(summary->blobs_total == 4);
  CHECK(f.positions("preflight").empty());
  CHECK(f.positions("delete k/changed.txt").size() == 1);
  CHECK(f.server.objects().at("k/changed.txt") == castor::testing::sha256_hex("new content"));
  CHECK(f.server.objects().at("k/zbig.bin") == big_hash);

  // A dry run only looks.
  Fixture g;
  g.write("a.txt", "a");
  options.roots = {g.tree()};
  options.dry_run = true;
  auto dry = run_push(g.context, options);
  INFO(error_of(dry));
  REQUIRE(dry);
  CHECK(dry->objects_created == 1);
  CHECK(g.server.events() == std::vector<std::string>{"head k/a.txt"});
}

}  // namespace castor::client
