// S3BlobStore over the in-memory S3 client (fakes/memory_s3_client.h): the upload, placement,
// read, integrity, scan and temp-key paths, with injected faults.
#include "infrastructure/s3/s3_blob_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "application/io_thread.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_blob_store.h"
#include "fakes/memory_s3_client.h"
#include "fakes/sequential_ids.h"

namespace castor::testing {
namespace {

constexpr StorageClass kHot = StorageClass::kHot;
constexpr std::size_t kPart = 1024;  // the part size (and read window) of these tests

// `n` bytes that differ from those of another seed.
std::string data_of(std::size_t n, unsigned seed = 1) {
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

struct Env {
  explicit Env(S3BackendSettings settings = defaults())
      : bucket(std::make_unique<MemoryS3Client>(clock)), s3(bucket.get()) {
    store = make_store(std::move(settings));
  }

  // Another store over the same bucket (a replica, or this store after a restart).
  std::unique_ptr<S3BlobStore> make_store(S3BackendSettings settings = defaults()) {
    auto created = S3BlobStore::create(std::make_unique<S3ClientRef>(*bucket), std::move(settings),
                                       kHot, &clock);
    REQUIRE(created);
    return std::move(*created);
  }

  static S3BackendSettings defaults() {
    S3BackendSettings s;
    s.prefix = "castor/";
    s.part_size = kPart;
    s.max_connections = 4;
    return s;
  }

  std::string content_key(const ContentHash& h) const {
    return "castor/" + h.hex().substr(0, 2) + "/" + h.hex().substr(2, 2) + "/" + h.hex();
  }
  std::string temp_key(const ObjectId& id) const { return "castor/.tmp/" + id.to_string(); }

  // Streams `content` into a new writer in pieces of `piece` bytes; REQUIREs every write.
  std::unique_ptr<BlobWriter> upload(const ObjectId& id, std::string_view content,
                                     std::size_t piece = 100) {
    auto writer = store->create_temp(kHot, id);
    REQUIRE(writer);
    for (std::size_t at = 0; at < content.size(); at += piece) {
      REQUIRE((*writer)->write(bytes_of(content.substr(at, piece))));
    }
    return std::move(*writer);
  }

  // Everything `open` reads, in reads of `piece` bytes.
  std::string read_all(const ContentHash& h, std::size_t piece = 300) {
    auto reader = store->open(kHot, h);
    REQUIRE(reader);
    std::string out;
    std::string buffer(piece, '\0');
    for (;;) {
      auto n = (*reader)->read_at(out.size(), {reinterpret_cast<std::byte*>(buffer.data()), piece});
      REQUIRE(n);
      if (*n == 0) {
        return out;
      }
      out.append(buffer, 0, *n);
    }
  }

  FakeClock clock;
  std::unique_ptr<MemoryS3Client> bucket;  // outlives the stores
  MemoryS3Client* s3;
  std::unique_ptr<S3BlobStore> store;
};

Error unavailable() { return Error{ErrorCode::kUnavailable, "S3 request: 503 SlowDown"}; }

TEST_CASE("S3 store: small content stays in memory and goes up by one PutObject",
          "[unit][s3store]") {
  Env env;
  const std::string content = data_of(kPart);  // exactly one part: still in memory
  const ContentHash expected = sha256_of(content);
  auto writer = env.upload(SequentialIds::nth(1), content);
  auto hash = writer->finish();
  REQUIRE(hash);
  CHECK(*hash == expected);
  CHECK(writer->size() == kPart);
  CHECK(env.s3->keys().empty());  // nothing in the bucket before place()
  REQUIRE(env.store->place(*writer, kHot, *hash));
  CHECK(env.s3->calls(S3Op::kPut) == 1);
  CHECK(env.s3->calls(S3Op::kCreateMultipart) == 0);
  CHECK(env.s3->calls(S3Op::kUploadPart) == 0);
  CHECK(env.s3->calls(S3Op::kCopy) == 0);
  CHECK(env.s3->keys() == std::vector<std::string>{env.content_key(expected)});
  CHECK(env.s3->object(env.content_key(expected)) == content);
  writer.reset();
  CHECK(env.s3->keys().size() == 1);
  CHECK(env.read_all(expected) == content);
  CHECK(env.store->exists(kHot, expected).value());
  CHECK(env.store->size_of(kHot, expected).value() == std::optional<std::uint64_t>(kPart));
}

TEST_CASE("S3 store: large content is one multipart upload, then one copy", "[unit][s3store]") {
  Env env;
  const std::string content = data_of(kPart * 3 + kPart / 2, 2);
  const ContentHash expected = sha256_of(content);
  const ObjectId id = SequentialIds::nth(2);
  auto writer = env.upload(id, content, 100);
  auto hash = writer->finish();
  REQUIRE(hash);
  CHECK(*hash == expected);
  const auto completed = env.s3->completed_uploads();
  REQUIRE(completed.size() == 1);
  CHECK(completed[0].key == env.temp_key(id));
  CHECK(completed[0].part_sizes == std::vector<std::size_t>{kPart, kPart, kPart, kPart / 2});
  CHECK(env.s3->keys() == std::vector<std::string>{env.temp_key(id)});  // no content key yet
  REQUIRE(env.store->place(*writer, kHot, *hash));
  CHECK(env.s3->calls(S3Op::kCopy) == 1);
  CHECK(env.s3->calls(S3Op::kPut) == 0);
  CHECK(env.s3->keys() == std::vector<std::string>{env.content_key(expected)});
  CHECK(env.s3->object(env.content_key(expected)) == content);
  writer.reset();
  CHECK(env.s3->keys().size() == 1);
  CHECK(env.s3->upload_count() == 0);
  CHECK(env.read_all(expected) == content);
}

TEST_CASE("S3 store: placing content that is stored already sends nothing", "[unit][s3store]") {
  Env env;
  const std::string large = data_of(kPart * 2 + 1, 3);
  const std::string small = data_of(10, 4);
  env.s3->put_object(env.content_key(sha256_of(large)), large);
  env.s3->put_object(env.content_key(sha256_of(small)), small);

  auto big = env.upload(SequentialIds::nth(3), large);
  auto little = env.upload(SequentialIds::nth(4), small);
  auto big_hash = big->finish();
  auto little_hash = little->finish();
  REQUIRE(big_hash);
  REQUIRE(little_hash);
  env.s3->reset_counts();
  REQUIRE(env.store->place(*big, kHot, *big_hash));
  REQUIRE(env.store->place(*little, kHot, *little_hash));
  CHECK(env.s3->calls(S3Op::kPut) == 0);
  CHECK(env.s3->calls(S3Op::kCopy) == 0);
  CHECK(env.s3->keys().size() == 2);  // the temp key is gone
  CHECK_FALSE(env.s3->object(env.temp_key(SequentialIds::nth(3))));
}

TEST_CASE("S3 store: a stored copy of the wrong size is replaced", "[unit][s3store]") {
  Env env;
  const std::string content = data_of(kPart * 2, 5);
  const ContentHash h = sha256_of(content);
  env.s3->put_object(env.content_key(h), content.substr(0, 10));
  auto writer = env.upload(SequentialIds::nth(5), content);
  REQUIRE(writer->finish());
  REQUIRE(env.store->place(*writer, kHot, h));
  CHECK(env.s3->object(env.content_key(h)) == content);
}

TEST_CASE("S3 store: place is idempotent", "[unit][s3store]") {
  Env env;
  for (std::size_t size : {std::size_t{50}, kPart * 2 + 7}) {
    const std::string content = data_of(size, 6);
    const ContentHash h = sha256_of(content);
    auto writer = env.upload(SequentialIds::nth(6), content);
    REQUIRE(writer->finish());
    env.s3->reset_counts();
    REQUIRE(env.store->place(*writer, kHot, h));
    REQUIRE(env.store->place(*writer, kHot, h));  // a retried transaction
    CHECK(env.s3->calls(S3Op::kPut) + env.s3->calls(S3Op::kCopy) == 1);
    CHECK(env.s3->object(env.content_key(h)) == content);
    writer.reset();
    CHECK(env.s3->keys() == std::vector<std::string>{env.content_key(h)});
    REQUIRE(env.store->remove(kHot, h));
    CHECK(env.s3->keys().empty());
  }
}

TEST_CASE("S3 store: a failed part fails the upload and aborts it", "[unit][s3store]") {
  Env env;
  const std::string content = data_of(kPart * 3 + kPart / 2, 7);
  env.s3->fail_next(S3Op::kUploadPart, 1, unavailable());
  auto writer = env.store->create_temp(kHot, SequentialIds::nth(7));
  REQUIRE(writer);
  std::optional<Error> failure;
  for (std::size_t at = 0; at < content.size() && !failure; at += 100) {
    if (auto s = (*writer)->write(bytes_of(std::string_view(content).substr(at, 100))); !s) {
      failure = s.error();
    }
  }
  if (!failure) {
    auto h = (*writer)->finish();
    REQUIRE_FALSE(h);
    failure = h.error();
  }
  CHECK(failure->code == ErrorCode::kUnavailable);
  // Every call after the failure fails too.
  CHECK((*writer)->write(bytes_of("x")).error().code == ErrorCode::kUnavailable);
  CHECK((*writer)->finish().error().code == ErrorCode::kUnavailable);
  CHECK(env.s3->aborted_uploads() == 1);
  CHECK(env.s3->upload_count() == 0);
  writer->reset();
  CHECK(env.s3->keys().empty());
  CHECK(env.store->buffered_bytes() == 0);
}

TEST_CASE("S3 store: a failed last part or completion aborts the upload", "[unit][s3store]") {
  const S3Op op = GENERATE(S3Op::kCompleteMultipart, S3Op::kCreateMultipart);
  Env env;
  const std::string content = data_of(kPart + 1, 8);
  env.s3->fail_next(op, 1, unavailable());
  auto writer = env.store->create_temp(kHot, SequentialIds::nth(8));
  REQUIRE(writer);
  Status wrote = (*writer)->write(bytes_of(content));
  if (op == S3Op::kCreateMultipart) {
    CHECK(wrote.error().code == ErrorCode::kUnavailable);
  } else {
    REQUIRE(wrote);
    CHECK((*writer)->finish().error().code == ErrorCode::kUnavailable);
    CHECK(env.s3->aborted_uploads() == 1);
  }
  CHECK(env.s3->upload_count() == 0);
  CHECK(env.s3->keys().empty());
}

TEST_CASE("S3 store: a failed copy or put in place leaves no content and can be retried",
          "[unit][s3store]") {
  const std::size_t size = GENERATE(std::size_t{100}, kPart * 2 + 3);
  Env env;
  const std::string content = data_of(size, 9);
  const ContentHash h = sha256_of(content);
  auto writer = env.upload(SequentialIds::nth(9), content);
  REQUIRE(writer->finish());
  env.s3->fail_next(size > kPart ? S3Op::kCopy : S3Op::kPut, 1, unavailable());
  auto placed = env.store->place(*writer, kHot, h);
  REQUIRE_FALSE(placed);
  CHECK(placed.error().code == ErrorCode::kUnavailable);
  CHECK_FALSE(env.s3->object(env.content_key(h)));
  REQUIRE(env.store->place(*writer, kHot, h));
  CHECK(env.s3->object(env.content_key(h)) == content);
  writer.reset();
  CHECK(env.s3->keys() == std::vector<std::string>{env.content_key(h)});
}

TEST_CASE("S3 store: an unplaced writer cleans up when destroyed", "[unit][s3store]") {
  Env env;
  const std::string content = data_of(kPart * 2 + 5, 10);
  const ObjectId id = SequentialIds::nth(10);
  {
    auto writer = env.upload(id, content);  // a multipart upload in progress
    CHECK(env.s3->upload_count() == 1);
  }
  CHECK(env.s3->upload_count() == 0);
  CHECK(env.s3->aborted_uploads() == 1);
  {
    auto writer = env.upload(id, content);
    REQUIRE(writer->finish());  // completed at the temp key, never placed
    CHECK(env.s3->object(env.temp_key(id)) == content);
  }
  CHECK(env.s3->keys().empty());
  CHECK(env.store->buffered_bytes() == 0);
}

TEST_CASE("S3 store: a writer destroyed on an IO thread cleans up on the transfer pool",
          "[unit][s3store]") {
  Env env;
  std::mutex mu;
  std::condition_variable cv;
  std::optional<std::thread::id> aborted_on;
  env.s3->on_call([&](const S3Call& call) {
    if (call.op == S3Op::kAbortMultipart) {
      std::lock_guard lock(mu);
      aborted_on = std::this_thread::get_id();
      cv.notify_all();
    }
  });
  auto writer = env.upload(SequentialIds::nth(13), data_of(kPart * 2 + 5, 22));
  std::thread::id io_thread;
  std::thread io([&] {
    mark_io_thread();
    io_thread = std::this_thread::get_id();
    writer.reset();  // must not block on the network here
  });
  io.join();
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return aborted_on.has_value(); });
    CHECK(*aborted_on != io_thread);
  }
  env.store.reset();  // joins the transfer pool: the abort has run
  CHECK(env.s3->upload_count() == 0);
}

TEST_CASE("S3 store: a reader may go while its read-ahead is in flight", "[unit][s3store]") {
  Env env;
  const std::string content = data_of(kPart * 4, 23);
  const ContentHash h = sha256_of(content);
  env.s3->put_object(env.content_key(h), content);
  for (int i = 0; i < 20; ++i) {
    auto reader = env.store->open(kHot, h);
    REQUIRE(reader);
    std::byte one{};
    REQUIRE((*reader)->read_at(0, {&one, 1}).value() == 1);  // starts the read-ahead
  }
  env.store.reset();  // waits for the transfers; nothing left behind
}

TEST_CASE("S3 store: a writer holds at most two parts", "[unit][s3store]") {
  Env env;
  // Each part takes a moment to land, so the writer fills the next one meanwhile.
  env.s3->on_call([](const S3Call& call) {
    if (call.op == S3Op::kUploadPart) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  const std::string content = data_of(kPart * 40 + 17, 11);
  auto writer = env.upload(SequentialIds::nth(11), content, 256);
  auto h = writer->finish();
  REQUIRE(h);
  CHECK(*h == sha256_of(content));
  CHECK(env.s3->completed_uploads().at(0).part_sizes.size() == 41);
  // One part in flight per upload, never more ...
  CHECK(env.s3->max_part_bytes_in_flight_per_upload() == kPart);
  // ... and the one filling: two part buffers at most.
  CHECK(env.store->peak_buffered_bytes() <= 2 * kPart);
  CHECK(env.store->peak_buffered_bytes() > kPart);
  REQUIRE(env.store->place(*writer, kHot, *h));
  writer.reset();
  CHECK(env.store->buffered_bytes() == 0);
}

TEST_CASE("S3 store: write waits while the previous part is in flight", "[unit][s3store]") {
  Env env;
  std::mutex mu;
  std::condition_variable cv;
  bool part_started = false;
  bool release = false;
  env.s3->on_call([&](const S3Call& call) {
    if (call.op == S3Op::kUploadPart && call.part_number == 1) {
      std::unique_lock lock(mu);
      part_started = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    }
  });
  auto writer = env.store->create_temp(kHot, SequentialIds::nth(12));
  REQUIRE(writer);
  const std::string content = data_of(kPart * 3, 12);
  // Part 1 goes out (and hangs) when byte kPart + 1 arrives; the writer takes part 2 in.
  REQUIRE((*writer)->write(bytes_of(std::string_view(content).substr(0, kPart * 2))));
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return part_started; });
  }
  // Part 2 must wait for part 1: the write that sends it cannot return before part 1 lands.
  // (A writer that does not wait returns at once; this one is given 200 ms to show it waits.)
  bool returned = false;
  std::thread writing([&] {
    REQUIRE((*writer)->write(bytes_of(std::string_view(content).substr(kPart * 2))));
    std::lock_guard lock(mu);
    returned = true;
    cv.notify_all();
  });
  {
    std::unique_lock lock(mu);
    CHECK_FALSE(cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return returned; }));
    CHECK(env.s3->calls(S3Op::kUploadPart) == 1);
    release = true;
  }
  cv.notify_all();
  writing.join();
  CHECK(returned);
  REQUIRE((*writer)->finish());
  CHECK(env.s3->completed_uploads().at(0).part_sizes ==
        std::vector<std::size_t>{kPart, kPart, kPart});
}

TEST_CASE("S3 store: a sequential read does one GET per window", "[unit][s3store]") {
  Env env;
  const std::string content = data_of(kPart * 256 + 100, 13);  // 257 windows
  const ContentHash h = sha256_of(content);
  env.s3->put_object(env.content_key(h), content);
  env.s3->reset_counts();
  // Every window but the first is fetched ahead, on the transfer pool.
  std::atomic<int> gets_here{0};
  const std::thread::id reader_thread = std::this_thread::get_id();
  env.s3->on_call([&](const S3Call& call) {
    if (call.op == S3Op::kGet && std::this_thread::get_id() == reader_thread) {
      ++gets_here;
    }
  });
  CHECK(env.read_all(h, 250) == content);
  CHECK(env.s3->calls(S3Op::kGet) == 257);
  CHECK(gets_here.load() == 1);
  CHECK(env.s3->calls(S3Op::kHead) == 1);
  env.s3->on_call(nullptr);
  // Reads larger than a window span windows.
  env.s3->reset_counts();
  CHECK(env.read_all(h, kPart * 3 + 1) == content);
  CHECK(env.s3->calls(S3Op::kGet) == 257);
  // The last read-ahead task lets go of its window on the transfer pool, a moment after the
  // reader has read it: wait for that (bounded), then nothing may stay buffered.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (env.store->buffered_bytes() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  CHECK(env.store->buffered_bytes() == 0);
}

TEST_CASE("S3 store: random reads return the right bytes", "[unit][s3store]") {
  Env env;
  const std::string content = data_of(kPart * 20 + 3, 14);
  const ContentHash h = sha256_of(content);
  env.s3->put_object(env.content_key(h), content);
  auto reader = env.store->open(kHot, h);
  REQUIRE(reader);
  CHECK((*reader)->size() == content.size());
  std::mt19937 random(14);
  std::string buffer(3000, '\0');
  for (int i = 0; i < 200; ++i) {
    const std::size_t offset = random() % (content.size() + 10);
    const std::size_t want = 1 + random() % buffer.size();
    auto n = (*reader)->read_at(offset, {reinterpret_cast<std::byte*>(buffer.data()), want});
    REQUIRE(n);
    const std::size_t expected =
        offset >= content.size() ? 0 : std::min(want, content.size() - offset);
    REQUIRE(*n == expected);
    REQUIRE(buffer.compare(0, *n, content, std::min(offset, content.size()), *n) == 0);
  }
  CHECK(env.store->peak_buffered_bytes() <= 2 * kPart);
}

TEST_CASE("S3 store: a read elsewhere fetches a small window first", "[unit][s3store]") {
  S3BackendSettings settings = Env::defaults();
  settings.part_size = 4 << 20;
  Env env(settings);
  const std::string content = data_of(10 << 20, 24);
  const ContentHash h = sha256_of(content);
  env.s3->put_object(env.content_key(h), content);
  std::vector<std::size_t> asked;
  std::mutex mu;
  env.s3->on_call([&](const S3Call& call) {
    if (call.op == S3Op::kGet) {
      std::lock_guard lock(mu);
      asked.push_back(call.bytes);
    }
  });
  auto reader = env.store->open(kHot, h);
  REQUIRE(reader);
  std::string buffer(2 << 20, '\0');
  auto n = (*reader)->read_at(5 << 20, {reinterpret_cast<std::byte*>(buffer.data()), 1000});
  REQUIRE(n);
  CHECK(*n == 1000);
  CHECK(buffer.compare(0, 1000, content, 5 << 20, 1000) == 0);
  {
    std::lock_guard lock(mu);
    CHECK(asked == std::vector<std::size_t>{1 << 20});  // 1 MiB, not a 4 MiB part
  }
  // A read that wants more than 1 MiB gets it in one window.
  REQUIRE(
      (*reader)->read_at(1, {reinterpret_cast<std::byte*>(buffer.data()), buffer.size()}).value() ==
      buffer.size());
  CHECK(buffer.compare(0, buffer.size(), content, 1, buffer.size()) == 0);
  reader->reset();
  env.store.reset();  // the read-aheads have landed
  CHECK(asked.at(1) == std::size_t{2} << 20);
}

TEST_CASE("S3 store: open of missing content is NotFound; a short object is DataLoss",
          "[unit][s3store]") {
  Env env;
  const ContentHash missing = sha256_of("missing");
  CHECK(env.store->open(kHot, missing).error().code == ErrorCode::kNotFound);
  CHECK_FALSE(env.store->exists(kHot, missing).value());
  CHECK_FALSE(env.store->size_of(kHot, missing).value());

  const std::string content = data_of(kPart * 3, 15);
  const ContentHash h = sha256_of(content);
  env.s3->put_object(env.content_key(h), content);
  auto reader = env.store->open(kHot, h);
  REQUIRE(reader);
  env.s3->put_object(env.content_key(h), content.substr(0, kPart + 10));  // shrinks meanwhile
  std::string buffer(kPart * 3, '\0');
  auto n = (*reader)->read_at(0, {reinterpret_cast<std::byte*>(buffer.data()), buffer.size()});
  REQUIRE_FALSE(n);
  CHECK(n.error().code == ErrorCode::kDataLoss);
}

TEST_CASE("S3 store: hash_content and hash_segments", "[unit][s3store]") {
  Env env;
  const std::string a = data_of(kPart * 2 + 9, 16);
  const std::string b = data_of(33, 17);
  const ContentHash ha = sha256_of(a);
  const ContentHash hb = sha256_of(b);
  env.s3->put_object(env.content_key(ha), a);
  env.s3->put_object(env.content_key(hb), b);

  std::uint64_t paced = 0;
  auto pace = [&](std::uint64_t n) {
    paced += n;
    return true;
  };
  CHECK(env.store->hash_content(kHot, ha, pace).value() == ha);
  CHECK(paced == a.size());
  CHECK(env.store->hash_content(kHot, hb, nullptr).value() == hb);
  CHECK(env.store->hash_content(kHot, sha256_of("none"), nullptr).error().code ==
        ErrorCode::kNotFound);
  CHECK(env.store->hash_content(kHot, ha, [](std::uint64_t) { return false; }).error().code ==
        ErrorCode::kAborted);

  std::vector<Segment> segments{{ha, 0, a.size()}, {hb, a.size(), b.size()}};
  CHECK(env.store->hash_segments(kHot, segments, nullptr).value() == sha256_of(a + b));
  segments[1].size_bytes = b.size() + 1;
  auto wrong = env.store->hash_segments(kHot, segments, nullptr);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == ErrorCode::kDataLoss);
  segments[1] = {sha256_of("none"), a.size(), 4};
  CHECK(env.store->hash_segments(kHot, segments, nullptr).error().code == ErrorCode::kNotFound);
}

TEST_CASE("S3 store: quarantine moves content aside", "[unit][s3store]") {
  Env env;
  const std::string content = data_of(500, 18);
  const ContentHash h = sha256_of(content);
  env.s3->put_object(env.content_key(h), content);
  REQUIRE(env.store->quarantine(kHot, h));
  const std::string aside = "castor/.quarantine/" + h.hex() + ".1704067200";
  CHECK(env.s3->keys() == std::vector<std::string>{aside});
  CHECK(env.s3->object(aside) == content);
  CHECK_FALSE(env.store->exists(kHot, h).value());
  REQUIRE(env.store->quarantine(kHot, h));  // nothing left: succeeds
  CHECK(env.s3->keys().size() == 1);
}

TEST_CASE("S3 store: scan_page pages through content keys only", "[unit][s3store]") {
  Env env;
  std::vector<ContentHash> stored;
  for (unsigned i = 0; i < 23; ++i) {
    const std::string content = data_of(10, 100 + i);
    stored.push_back(sha256_of(content));
    env.s3->put_object(env.content_key(stored.back()), content);
  }
  std::sort(stored.begin(), stored.end());
  const std::string h0 = stored[0].hex();
  for (const std::string& junk :
       {std::string("castor/.tmp/") + SequentialIds::nth(1).to_string(),
        "castor/.quarantine/" + h0 + ".1", std::string("castor/"), std::string("castor/0"),
        "castor/" + h0.substr(0, 2) + "/" + h0.substr(2, 2) + "/not-a-hash",
        "castor/" + h0.substr(0, 2) + "/" + h0.substr(2, 2) + "/" + h0 + ".part",
        "castor/00/00/" + std::string(64, 'e'),  // in the wrong shard
        "castor/EE/EE/" + std::string(64, 'E'), std::string("castor/zz"),
        "other/" + h0.substr(0, 2) + "/" + h0.substr(2, 2) + "/" + h0}) {
    env.s3->put_object(junk, "junk");
  }
  std::vector<ContentHash> seen;
  std::optional<ContentHash> after;
  int pages = 0;
  for (;;) {
    auto page = env.store->scan_page(kHot, after, 5);
    REQUIRE(page);
    REQUIRE(page->hashes.size() <= 5);
    ++pages;
    seen.insert(seen.end(), page->hashes.begin(), page->hashes.end());
    if (page->end) {
      break;
    }
    REQUIRE_FALSE(page->hashes.empty());
    after = page->hashes.back();
  }
  CHECK(seen == stored);
  CHECK(pages == 5);
  // A cursor resumes after its hash.
  auto resumed = env.store->scan_page(kHot, stored[10], 4);
  REQUIRE(resumed);
  CHECK(resumed->hashes == std::vector<ContentHash>(stored.begin() + 11, stored.begin() + 15));
  CHECK_FALSE(resumed->end);
  auto last = env.store->scan_page(kHot, stored[20], 10);
  REQUIRE(last);
  CHECK(last->hashes == std::vector<ContentHash>(stored.begin() + 21, stored.end()));
  CHECK(last->end);
  // scan(): every content hash, in batches.
  std::vector<ContentHash> scanned;
  REQUIRE(env.store->scan(kHot, [&](const std::vector<ContentHash>& batch) -> Status {
    scanned.insert(scanned.end(), batch.begin(), batch.end());
    return {};
  }));
  CHECK(scanned == stored);
}

TEST_CASE("S3 store: temp_modified_at sees live writers and other replicas' uploads",
          "[unit][s3store]") {
  Env env;
  const ObjectId id = SequentialIds::nth(20);
  CHECK_FALSE(env.store->temp_modified_at(kHot, id).value());
  const Timestamp t0 = env.clock.now();
  {
    auto writer = env.store->create_temp(kHot, id);
    REQUIRE(writer);
    CHECK(env.store->temp_modified_at(kHot, id).value() == std::optional<Timestamp>(t0));
    env.clock.advance(std::chrono::minutes(5));
    REQUIRE((*writer)->write(bytes_of("abc")));  // in memory: only this process knows
    CHECK(env.store->temp_modified_at(kHot, id).value() ==
          std::optional<Timestamp>(t0 + std::chrono::minutes(5)));
  }
  CHECK_FALSE(env.store->temp_modified_at(kHot, id).value());

  // A multipart upload another replica runs: its start, then its latest part.
  const std::string key = env.temp_key(id);
  auto upload = env.s3->create_multipart(key);
  REQUIRE(upload);
  CHECK(env.store->temp_modified_at(kHot, id).value() == std::optional<Timestamp>(env.clock.now()));
  env.clock.advance(std::chrono::minutes(7));
  const Timestamp part_at = env.clock.now();
  REQUIRE(env.s3->upload_part(key, *upload, 1, bytes_of("part")));
  env.clock.advance(std::chrono::minutes(1));
  CHECK(env.store->temp_modified_at(kHot, id).value() == std::optional<Timestamp>(part_at));
  REQUIRE(env.store->remove_temp(kHot, id));
  CHECK(env.s3->upload_count() == 0);
  CHECK_FALSE(env.store->temp_modified_at(kHot, id).value());

  // A completed temp key: its LastModified.
  env.s3->put_object(key, "done");
  CHECK(env.store->temp_modified_at(kHot, id).value() == std::optional<Timestamp>(env.clock.now()));
  REQUIRE(env.store->remove_temp(kHot, id));
  CHECK(env.s3->keys().empty());
}

TEST_CASE("S3 store: a replica leaves another replica's live upload be", "[unit][s3store]") {
  Env env;
  auto replica = env.make_store();
  const ObjectId id = SequentialIds::nth(30);
  const Timestamp t0 = env.clock.now();
  auto writer = env.store->create_temp(kHot, id);
  REQUIRE(writer);
  const std::string content = data_of(kPart * 3 + 1, 30);
  REQUIRE((*writer)->write(bytes_of(std::string_view(content).substr(0, kPart + 1))));
  env.clock.advance(std::chrono::hours(3));
  // Parts 2 and 3 go three hours later; sending part 3 waits until part 2 has landed. The
  // upload is alive, on the other replica.
  REQUIRE((*writer)->write(bytes_of(std::string_view(content).substr(kPart + 1))));
  CHECK(replica->temp_modified_at(kHot, id).value() ==
        std::optional<Timestamp>(t0 + std::chrono::hours(3)));
  CHECK(replica->remove_temps_older_than(t0 + std::chrono::hours(1)).value() == 0);
  CHECK(env.s3->upload_count() == 1);
  auto h = (*writer)->finish();
  REQUIRE(h);
  REQUIRE(env.store->place(**writer, kHot, *h));
  writer->reset();
  // Placed by one replica, read by the other (or by this one after a restart).
  env.store.reset();
  auto reader = replica->open(kHot, *h);
  REQUIRE(reader);
  CHECK((*reader)->size() == content.size());
  CHECK(replica->hash_content(kHot, *h, nullptr).value() == sha256_of(content));
}

TEST_CASE("S3 store: remove_temps_older_than reaps stale uploads and temp keys",
          "[unit][s3store]") {
  Env env;
  auto start = [&](std::uint64_t n, bool with_part) {
    const std::string key = env.temp_key(SequentialIds::nth(n));
    auto upload = env.s3->create_multipart(key);
    REQUIRE(upload);
    if (with_part) {
      REQUIRE(env.s3->upload_part(key, *upload, 1, bytes_of("p")));
    }
  };
  start(1, true);   // stale
  start(2, false);  // stale, no part
  env.s3->put_object(env.temp_key(SequentialIds::nth(3)), "stale temp key");
  const std::string content_key = env.content_key(sha256_of("c"));
  env.s3->put_object(content_key, "c");  // old content: not a temp key
  auto live = env.upload(SequentialIds::nth(4), data_of(kPart * 2, 21));  // live, here
  env.clock.advance(std::chrono::hours(2));
  const Timestamp cutoff = env.clock.now() - std::chrono::hours(1);
  // An old upload still receiving parts (on another replica).
  {
    const std::string key = env.temp_key(SequentialIds::nth(5));
    env.clock.advance(-std::chrono::hours(2));
    auto upload = env.s3->create_multipart(key);
    REQUIRE(upload);
    env.clock.advance(std::chrono::hours(2));
    REQUIRE(env.s3->upload_part(key, *upload, 1, bytes_of("fresh")));
  }
  env.s3->put_object(env.temp_key(SequentialIds::nth(6)), "fresh temp key");

  auto removed = env.store->remove_temps_older_than(cutoff);
  REQUIRE(removed);
  CHECK(*removed == 3);
  CHECK(env.s3->upload_count() == 2);  // the live one and the one receiving parts
  CHECK(env.s3->keys() ==
        std::vector<std::string>{env.temp_key(SequentialIds::nth(6)), content_key});
  CHECK(env.store->remove_temps_older_than(cutoff).value() == 0);
}

TEST_CASE("S3 store: a backend without ListMultipartUploads still has its temp keys reaped",
          "[unit][s3store]") {
  const bool not_implemented = GENERATE(false, true);
  Env env;
  const ObjectId id = SequentialIds::nth(40);
  env.s3->put_object(env.temp_key(id), "left by a crash");
  env.clock.advance(std::chrono::hours(2));
  // An unreachable backend is an error, not an empty list.
  env.s3->fail_next(S3Op::kListMultipartUploads, 2, unavailable());
  CHECK(env.store->temp_modified_at(kHot, id).error().code == ErrorCode::kUnavailable);
  CHECK(env.store->remove_temps_older_than(env.clock.now()).error().code ==
        ErrorCode::kUnavailable);
  // s3rver: 405 MethodNotAllowed, which the client returns as Internal, or a 501 NotImplemented,
  // a 5xx (Unavailable) with the S3 error code as its reason.
  env.s3->fail_next(
      S3Op::kListMultipartUploads, 1,
      not_implemented ? Error{ErrorCode::kUnavailable, "HTTP 501 NotImplemented", "NotImplemented"}
                      : internal_error("S3 ListMultipartUploads: HTTP 405 MethodNotAllowed"));
  CHECK(env.store->temp_modified_at(kHot, id).value() ==
        std::optional<Timestamp>(FakeClock::kStart));
  // Never asked again.
  CHECK(env.store->remove_temps_older_than(env.clock.now()).value() == 1);
  CHECK(env.s3->calls(S3Op::kListMultipartUploads) == 3);
  CHECK(env.s3->keys().empty());
  REQUIRE(env.store->remove_temp(kHot, id));
}

TEST_CASE("S3 store: download_url", "[unit][s3store]") {
  const ContentHash h = sha256_of("hello\n");
  const std::string key = "castor/58/91/" + h.hex();
  DownloadUrlOptions options;
  options.content_type = "text/plain";
  {
    Env env;  // redirects off
    CHECK_FALSE(env.store->download_url(kHot, h, options).value());
  }
  {
    S3BackendSettings settings = Env::defaults();
    settings.redirect_downloads = true;
    settings.redirect_ttl = std::chrono::seconds(60);
    Env env(settings);
    CHECK(env.store->download_url(kHot, h, options).value() ==
          std::optional<std::string>("memory://bucket/" + key +
                                     "?X-Amz-Expires=60&response-content-type=text/plain"));
  }
  {
    S3BackendSettings settings = Env::defaults();
    settings.redirect_downloads = true;
    settings.public_url = "https://cdn.example.com/files/";
    Env env(settings);
    CHECK(env.store->download_url(kHot, h, options).value() ==
          std::optional<std::string>("https://cdn.example.com/files/" + key));
  }
  CHECK(Env().store->is_remote(kHot));
}

TEST_CASE("S3 store: create refuses a bad prefix or part size", "[unit][s3store]") {
  FakeClock clock;
  S3BackendSettings settings = Env::defaults();
  settings.prefix = "castor";
  CHECK(S3BlobStore::create(std::make_unique<MemoryS3Client>(clock), settings, kHot, &clock)
            .error()
            .code == ErrorCode::kInvalidArgument);
  settings = Env::defaults();
  settings.part_size = 0;
  CHECK(S3BlobStore::create(std::make_unique<MemoryS3Client>(clock), settings, kHot, &clock)
            .error()
            .code == ErrorCode::kInvalidArgument);
  CHECK(S3BlobStore::create(nullptr, Env::defaults(), kHot, &clock).error().code ==
        ErrorCode::kInvalidArgument);
  settings = Env::defaults();
  settings.prefix = "";
  CHECK(S3BlobStore::create(std::make_unique<MemoryS3Client>(clock), settings, kHot, &clock));
}

TEST_CASE("S3 store: check is HeadBucket", "[unit][s3store]") {
  Env env;
  REQUIRE(env.store->check());
  env.s3->fail_next(S3Op::kCheckBucket, 1, Error{ErrorCode::kPermissionDenied, "403"});
  CHECK(env.store->check().error().code == ErrorCode::kPermissionDenied);
  CHECK(env.s3->calls(S3Op::kCheckBucket) == 2);
}

}  // namespace
}  // namespace castor::testing
